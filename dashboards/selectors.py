"""Reads for the dashboards. They touch only the fact tables (and, for the 'waiting
longest' list, an indexed slice of open ideas), so their cost does not grow with
the number of ideas."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ideas.models import Idea
from ideas.selectors import awaiting_reply, on_site
from organisations.models import Profession, Site, Ward

from .answers import overdue_by_ward, overdue_unanswered
from .models import EVENT_COUNTS, ORGANISATION_SCOPE, PEOPLE_NOW, STAFF_FIELDS, DailyFact
from .pulse import LatestPulse, listed_months, monthly_figures
from .suppression import suppressed_keys, suppressed_table_cells, too_few
from .tables import fewer_than


@dataclass
class Figures:
    """A scope's figures over a date range, ready to show (None where suppressed). Pulse
    figures are not summed over a range: dashboards.pulse publishes them by month."""

    ideas: int
    implemented: int
    responded: int
    overdue: int  # ideas still waiting past the target that fell in the period
    answered_within_target: float | None
    participation: float | None
    contributors_30d: int | None
    active_members: int
    totals: dict


def _ratio(part, whole):
    return round(100 * part / whole, 1) if whole else None


def figures(organisation, scope_key: str, start: date, end: date, *, overdue: int = 0) -> Figures:
    """The figures over start..end. Answered within target is over every idea due an
    answer: those answered, and the `overdue` still waiting past the target
    (dashboards.answers)."""
    rows = DailyFact.objects.filter(
        organisation=organisation, scope_key=scope_key, day__gte=start, day__lte=end
    )
    totals = rows.aggregate(**{f: Sum(f) for f in EVENT_COUNTS})
    totals = {k: v or 0 for k, v in totals.items()}
    last = rows.order_by("-day").values(*PEOPLE_NOW).first() or dict.fromkeys(PEOPLE_NOW, 0)
    few_people = too_few(last["contributors_30d"], organisation.suppression_threshold)
    return Figures(
        ideas=totals["ideas"],
        implemented=totals["implemented"],
        responded=totals["responded"],
        overdue=overdue,
        answered_within_target=_ratio(
            totals["responded_within_target"], totals["responded"] + overdue
        ),
        participation=None
        if few_people
        else _ratio(last["contributors_30d"], last["active_members"]),
        contributors_30d=None if few_people else last["contributors_30d"],
        active_members=last["active_members"],
        totals=totals,
    )


def previous_period(start: date, end: date) -> tuple[date, date]:
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def tiles(organisation, scope_key: str, start: date, end: date, latest_pulse: LatestPulse):
    """A scope's tiles: its figures over the range and the period before (with why a
    previous figure is not shown), and its pulse in the range's latest published month and
    the month before (dashboards.pulse)."""
    before_range = previous_period(start, end)
    overdue = overdue_unanswered(
        organisation, scope_key, {"now": (start, end), "before": before_range}
    )
    now = figures(organisation, scope_key, start, end, overdue=overdue["now"])
    before = figures(organisation, scope_key, *before_range, overdue=overdue["before"])
    return {
        "now": now,
        "before": before,
        "reasons": previous_reasons(organisation, before, before_range),
        "pulse_month": latest_pulse.month,
        "pulse_now": latest_pulse.now(scope_key),
        "pulse_before": latest_pulse.previous(scope_key),
    }


def previous_reasons(organisation, before: Figures, period: tuple[date, date]) -> dict:
    """Why each previous-period figure is "not shown", in words (None where it is shown)."""
    joined = timezone.localdate(organisation.created_at)
    if period[1] < joined:
        why = f"the previous period is before {organisation.name} joined on {joined:%-d %B %Y}"
        return dict.fromkeys(("ideas", "participation", "answered", "implemented"), why)
    threshold = organisation.suppression_threshold
    if before.contributors_30d is None:
        participation = f"{fewer_than(threshold, 'people')} took part in the previous period"
    elif before.participation is None:
        participation = "no figures for the previous period"
    else:
        participation = None
    answered = None
    if before.answered_within_target is None:
        answered = "no ideas were due an answer in the previous period"
    return {
        "ideas": None,
        "participation": participation,
        "answered": answered,
        "implemented": None,
    }


LEAGUE_SORTS = {
    "ward": lambda row: row["name"].lower(),
    "ideas": lambda row: -row["ideas"],
    "participation": lambda row: -(row["participation"] or -1),
    "answered": lambda row: -(row["answered"] if row["answered"] is not None else -1),
    "implemented": lambda row: -row["implemented"],
    "pulse": lambda row: -(row["pulse"].mean or -1 if row["pulse"] else -1),
}


def ward_league(
    organisation, start: date, end: date, *, pulse: LatestPulse, site=None, sort="ideas"
) -> list[dict]:
    """Every ward's figures over the range, with small numbers suppressed (two queries), and
    its pulse in the range's latest published month (`pulse`, from dashboards.pulse)."""
    wards = Ward.objects.filter(organisation=organisation).select_related("site")
    if site is not None:
        wards = wards.filter(site=site)
    wards = {w.pk: w for w in wards}
    facts = DailyFact.objects.filter(
        organisation=organisation, level=DailyFact.Level.WARD, day__gte=start, day__lte=end
    )
    sums = {
        row["ward_id"]: row
        for row in facts.values("ward_id").annotate(**{f: Sum(f) for f in EVENT_COUNTS}).order_by()
    }
    last_day = facts.order_by("-day").values_list("day", flat=True).first()
    latest = {
        row["ward_id"]: row for row in facts.filter(day=last_day).values("ward_id", *PEOPLE_NOW)
    }
    overdue = overdue_by_ward(organisation, start, end)
    threshold = organisation.suppression_threshold
    people = {pk: latest.get(pk, {}).get("contributors_30d", 0) for pk in wards}
    hidden_people = suppressed_keys(people, threshold)
    rows = []
    for pk, ward in wards.items():
        total = sums.get(pk) or {}
        members = latest.get(pk, {}).get("active_members", 0)
        rows.append(
            {
                "ward": ward,
                "name": ward.name,
                "site": ward.site.name,
                "ideas": total.get("ideas") or 0,
                "implemented": total.get("implemented") or 0,
                "answered": _ratio(
                    total.get("responded_within_target") or 0,
                    (total.get("responded") or 0) + overdue.get(pk, 0),
                ),
                "contributors_30d": None if pk in hidden_people else people[pk],
                "active_members": members,
                "participation": None if pk in hidden_people else _ratio(people[pk], members),
                "pulse": pulse.now(f"ward:{pk}"),
            }
        )
    return sorted(rows, key=LEAGUE_SORTS.get(sort, LEAGUE_SORTS["ideas"]))


STAFF_GROUP_LABELS = {**dict(Profession.choices), "": "Not stated (shared anonymously)"}
NO_WARD = None


def _staff_sums() -> dict:
    return {field: Sum(field) for field in STAFF_FIELDS.values()}


def who_takes_part(organisation, start: date, end: date) -> list[dict]:
    """Ideas by staff group over the range, small numbers suppressed (one query)."""
    sums = DailyFact.objects.filter(
        organisation=organisation, scope_key=ORGANISATION_SCOPE, day__gte=start, day__lte=end
    ).aggregate(**_staff_sums())
    counts = {group: sums[field] or 0 for group, field in STAFF_FIELDS.items()}
    hidden = suppressed_keys(counts, organisation.suppression_threshold)
    total = sum(counts.values())
    return [
        {
            "profession": key,
            "label": STAFF_GROUP_LABELS[key],
            "ideas": None if key in hidden else value,
            "share": None if key in hidden else _ratio(value, total),
        }
        for key, value in counts.items()
    ]


def who_takes_part_by_month(organisation, start: date, end: date) -> dict:
    """Ideas by staff group per month: rows of staff groups, columns of months (one query).

    Each month is suppressed on its own, with its complement, like any breakdown.
    """
    rows = (
        DailyFact.objects.filter(
            organisation=organisation, scope_key=ORGANISATION_SCOPE, day__gte=start, day__lte=end
        )
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(**_staff_sums())
        .order_by("month")
    )
    months = {
        row["month"]: {group: row[field] or 0 for group, field in STAFF_FIELDS.items()}
        for row in rows
    }
    threshold = organisation.suppression_threshold
    hidden = {month: suppressed_keys(counts, threshold) for month, counts in months.items()}
    ordered = sorted(months)
    return {
        "months": ordered,
        "rows": [
            {
                "label": STAFF_GROUP_LABELS[key],
                "cells": [None if key in hidden[m] else months[m][key] for m in ordered],
            }
            for key in STAFF_FIELDS
        ],
    }


def staff_groups_by_ward(organisation, start: date, end: date, *, site=None) -> dict:
    """Ideas by ward and staff group over the range (three queries).

    The whole organisation's table is suppressed as one, with the ideas of no ward as a row
    of their own, so that the ward totals and the staff-group totals shown elsewhere
    cannot give a hidden cell back; then the rows asked for (a site's wards) are kept.
    """
    wards = list(
        Ward.objects.filter(organisation=organisation).select_related("site").order_by("name")
    )
    facts = DailyFact.objects.filter(organisation=organisation, day__gte=start, day__lte=end)
    table = {(w.pk, group): 0 for w in wards for group in STAFF_FIELDS}
    ward_rows = facts.filter(level=DailyFact.Level.WARD).values("ward_id").annotate(**_staff_sums())
    for row in ward_rows.order_by():
        for group, field in STAFF_FIELDS.items():
            if (row["ward_id"], group) in table:
                table[(row["ward_id"], group)] = row[field] or 0
    everywhere = facts.filter(scope_key=ORGANISATION_SCOPE).aggregate(**_staff_sums())
    for group, field in STAFF_FIELDS.items():
        in_wards = sum(table[(w.pk, group)] for w in wards)
        table[(NO_WARD, group)] = max(0, (everywhere[field] or 0) - in_wards)
    hidden = suppressed_table_cells(table, organisation.suppression_threshold)
    shown = [w for w in wards if site is None or w.site_id == site.pk]
    return {
        "groups": [(group, STAFF_GROUP_LABELS[group]) for group in STAFF_FIELDS],
        "rows": [
            {
                "ward": ward,
                "cells": [
                    None if (ward.pk, group) in hidden else table[(ward.pk, group)]
                    for group in STAFF_FIELDS
                ],
            }
            for ward in shown
        ],
    }


# The events a week adds up; people (PEOPLE_NOW) are those of the week's last day.
def ward_staff_groups(organisation, ward, start: date, end: date) -> list[tuple]:
    """A ward's ideas by staff group, as (label, ideas) pairs: its row of the table of its
    site's wards, suppressed with the whole organisation's (staff_groups_by_ward)."""
    matrix = staff_groups_by_ward(organisation, start, end, site=ward.site)
    cells = next(row["cells"] for row in matrix["rows"] if row["ward"].pk == ward.pk)
    return [(label, cell) for (_, label), cell in zip(matrix["groups"], cells, strict=True)]


def pulse_by_month(organisation, start: date, end: date) -> list[dict]:
    """Every month the range lists, for the organisation, each site and each ward: the
    same figures, suppressed the same way, as the pages (four queries)."""
    by_month = monthly_figures(organisation, listed_months(organisation, start, end))
    scopes = [(ORGANISATION_SCOPE, "Organisation", organisation.name, "")]
    for site in Site.objects.filter(organisation=organisation).order_by("name"):
        scopes.append((f"site:{site.pk}", "Site", site.name, ""))
    for ward in Ward.objects.filter(organisation=organisation).select_related("site"):
        scopes.append((f"ward:{ward.pk}", "Ward", ward.site.name, ward.name))
    return [
        {"month": month, "level": level, "place": place, "ward": ward, "pulse": figures[key]}
        for month, figures in by_month.items()
        for key, level, place, ward in scopes
        if key in figures
    ]


WEEKLY_COUNTS = ["ideas", "implemented", "responded", "responded_within_target"]


def weekly_kpis(organisation, scope_key: str, start: date, end: date) -> dict[str, list]:
    """Each KPI per week (Monday to Sunday) for the SPC view, from one query.

    Weeks with too few people to show, or none, are left out, not shown as zero. Pulse is
    not here: it is published by calendar month only (dashboards.pulse).
    """
    rows = (
        DailyFact.objects.filter(
            organisation=organisation, scope_key=scope_key, day__gte=start, day__lte=end
        )
        .order_by("day")
        .values("day", *WEEKLY_COUNTS, *PEOPLE_NOW)
    )
    weeks: dict[date, dict] = {}
    for row in rows:
        week = weeks.setdefault(row["day"] - timedelta(days=row["day"].weekday()), {})
        for field in WEEKLY_COUNTS:
            week[field] = week.get(field, 0) + (row[field] or 0)
        # People over the trailing 30 days: the week's last day stands for the week.
        week.update({field: row[field] for field in PEOPLE_NOW})
    threshold = organisation.suppression_threshold
    series = {"ideas": [], "implemented": [], "answered": [], "participation": [], "answers": []}
    for monday, week in sorted(weeks.items()):
        series["ideas"].append((monday, week["ideas"]))
        series["implemented"].append((monday, week["implemented"]))
        # Every week with figures: (Monday, answers within target, answers).
        series["answers"].append((monday, week["responded_within_target"], week["responded"]))
        if week["responded"]:
            series["answered"].append(
                (monday, _ratio(week["responded_within_target"], week["responded"]))
            )
        people = week["contributors_30d"]
        if people and not too_few(people, threshold) and week["active_members"]:
            series["participation"].append((monday, _ratio(people, week["active_members"])))
    return series


def waiting_longest(organisation, *, ward=None, site=None, limit=10):
    ideas = Idea.objects.filter(awaiting_reply(), organisation=organisation).select_related(
        "ward", "site", "category"
    )
    if ward is not None:
        ideas = ideas.filter(ward=ward)
    if site is not None:
        ideas = ideas.filter(on_site(site))
    return list(ideas.order_by("created_at")[:limit])


def sites_of(organisation):
    return Site.objects.filter(organisation=organisation)
