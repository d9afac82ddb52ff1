"""The roll-up: engagement figures per ward, site and organisation per London day.

A range of days is computed in one pass per figure: SQL groups by (place, London day),
site and organisation rows add up the place rows, and distinct people are counted
again at each level. An idea's place is its ward, or its site when it names only a
site (an anonymous idea from a small ward): such an idea counts towards its site and
the organisation, never a ward. One organisation's days are written in one transaction,
under row locks, by deleting their rows and inserting fresh ones: running a day twice gives
identical rows, two runs of the same day never overlap, and a run killed half-way
leaves the previous rows in place. Rows are read grouped or in chunks, so memory grows
with wards, staff groups and days in the range (backfills go a quarter at a time) and
with one day's answers, not with the number of ideas (bench/ measures it).
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter
from statistics import median
from zoneinfo import ZoneInfo

from django.db import DatabaseError, connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ideas.models import Comment, Idea, IdeaEvent, Kind, PulseCheckIn, Status, Support
from organisations.models import Membership, Organisation, Ward

from .models import ORGANISATION_SCOPE, STAFF_FIELDS, DailyFact, RollupRun

LONDON = ZoneInfo("Europe/London")
WINDOW_DAYS = 30
CHUNK_DAYS = 92
ADDITIVE = [
    "ideas",
    "ideas_idea",
    "ideas_concern",
    "ideas_praise",
    "supports",
    "comments",
    "responded",
    "responded_within_target",
    "reviewed",
    "in_progress",
    "implemented",
    "not_taken_forward",
    "pulse_count",
    "pulse_sum",
    "active_members",
]
FUNNEL = {
    Status.UNDER_REVIEW: "reviewed",
    Status.IN_PROGRESS: "in_progress",
    Status.IMPLEMENTED: "implemented",
    Status.NOT_TAKEN_FORWARD: "not_taken_forward",
}


class RollupBusy(Exception):
    """Another roll-up of the same organisation and day is running."""


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of a Europe/London day (23 or 25 hours long at the clock changes)."""
    start = datetime.combine(day, time.min, tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON)
    return start, end


# Ranges shorter than this count each day's trailing 30 days afresh rather than by the sweep.
SHORT_RANGE_DAYS = 3


class _LocalDay(TruncDate):
    """TruncDate without its Python conversion of each row: the database already returns
    a date, and the roll-up reads hundreds of thousands of rows."""

    def get_db_converters(self, connection):
        return self.output_field.get_db_converters(connection)


def _local_day(field: str):
    return _LocalDay(field, tzinfo=LONDON)


def _place(idea: str = ""):
    """An idea's place key: its ward's id, or minus its site's id when it names only a site
    (ids are positive, so the two never meet), or None when it names neither. `idea` is
    the path to the idea from the rows read ("idea__" for supports, comments, events)."""
    site = ExpressionWrapper(F(f"{idea}site_id") * -1, output_field=BigIntegerField())
    return Coalesce(F(f"{idea}ward_id"), site, output_field=BigIntegerField())


def _rows(queryset, field: str, idea: str, **aggregates):
    """(place, London day, aggregates) for every place and day, from one GROUP BY."""
    return (
        queryset.annotate(rollup_day=_local_day(field))
        .values("rollup_day", rollup_place=_place(idea))
        .annotate(**aggregates)
        .order_by()
    )


# The figures that add up from ward to site to organisation, as counted from rows.
SUMMED = [*ADDITIVE[:-1], *STAFF_FIELDS.values()]
SLOT = {field: n for n, field in enumerate(SUMMED)}
FACT_FIELDS = [
    "organisation_id",
    "day",
    "level",
    "scope_key",
    "site_id",
    "ward_id",
    *SUMMED,
    "active_members",
    "contributors",
    "contributors_30d",
    "response_hours_median",
]


def _keys_of(wards: dict[int, int]) -> defaultdict:
    """The scopes a place's figures count towards (see `_place`): a ward's count towards
    (organisation, site, ward); a site's (minus its id) towards (organisation, site) and no
    ward. An idea with no place, or a place without rows (a site with no wards), counts
    for the organisation only: (organisation,)."""
    keys = {w: (ORGANISATION_SCOPE, f"site:{site}", f"ward:{w}") for w, site in wards.items()}
    keys |= {-site: (ORGANISATION_SCOPE, f"site:{site}") for site in set(wards.values())}
    return defaultdict(lambda: (ORGANISATION_SCOPE,), keys)


class _Totals:
    """Summed figures keyed by (scope, day), one slot per field of SUMMED."""

    def __init__(self, keys_of: defaultdict):
        self.keys_of = keys_of
        self.values: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0] * len(SUMMED))

    def add(self, place, day, figures: dict):
        """Add one (place, day) row's figures to the ward, its site and the organisation."""
        slots = [(SLOT[field], value) for field, value in figures.items() if value]
        for key in self.keys_of[place]:
            values = self.values[(key, day)]
            for slot, value in slots:
                values[slot] += value


def _window_by_day(organisation, first: date, last: date, keys_of) -> dict:
    """Distinct people over the 30 days ending on each day, from each day's distinct
    (place, person) pairs: one query a day. Cheaper than the sweep for the day or two of
    the 15-minute and nightly runs; the pairs are bounded by the organisation's staff."""
    window = {}
    day = first
    while day <= last:
        since, _ = day_bounds(day - timedelta(days=WINDOW_DAYS - 1))
        _, until = day_bounds(day)
        pairs = (
            Idea.objects.filter(
                organisation=organisation, created_at__gte=since, created_at__lt=until
            )
            .annotate(place=_place())
            .values_list("place", "author_id", "submitter_token")
            .distinct()
            .order_by()
        )
        people = defaultdict(set)
        for place, author_id, token in pairs:
            for key in keys_of[place]:
                people[key].add((author_id, token))
        for key, who in people.items():
            window[(key, day)] = len(who)
        day += timedelta(days=1)
    return window


def _people(organisation, first: date, last: date, keys_of) -> tuple[dict, dict, dict]:
    """Distinct contributors per scope and day and over the trailing 30 days, and ideas per
    (place, day, staff group).

    The ideas are read person by person, in day order, so that only one person's days are
    held at a time: memory grows with scopes and days, not with ideas. Someone who shared
    on day x counts in the 30-day figure from day x to x + 29; each of their days extends
    that span from where the previous one stopped (+1 on the day it starts, -1 on the day
    after it ends), and a running total of those steps gives every day's figure.
    """
    short = (last - first).days < SHORT_RANGE_DAYS
    since = first if short else first - timedelta(days=WINDOW_DAYS - 1)
    _, end = day_bounds(last)
    ideas = Idea.objects.filter(
        organisation=organisation, created_at__gte=day_bounds(since)[0], created_at__lt=end
    )
    # The staff groups of the people who shared; an anonymous idea records none.
    professions = dict(
        Membership.objects.filter(organisation=organisation, user__in=ideas.values("author_id"))
        .exclude(profession="")
        .order_by()
        .values_list("user_id", "profession")
    )
    rows = (
        ideas.annotate(rollup_day=_local_day("created_at"), place=_place())
        .values_list("author_id", "submitter_token", "rollup_day", "place")
        .annotate(n=Count("pk"))
        .order_by("author_id", "submitter_token", "rollup_day")
    )
    # Days as ordinals (plain integers): this loop runs once per person-day-place.
    contributors, steps = defaultdict(int), defaultdict(int)
    staff = defaultdict(int)
    first_n = first.toordinal()
    person = person_day = None
    for author_id, token, day, place, n in rows.iterator(chunk_size=5000):
        # One person: the author of a named idea, the token of an anonymous one.
        if (author_id, token) != person:
            person, person_day, covered = (author_id, token), None, {}
            group = STAFF_FIELDS.get(professions.get(author_id, ""), STAFF_FIELDS["other"])
        d = day.toordinal()
        if d != person_day:
            person_day, counted = d, set()
        keys = keys_of[place]
        for key in keys:
            if key in counted:
                continue  # another ward of the same site, or of the organisation
            counted.add(key)
            if not short:
                start = max(d, covered.get(key, d - 1) + 1)
                covered[key] = d + WINDOW_DAYS - 1
                steps[(key, start)] += 1
                steps[(key, d + WINDOW_DAYS)] -= 1
            if d >= first_n:
                contributors[(key, day)] += 1
        if d >= first_n:
            staff[(place, day, group)] += n
    if short:
        window = _window_by_day(organisation, first, last, keys_of)
    else:
        window = {}
        for key in {key for key, _ in steps}:
            running = 0
            for d in range(since.toordinal(), last.toordinal() + 1):
                running += steps.get((key, d), 0)
                if d >= first_n:
                    window[(key, date.fromordinal(d))] = running
    return contributors, window, staff


def compute_range(organisation: Organisation, first: date, last: date) -> list[tuple]:
    """Work out the facts of every day from `first` to `last` (not saved): a pure read.
    Returns rows in the order of FACT_FIELDS."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    target = timedelta(days=organisation.response_target_days)
    org = {"organisation": organisation}
    wards = dict(Ward.objects.filter(**org).values_list("pk", "site_id"))
    keys_of = _keys_of(wards)
    totals = _Totals(keys_of)

    ideas = Idea.objects.filter(**org, created_at__gte=start, created_at__lt=end)
    kinds = {f"ideas_{k}": Count("pk", filter=Q(kind=k)) for k in Kind.values}
    for row in _rows(ideas, "created_at", "", ideas=Count("pk"), **kinds):
        totals.add(row["rollup_place"], row["rollup_day"], {f: row[f] for f in ["ideas", *kinds]})

    for model, field in ((Support, "supports"), (Comment, "comments")):
        rows = model.objects.filter(**org, created_at__gte=start, created_at__lt=end)
        for row in _rows(rows, "created_at", "idea__", n=Count("pk")):
            totals.add(row["rollup_place"], row["rollup_day"], {field: row["n"]})

    events = IdeaEvent.objects.filter(
        **org, type=IdeaEvent.Type.STATUS, created_at__gte=start, created_at__lt=end
    )
    funnel = {f: Count("pk", filter=Q(to_status=s)) for s, f in FUNNEL.items()}
    for row in _rows(events, "created_at", "idea__", **funnel):
        totals.add(row["rollup_place"], row["rollup_day"], {f: row[f] for f in funnel})

    # Time to first response: the median needs the waits themselves, read a day at a time.
    medians = {}
    answered = (
        Idea.objects.filter(**org, first_response_at__gte=start, first_response_at__lt=end)
        .annotate(
            rollup_day=_local_day("first_response_at"),
            place=_place(),
            wait=ExpressionWrapper(
                F("first_response_at") - F("created_at"), output_field=DurationField()
            ),
        )
        .values_list("rollup_day", "place", "wait")
        .order_by("rollup_day")
    )
    for day, day_rows in groupby(answered.iterator(chunk_size=5000), key=itemgetter(0)):
        waits, answers = defaultdict(list), defaultdict(lambda: [0, 0])
        for _, place, wait in day_rows:
            answers[place][0] += 1
            answers[place][1] += wait <= target
            for key in keys_of[place]:
                waits[key].append(wait.total_seconds() / 3600)
        for place, (responded, in_target) in answers.items():
            totals.add(place, day, {"responded": responded, "responded_within_target": in_target})
        for key, hours in waits.items():
            medians[(key, day)] = round(median(hours), 2)

    pulses = (
        PulseCheckIn.objects.filter(**org, day__gte=first, day__lte=last)
        .values("day", "ward_id")
        .annotate(n=Count("pk"), total=Sum("score"))
        .order_by()
    )
    for row in pulses:
        totals.add(row["ward_id"], row["day"], {"pulse_count": row["n"], "pulse_sum": row["total"]})

    # Active members now: the roll-up cannot know who was a member on a past day.
    active = Counter()
    members = (
        Membership.objects.filter(**org, is_active=True)
        .values("home_ward_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("home_ward_id", "n")
    )
    for ward_id, n in members:
        for key in keys_of[ward_id]:
            active[key] += n

    contributors, window, staff = _people(organisation, first, last, keys_of)
    for (place, day, group), n in staff.items():
        totals.add(place, day, {group: n})

    scopes = [(ORGANISATION_SCOPE, "organisation", None, None)]
    scopes += [(f"site:{s}", "site", s, None) for s in sorted(set(wards.values()))]
    scopes += [(f"ward:{w}", "ward", None, w) for w in sorted(wards)]
    nothing = [0] * len(SUMMED)
    facts = []
    day = first
    while day <= last:
        for key, level, site_id, ward_id in scopes:
            figures = totals.values.get((key, day), nothing)
            facts.append(
                (
                    organisation.pk,
                    day,
                    level,
                    key,
                    site_id,
                    ward_id,
                    *figures,
                    active[key],
                    contributors.get((key, day), 0),
                    window.get((key, day), 0),
                    medians.get((key, day)),
                )
            )
        day += timedelta(days=1)
    return facts


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Write rows given in the order of `fields`. On PostgreSQL by COPY, several times
    faster than INSERT for the hundreds of thousands of rows of a backfill."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000
        )
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field) for field in fields)
    # PostgreSQL refuses COPY FROM into a table under row-level security, so the rows
    # are copied into a private temporary table and inserted from there, where the
    # organisation's policy checks them (improvewell/rls.py).
    # Names come from the model, never from input.
    create = f"CREATE TEMPORARY TABLE rollup_rows AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
    insert = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM rollup_rows"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(create)
        with cursor.cursor.copy(f"COPY rollup_rows ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(insert)
        cursor.execute("DROP TABLE rollup_rows")


def rollup_range(organisation: Organisation, first: date, last: date) -> int:
    """Compute and store the days from `first` to `last`, a quarter (CHUNK_DAYS) at a time.

    Raises RollupBusy if any of those days is being rolled up already.
    """
    written = 0
    chunk_start = first
    while chunk_start <= last:
        chunk_end = min(last, chunk_start + timedelta(days=CHUNK_DAYS - 1))
        written += _rollup_chunk(organisation, chunk_start, chunk_end)
        chunk_start = chunk_end + timedelta(days=1)
    return written


def _rollup_chunk(organisation: Organisation, first: date, last: date) -> int:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    # The lock rows: one per organisation-day, made once and kept.
    RollupRun.objects.bulk_create(
        [RollupRun(organisation=organisation, day=d) for d in days], ignore_conflicts=True
    )
    with transaction.atomic():
        try:
            runs = list(
                RollupRun.objects.select_for_update(nowait=True, of=("self",)).filter(
                    organisation=organisation, day__in=days
                )
            )
        except DatabaseError as exc:
            raise RollupBusy(f"{organisation.slug} {first}..{last} is being rolled up") from exc
        if connection.vendor == "postgresql":
            # The roll-up reads its ideas in chunks through server-side cursors, which
            # PostgreSQL plans for their first 10% of rows by default: a walk of a whole
            # index, twenty times slower here than reading the day range and sorting it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        facts = compute_range(organisation, first, last)
        in_range = {"organisation": organisation, "day__gte": first, "day__lte": last}
        DailyFact.objects.filter(**in_range).delete()
        _insert(DailyFact, FACT_FIELDS, facts)
        RollupRun.objects.filter(pk__in=[r.pk for r in runs]).update(finished_at=timezone.now())
    return len(facts)


def rollup_day(organisation: Organisation, day: date) -> int:
    """Compute and store one organisation-day (the 15-minute refresh and the nightly run)."""
    return rollup_range(organisation, day, day)
