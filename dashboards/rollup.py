"""The daily roll-up: engagement figures per ward, site and organisation.

Aggregation happens in SQL (GROUP BY ward); site and organisation rows add up the
ward rows, except distinct people, which are counted again at each level. One
organisation-day is written in one transaction, under a row lock, by deleting the
day's rows and inserting fresh ones: running a day twice gives identical rows, two
runs never overlap, and a run killed half-way leaves the previous rows in place.
Memory is bounded by the number of wards, not by the number of ideas.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from django.db import DatabaseError, transaction
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from ideas.models import Comment, Idea, IdeaEvent, Kind, PulseCheckIn, Status, Support
from organisations.models import Membership, Organisation, Ward

from .models import ORGANISATION_SCOPE, DailyFact, DailyProfessionFact, RollupRun

LONDON = ZoneInfo("Europe/London")
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


def _by_ward(queryset, ward_field: str, **aggregates) -> dict:
    rows = queryset.values(rollup_ward=F(ward_field)).annotate(**aggregates).order_by()
    return {row.pop("rollup_ward"): row for row in rows}


def _distinct_people(ideas, ward_sites: dict) -> dict[str, int]:
    """Distinct contributors at every level, counted in SQL."""
    counts = {ORGANISATION_SCOPE: ideas.aggregate(n=Count(PERSON, distinct=True))["n"]}
    for row in ideas.values("ward_id").annotate(n=Count(PERSON, distinct=True)).order_by():
        if row["ward_id"] is not None:
            counts[f"ward:{row['ward_id']}"] = row["n"]
    for row in ideas.values("ward__site_id").annotate(n=Count(PERSON, distinct=True)).order_by():
        if row["ward__site_id"] is not None:
            counts[f"site:{row['ward__site_id']}"] = row["n"]
    return counts


def compute_day(
    organisation: Organisation, day: date
) -> tuple[list[DailyFact], list[DailyProfessionFact]]:
    """Work out one day's facts (not saved). A pure read of the organisation's data."""
    start, end = day_bounds(day)
    target = timedelta(days=organisation.response_target_days)
    org = {"organisation": organisation}
    wards = dict(Ward.objects.filter(**org).values_list("pk", "site_id"))
    totals: dict[str, dict] = defaultdict(lambda: defaultdict(float))

    def add(ward_id, field, value):
        if not value:
            return
        keys = [ORGANISATION_SCOPE]
        if ward_id is not None and ward_id in wards:
            keys += [f"ward:{ward_id}", f"site:{wards[ward_id]}"]
        for key in keys:
            totals[key][field] += value

    ideas_today = Idea.objects.filter(**org, created_at__gte=start, created_at__lt=end)
    kinds = {f"ideas_{k}": Count("pk", filter=Q(kind=k)) for k in Kind.values}
    for ward_id, row in _by_ward(ideas_today, "ward_id", ideas=Count("pk"), **kinds).items():
        for field, value in row.items():
            add(ward_id, field, value)

    supports = Support.objects.filter(**org, created_at__gte=start, created_at__lt=end)
    for ward_id, row in _by_ward(supports, "idea__ward_id", n=Count("pk")).items():
        add(ward_id, "supports", row["n"])
    comments = Comment.objects.filter(**org, created_at__gte=start, created_at__lt=end)
    for ward_id, row in _by_ward(comments, "idea__ward_id", n=Count("pk")).items():
        add(ward_id, "comments", row["n"])

    events = IdeaEvent.objects.filter(
        **org, type=IdeaEvent.Type.STATUS, created_at__gte=start, created_at__lt=end
    )
    funnel = {f: Count("pk", filter=Q(to_status=s)) for s, f in FUNNEL.items()}
    for ward_id, row in _by_ward(events, "idea__ward_id", **funnel).items():
        for field, value in row.items():
            add(ward_id, field, value)

    # Time to first response: one row per idea answered today, a bounded set.
    waits = defaultdict(list)
    answered = Idea.objects.filter(**org, first_response_at__gte=start, first_response_at__lt=end)
    for ward_id, created, first in answered.values_list(
        "ward_id", "created_at", "first_response_at"
    ):
        wait = first - created
        add(ward_id, "responded", 1)
        add(ward_id, "responded_within_target", int(wait <= target))
        hours = wait.total_seconds() / 3600
        waits[ORGANISATION_SCOPE].append(hours)
        if ward_id in wards:
            waits[f"ward:{ward_id}"].append(hours)
            waits[f"site:{wards[ward_id]}"].append(hours)

    pulses = PulseCheckIn.objects.filter(**org, day=day)
    for ward_id, row in _by_ward(pulses, "ward_id", n=Count("pk"), total=Sum("score")).items():
        add(ward_id, "pulse_count", row["n"])
        add(ward_id, "pulse_sum", row["total"])

    members = Membership.objects.filter(**org, is_active=True)
    for ward_id, row in _by_ward(members, "home_ward_id", n=Count("pk")).items():
        add(ward_id, "active_members", row["n"])

    contributors = _distinct_people(ideas_today, wards)
    window = Idea.objects.filter(
        **org, created_at__gte=start - timedelta(days=29), created_at__lt=end
    )
    contributors_30d = _distinct_people(window, wards)

    facts = []
    scopes = [ORGANISATION_SCOPE] + [f"site:{s}" for s in sorted(set(wards.values()))]
    scopes += [f"ward:{w}" for w in sorted(wards)]
    for key in scopes:
        level, _, pk = key.partition(":")
        figures = totals.get(key, {})
        facts.append(
            DailyFact(
                organisation=organisation,
                day=day,
                level=level,
                scope_key=key,
                site_id=int(pk) if level == "site" else None,
                ward_id=int(pk) if level == "ward" else None,
                contributors=contributors.get(key, 0),
                contributors_30d=contributors_30d.get(key, 0),
                response_hours_median=round(median(waits[key]), 2) if waits.get(key) else None,
                **{field: int(figures.get(field, 0)) for field in ADDITIVE},
            )
        )

    professions = (
        ideas_today.annotate(
            profession=Coalesce(
                # Anonymous ideas have no author, so no staff group: "not stated".
                Cast("author__memberships__profession", CharField()),
                Value(""),
            )
        )
        .filter(Q(author__isnull=True) | Q(author__memberships__organisation=organisation))
        .values("profession")
        .annotate(ideas=Count("pk", distinct=True), contributors=Count(PERSON, distinct=True))
        .order_by()
    )
    profession_facts = [
        DailyProfessionFact(
            organisation=organisation,
            day=day,
            scope_key=ORGANISATION_SCOPE,
            profession=row["profession"],
            ideas=row["ideas"],
            contributors=row["contributors"],
        )
        for row in professions
    ]
    return facts, profession_facts


def rollup_day(organisation: Organisation, day: date) -> int:
    """Compute and store one organisation-day. Raises RollupBusy if it is already running."""
    with transaction.atomic():
        RollupRun.objects.get_or_create(organisation=organisation, day=day)
    with transaction.atomic():
        try:
            run = (
                RollupRun.objects.select_for_update(nowait=True, of=("self",))
                .filter(organisation=organisation, day=day)
                .get()
            )
        except DatabaseError as exc:
            raise RollupBusy(f"{organisation.slug} {day} is being rolled up already") from exc
        facts, profession_facts = compute_day(organisation, day)
        DailyFact.objects.filter(organisation=organisation, day=day).delete()
        DailyProfessionFact.objects.filter(organisation=organisation, day=day).delete()
        DailyFact.objects.bulk_create(facts)
        DailyProfessionFact.objects.bulk_create(profession_facts)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    return len(facts)
