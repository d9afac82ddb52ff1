"""Pulse figures ("How was your shift?"): the one place that decides what is published.

Suppressing a sum over whatever dates a reader picks protects nobody: two ranges a day
apart differ by one day's check-ins, and n = 11 then 12 with their means gives the new
score away. So pulse counts and means are published only for fixed periods that never
overlap, and every page, export, chart and email that shows pulse reads them here:

- the period is the calendar month; a month is published once it is over and every one
  of its days has been rolled up after that day ended, so that its figures never change
  again (the month in progress is not shown: shown while it fills up, it would differ from
  itself a day later by that day's check-ins);
- each month is suppressed on its own, wards, sites and the organisation together
  (suppression.suppressed_hierarchy), so that no published figure minus others gives back
  a hidden one or a group of fewer check-ins than the threshold;
- a date range chosen on a dashboard only picks which months are listed (those that
  overlap it, each shown whole, or the month just before it when none is complete
  yet); nothing is ever added up across months;
- means are rounded to one decimal.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from organisations.models import Ward

from .models import ORGANISATION_SCOPE, DailyFact, RollupRun
from .places import day_bounds
from .suppression import TOTAL, suppressed_hierarchy


def require_enabled(organisation) -> None:
    """The pulse pages and API answer 404 where an admin has switched pulse off, as if
    they did not exist (Organisation.pulse_enabled)."""
    if not organisation.pulse_enabled:
        raise Http404("Pulse check-ins are switched off here.")


# The check-ins of no ward: published nowhere, but the organisation minus its sites.
NO_WARD = "no-ward"


@dataclass(frozen=True)
class PulseFigure:
    """One scope's check-ins in one calendar month; count None where suppressed."""

    month: date
    count: int | None
    mean: float | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


def _next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def _last_day(month: date) -> date:
    return _next_month(month) - timedelta(days=1)


def published_months(organisation, start: date, end: date) -> list[date]:
    """The months (their first days) that overlap start..end and are final (one query)."""
    first, last = start.replace(day=1), _last_day(end)
    finished = dict(
        RollupRun.objects.filter(
            organisation=organisation, day__gte=first, day__lte=last, finished_at__isnull=False
        ).values_list("day", "finished_at")
    )

    def final(day: date) -> bool:
        return day in finished and finished[day] >= day_bounds(day)[1]

    months, month = [], first
    while month <= end:
        days = (month + timedelta(days=n) for n in range((_last_day(month) - month).days + 1))
        if all(final(day) for day in days):
            months.append(month)
        month = _next_month(month)
    return months


def monthly_figures(organisation, months: list[date]) -> dict[date, dict[str, PulseFigure]]:
    """Each month's figures by scope key ("organisation", "site:<id>", "ward:<id>"),
    suppressed across the whole organisation (two queries)."""
    if not months:
        return {}
    rows = (
        DailyFact.objects.filter(
            organisation=organisation, day__gte=months[0], day__lte=_last_day(months[-1])
        )
        .filter(level__in=[DailyFact.Level.ORGANISATION, DailyFact.Level.WARD])
        .annotate(month=TruncMonth("day"))
        .values("month", "scope_key")
        .annotate(n=Sum("pulse_count"), total=Sum("pulse_sum"))
        .order_by()
    )
    sums: dict[date, dict[str, tuple[int, int]]] = {month: {} for month in months}
    for row in rows:
        if row["month"] in sums:
            sums[row["month"]][row["scope_key"]] = (row["n"] or 0, row["total"] or 0)
    site_of = dict(
        Ward.objects.filter(organisation=organisation).values_list("pk", "site_id").order_by()
    )
    threshold = organisation.suppression_threshold
    return {month: _month(month, sums[month], site_of, threshold) for month in months}


def _month(month, sums, site_of, threshold) -> dict[str, PulseFigure]:
    figures = {f"ward:{pk}": sums.get(f"ward:{pk}", (0, 0)) for pk in site_of}
    everyone = sums.get(ORGANISATION_SCOPE, (0, 0))
    groups: dict[str, dict[str, int]] = {}
    for pk, site_id in site_of.items():
        groups.setdefault(f"site:{site_id}", {})[f"ward:{pk}"] = figures[f"ward:{pk}"][0]
    for site, wards in groups.items():
        figures[site] = (sum(figures[w][0] for w in wards), sum(figures[w][1] for w in wards))
    figures[NO_WARD] = (
        everyone[0] - sum(figures[site][0] for site in groups),
        everyone[1] - sum(figures[site][1] for site in groups),
    )
    groups[f"{NO_WARD}:group"] = {NO_WARD: figures[NO_WARD][0]}
    hidden = suppressed_hierarchy(groups, threshold)
    figures[ORGANISATION_SCOPE] = everyone

    def figure(key: str, hidden_as: str) -> PulseFigure:
        n, total = figures[key]
        if hidden_as in hidden:
            return PulseFigure(month, None, None)
        return PulseFigure(month, n, round(total / n, 1) if n else None)

    out = {key: figure(key, key) for key in figures if key != NO_WARD}
    out[ORGANISATION_SCOPE] = figure(ORGANISATION_SCOPE, TOTAL)
    return out


def pulse_months(organisation, scope_key: str, start: date, end: date) -> list[PulseFigure]:
    """A scope's published months that overlap the range, oldest first."""
    by_month = monthly_figures(organisation, published_months(organisation, start, end))
    return [figures[scope_key] for figures in by_month.values() if scope_key in figures]


@dataclass(frozen=True)
class LatestPulse:
    """The latest published month that overlaps a range, and the month before it."""

    month: date | None
    figures: dict[str, PulseFigure]
    before: dict[str, PulseFigure]

    def now(self, scope_key: str) -> PulseFigure | None:
        return self.figures.get(scope_key)

    def previous(self, scope_key: str) -> PulseFigure | None:
        return self.before.get(scope_key)


def _previous(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def _listed(published: list[date], first: date) -> list[date]:
    """Of the published months, those from `first` on or, when there are none yet (the
    last 30 days at the end of a month), the month just before `first`."""
    return [m for m in published if m >= first] or [m for m in published if m == _previous(first)]


def listed_months(organisation, start: date, end: date) -> list[date]:
    """The months a range lists (one query)."""
    first = start.replace(day=1)
    return _listed(published_months(organisation, _previous(first), end), first)


def latest(organisation, start: date, end: date) -> LatestPulse:
    """For the tiles and the ward tables: the latest month the range lists, every scope,
    with the month before it for comparison (two queries)."""
    first = start.replace(day=1)
    published = published_months(organisation, _previous(_previous(first)), end)
    listed = _listed(published, first)
    if not listed:
        return LatestPulse(None, {}, {})
    month = listed[-1]
    shown = [m for m in published if m in (_previous(month), month)]
    by_month = monthly_figures(organisation, shown)
    return LatestPulse(month, by_month[month], by_month.get(_previous(month), {}))


def ward_summary(organisation, ward: Ward | None, *, today=None) -> dict:
    """A ward's pulse in its latest published month, for the person who has just checked
    in: a live figure would change with each check-in and give it away."""
    today = today or timezone.localdate()
    # Last month, or the one before while last month's final roll-up has not run yet.
    month = latest(organisation, today - timedelta(days=62), today)
    figure = month.now(f"ward:{ward.pk}") if ward is not None else None
    return {
        "month": month.month,
        "count": None if figure is None else figure.count,
        "mean": None if figure is None else figure.mean,
        "threshold": organisation.suppression_threshold,
        "enough": figure is not None and figure.mean is not None,
    }
