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

Days and places are worked out in dashboards.places, distinct people in
dashboards.contributors.
"""

from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import groupby
from operator import itemgetter
from statistics import median

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from ideas.models import Comment, Idea, IdeaEvent, Kind, PulseCheckIn, Status, Support
from ideas.selectors import response_target
from organisations.models import Membership, Organisation, Ward

from .contributors import SHORT_RANGE_DAYS, count_people
from .models import EVENT_COUNTS, ORGANISATION_SCOPE, PULSE_COUNTS, DailyFact, RollupRun
from .places import SUMMED, Totals, by_place_and_day, day_bounds, local_day, place, scopes_of

# What tests, bench/ and the tasks import from here.
__all__ = [
    "ADDITIVE",
    "FACT_FIELDS",
    "SHORT_RANGE_DAYS",
    "RollupBusy",
    "compute_range",
    "day_bounds",
    "rollup_day",
    "rollup_range",
]

CHUNK_DAYS = 92
# The figures that add up from ward to site to organisation (bench/ sums them so).
ADDITIVE = [*EVENT_COUNTS, *PULSE_COUNTS, "active_members"]
FUNNEL = {
    Status.UNDER_REVIEW: "reviewed",
    Status.IN_PROGRESS: "in_progress",
    Status.IMPLEMENTED: "implemented",
    Status.NOT_TAKEN_FORWARD: "not_taken_forward",
}
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


class RollupBusy(Exception):
    """Another roll-up of the same organisation and day is running."""


def _count_events(totals: Totals, organisation, start, end) -> None:
    """Ideas by kind, supports, comments and status changes, by place and London day."""
    org = {"organisation": organisation, "created_at__gte": start, "created_at__lt": end}
    kinds = {f"ideas_{k}": Count("pk", filter=Q(kind=k)) for k in Kind.values}
    ideas = by_place_and_day(
        Idea.objects.filter(**org), "created_at", "", ideas=Count("pk"), **kinds
    )
    for row in ideas:
        totals.add(row["rollup_place"], row["rollup_day"], {f: row[f] for f in ["ideas", *kinds]})

    for model, field in ((Support, "supports"), (Comment, "comments")):
        rows = by_place_and_day(model.objects.filter(**org), "created_at", "idea__", n=Count("pk"))
        for row in rows:
            totals.add(row["rollup_place"], row["rollup_day"], {field: row["n"]})

    events = IdeaEvent.objects.filter(**org, type=IdeaEvent.Type.STATUS)
    funnel = {f: Count("pk", filter=Q(to_status=s)) for s, f in FUNNEL.items()}
    for row in by_place_and_day(events, "created_at", "idea__", **funnel):
        totals.add(row["rollup_place"], row["rollup_day"], {f: row[f] for f in funnel})


def _responses(totals: Totals, organisation, start, end) -> dict:
    """Answers and answers within the target into `totals`; returns the median hours to a
    first response by (scope, day). The median needs the waits themselves, read a day at
    a time."""
    targets = {urgent: response_target(organisation, urgent=urgent) for urgent in (False, True)}
    medians = {}
    answered = (
        Idea.objects.filter(
            organisation=organisation, first_response_at__gte=start, first_response_at__lt=end
        )
        .annotate(
            rollup_day=local_day("first_response_at"),
            place=place(),
            wait=ExpressionWrapper(
                F("first_response_at") - F("created_at"), output_field=DurationField()
            ),
        )
        .values_list("rollup_day", "place", "wait", "is_urgent")
        .order_by("rollup_day")
    )
    for day, day_rows in groupby(answered.iterator(chunk_size=5000), key=itemgetter(0)):
        waits, answers = defaultdict(list), defaultdict(lambda: [0, 0])
        for _, place_key, wait, urgent in day_rows:
            answers[place_key][0] += 1
            answers[place_key][1] += wait <= targets[urgent]
            for key in totals.keys_of[place_key]:
                waits[key].append(wait.total_seconds() / 3600)
        for place_key, (responded, in_target) in answers.items():
            figures = {"responded": responded, "responded_within_target": in_target}
            totals.add(place_key, day, figures)
        for key, hours in waits.items():
            medians[(key, day)] = round(median(hours), 2)
    return medians


def _pulses(totals: Totals, organisation, first: date, last: date) -> None:
    pulses = (
        PulseCheckIn.objects.filter(organisation=organisation, day__gte=first, day__lte=last)
        .values("day", "ward_id")
        .annotate(n=Count("pk"), total=Sum("score"))
        .order_by()
    )
    for row in pulses:
        totals.add(row["ward_id"], row["day"], {"pulse_count": row["n"], "pulse_sum": row["total"]})


def _active_members(organisation, keys_of) -> Counter:
    """Active members now: the roll-up cannot know who was a member on a past day."""
    active = Counter()
    members = (
        Membership.objects.filter(organisation=organisation, is_active=True)
        .values("home_ward_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("home_ward_id", "n")
    )
    for ward_id, n in members:
        for key in keys_of[ward_id]:
            active[key] += n
    return active


def compute_range(organisation: Organisation, first: date, last: date) -> list[tuple]:
    """Work out the facts of every day from `first` to `last` (not saved): a pure read.
    Returns rows in the order of FACT_FIELDS."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    wards = dict(Ward.objects.filter(organisation=organisation).values_list("pk", "site_id"))
    keys_of = scopes_of(wards)
    totals = Totals(keys_of)
    _count_events(totals, organisation, start, end)
    medians = _responses(totals, organisation, start, end)
    _pulses(totals, organisation, first, last)
    active = _active_members(organisation, keys_of)
    contributors, window, staff = count_people(organisation, first, last, keys_of)
    for (place_key, day, group), n in staff.items():
        totals.add(place_key, day, {group: n})

    scopes = [(ORGANISATION_SCOPE, "organisation", None, None)]
    scopes += [(f"site:{s}", "site", s, None) for s in sorted(set(wards.values()))]
    scopes += [(f"ward:{w}", "ward", None, w) for w in sorted(wards)]
    nothing = [0] * len(SUMMED)
    facts = []
    day = first
    while day <= last:
        for key, level, site_id, ward_id in scopes:
            facts.append(
                (
                    organisation.pk,
                    day,
                    level,
                    key,
                    site_id,
                    ward_id,
                    *totals.values.get((key, day), nothing),
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
