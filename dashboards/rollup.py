"""The roll-up: engagement figures per ward, site and organisation per London day.

A range of days is computed in one pass per figure: SQL groups by (ward, London day),
site and organisation rows add up the ward rows, and distinct people are counted
again at each level. One organisation's days are written in one transaction, under
row locks, by deleting their rows and inserting fresh ones: running a day twice gives
identical rows, two runs of the same day never overlap, and a run killed half-way
leaves the previous rows in place. Memory grows with wards times days in the range, never
with the number of ideas; backfills go a month at a time.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from django.db import DatabaseError, transaction
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.utils import timezone

from ideas.models import Comment, Idea, IdeaEvent, Kind, PulseCheckIn, Status, Support
from organisations.models import Membership, Organisation, Ward

from .models import ORGANISATION_SCOPE, DailyFact, DailyProfessionFact, RollupRun

LONDON = ZoneInfo("Europe/London")
WINDOW_DAYS = 30
CHUNK_DAYS = 31
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


# One string per person: the author's id for a named idea, the token for an anonymous one.
PERSON = Concat(
    Coalesce(Cast("author_id", CharField()), Value("")), "submitter_token", output_field=CharField()
)


def _local_day(field: str):
    return TruncDate(field, tzinfo=LONDON)


def _rows(queryset, field: str, ward_field: str, **aggregates):
    """(ward, London day, aggregates) for every ward and day, from one GROUP BY."""
    return (
        queryset.annotate(rollup_day=_local_day(field))
        .values("rollup_day", rollup_ward=F(ward_field))
        .annotate(**aggregates)
        .order_by()
    )


class _Totals:
    """Figures keyed by (scope, day); a ward's figures count for its site and organisation too."""

    def __init__(self, wards: dict[int, int]):
        self.wards = wards
        self.values: dict[tuple[str, date], dict] = defaultdict(lambda: defaultdict(float))

    def scopes(self, ward_id) -> list[str]:
        keys = [ORGANISATION_SCOPE]
        if ward_id is not None and ward_id in self.wards:
            keys += [f"ward:{ward_id}", f"site:{self.wards[ward_id]}"]
        return keys

    def add(self, ward_id, day, field, value):
        if value:
            for key in self.scopes(ward_id):
                self.values[(key, day)][field] += value


def _distinct_people(ideas, first: date, last: date, wards) -> dict[tuple[str, date], int]:
    """Distinct contributors per scope per day, and over the trailing 30 days, counted
    from the distinct (day, ward, person) triples: one query for the whole range."""
    triples = (
        ideas.annotate(rollup_day=_local_day("created_at"), person=PERSON)
        .values_list("rollup_day", "ward_id", "person")
        .distinct()
        .order_by()
    )
    daily: dict[tuple[str, date], set] = defaultdict(set)
    for day, ward_id, person in triples.iterator(chunk_size=5000):
        keys = [ORGANISATION_SCOPE]
        if ward_id in wards:
            keys += [f"ward:{ward_id}", f"site:{wards[ward_id]}"]
        for key in keys:
            daily[(key, day)].add(person)
    counts, window = {}, {}
    for key in {key for key, _ in daily}:
        # A sliding window: how many of the last 30 days each person contributed on.
        present: Counter = Counter()
        for back in range(WINDOW_DAYS - 1, 0, -1):
            present.update(daily.get((key, first - timedelta(days=back)), ()))
        day = first
        while day <= last:
            today = daily.get((key, day), set())
            present.update(today)
            counts[(key, day)] = len(today)
            window[(key, day)] = len(present)
            for person in daily.get((key, day - timedelta(days=WINDOW_DAYS - 1)), ()):
                present[person] -= 1
                if not present[person]:
                    del present[person]
            day += timedelta(days=1)
    return counts, window


def compute_range(
    organisation: Organisation, first: date, last: date
) -> tuple[list[DailyFact], list[DailyProfessionFact]]:
    """Work out the facts of every day from `first` to `last` (not saved): a pure read."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    target = timedelta(days=organisation.response_target_days)
    org = {"organisation": organisation}
    wards = dict(Ward.objects.filter(**org).values_list("pk", "site_id"))
    totals = _Totals(wards)

    ideas = Idea.objects.filter(**org, created_at__gte=start, created_at__lt=end)
    kinds = {f"ideas_{k}": Count("pk", filter=Q(kind=k)) for k in Kind.values}
    for row in _rows(ideas, "created_at", "ward_id", ideas=Count("pk"), **kinds):
        for field in ["ideas", *kinds]:
            totals.add(row["rollup_ward"], row["rollup_day"], field, row[field])

    for model, field in ((Support, "supports"), (Comment, "comments")):
        rows = model.objects.filter(**org, created_at__gte=start, created_at__lt=end)
        for row in _rows(rows, "created_at", "idea__ward_id", n=Count("pk")):
            totals.add(row["rollup_ward"], row["rollup_day"], field, row["n"])

    events = IdeaEvent.objects.filter(
        **org, type=IdeaEvent.Type.STATUS, created_at__gte=start, created_at__lt=end
    )
    funnel = {f: Count("pk", filter=Q(to_status=s)) for s, f in FUNNEL.items()}
    for row in _rows(events, "created_at", "idea__ward_id", **funnel):
        for field in funnel:
            totals.add(row["rollup_ward"], row["rollup_day"], field, row[field])

    # Time to first response: the median needs the answers themselves (those of the range).
    waits = defaultdict(list)
    answered = Idea.objects.filter(**org, first_response_at__gte=start, first_response_at__lt=end)
    for ward_id, created, first_response in answered.values_list(
        "ward_id", "created_at", "first_response_at"
    ).iterator(chunk_size=5000):
        day = timezone.localtime(first_response, LONDON).date()
        wait = first_response - created
        totals.add(ward_id, day, "responded", 1)
        totals.add(ward_id, day, "responded_within_target", int(wait <= target))
        for key in totals.scopes(ward_id):
            waits[(key, day)].append(wait.total_seconds() / 3600)

    pulses = (
        PulseCheckIn.objects.filter(**org, day__gte=first, day__lte=last)
        .values("day", "ward_id")
        .annotate(n=Count("pk"), total=Sum("score"))
        .order_by()
    )
    for row in pulses:
        totals.add(row["ward_id"], row["day"], "pulse_count", row["n"])
        totals.add(row["ward_id"], row["day"], "pulse_sum", row["total"])

    # Active members now: the roll-up cannot know who was a member on a past day.
    members = dict(
        Membership.objects.filter(**org, is_active=True)
        .values("home_ward_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("home_ward_id", "n")
    )

    window_start, _ = day_bounds(first - timedelta(days=WINDOW_DAYS - 1))
    contributors, contributors_30d = _distinct_people(
        Idea.objects.filter(**org, created_at__gte=window_start, created_at__lt=end),
        first,
        last,
        wards,
    )

    scopes = [ORGANISATION_SCOPE] + [f"site:{s}" for s in sorted(set(wards.values()))]
    scopes += [f"ward:{w}" for w in sorted(wards)]
    active = defaultdict(int)
    for ward_id, n in members.items():
        for key in totals.scopes(ward_id):
            active[key] += n
    facts = []
    day = first
    while day <= last:
        for key in scopes:
            level, _, pk = key.partition(":")
            figures = totals.values.get((key, day), {})
            waited = waits.get((key, day))
            facts.append(
                DailyFact(
                    organisation=organisation,
                    day=day,
                    level=level,
                    scope_key=key,
                    site_id=int(pk) if level == "site" else None,
                    ward_id=int(pk) if level == "ward" else None,
                    contributors=contributors.get((key, day), 0),
                    contributors_30d=contributors_30d.get((key, day), 0),
                    response_hours_median=round(median(waited), 2) if waited else None,
                    **{field: int(figures.get(field, 0)) for field in ADDITIVE[:-1]},
                    active_members=active.get(key, 0),
                )
            )
        day += timedelta(days=1)

    professions = (
        ideas.annotate(
            rollup_day=_local_day("created_at"),
            profession=Coalesce(
                # Anonymous ideas have no author, so no staff group: "not stated".
                Cast("author__memberships__profession", CharField()),
                Value(""),
            ),
        )
        .filter(Q(author__isnull=True) | Q(author__memberships__organisation=organisation))
        .values("rollup_day", "profession")
        .annotate(ideas=Count("pk", distinct=True), contributors=Count(PERSON, distinct=True))
        .order_by()
    )
    profession_facts = [
        DailyProfessionFact(
            organisation=organisation,
            day=row["rollup_day"],
            scope_key=ORGANISATION_SCOPE,
            profession=row["profession"],
            ideas=row["ideas"],
            contributors=row["contributors"],
        )
        for row in professions
    ]
    return facts, profession_facts


def rollup_range(organisation: Organisation, first: date, last: date) -> int:
    """Compute and store the days from `first` to `last`, a month at a time.

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
    with transaction.atomic():
        existing = set(
            RollupRun.objects.filter(organisation=organisation, day__in=days).values_list(
                "day", flat=True
            )
        )
        RollupRun.objects.bulk_create(
            [RollupRun(organisation=organisation, day=d) for d in days if d not in existing],
            ignore_conflicts=True,
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
        facts, profession_facts = compute_range(organisation, first, last)
        in_range = {"organisation": organisation, "day__gte": first, "day__lte": last}
        DailyFact.objects.filter(**in_range).delete()
        DailyProfessionFact.objects.filter(**in_range).delete()
        DailyFact.objects.bulk_create(facts, batch_size=2000)
        DailyProfessionFact.objects.bulk_create(profession_facts, batch_size=2000)
        RollupRun.objects.filter(pk__in=[r.pk for r in runs]).update(finished_at=timezone.now())
    return len(facts)


def rollup_day(organisation: Organisation, day: date) -> int:
    """Compute and store one organisation-day (the 15-minute refresh and the nightly run)."""
    return rollup_range(organisation, day, day)
