"""The engagement SPC page: each KPI per complete week (the pulse per month) as a chart.

Only complete weeks (Monday to Sunday, every day over) are charted: a week that has just
begun would count as a week with almost nothing in it and be flagged as a concern. The
week in progress is shown in words as "this week so far", and a part-week at the start
of the range is left out and said so. The chart type per figure is an analyst's choice,
explained in docs/metrics.md: counts on XmR charts floored at zero, the share answered
within target on a p-chart (its limits follow how many ideas were due an answer each
week), participation on an XmR chart within 0-100%.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from charts import spc, svg
from charts.words import day

from . import pulse as pulse_figures
from .answers import overdue_unanswered
from .models import ORGANISATION_SCOPE
from .selectors import weekly_kpis

# (key, title, unit, the direction of improvement)
KPIS = [
    ("ideas", "Ideas shared per week", "ideas", "up"),
    ("participation", "Staff taking part (30 days), week by week", "%", "up"),
    ("answered", "Ideas answered within the response target per week", "%", "up"),
    ("implemented", "Ideas implemented per week", "ideas", "up"),
]
# Pulse is published by calendar month only (dashboards/pulse.py), so its chart is monthly.
PULSE_KPI = ("pulse", "Pulse check-in mean per month", "out of 5", "up")
# (chart type, floor, ceiling) per figure: see docs/metrics.md for why.
CHOICES = {
    "ideas": ("xmr", 0.0, None),
    "implemented": ("xmr", 0.0, None),
    "participation": ("xmr", 0.0, 100.0),
    "answered": ("p", 0.0, 100.0),
    "pulse": ("xmr", 1.0, 5.0),
}
# Limits from fewer points are mostly noise: below this the page shows the figures only.
MIN_CHART_POINTS = 6
WHY_MISSING = {
    "ideas": "no figures have been worked out for them",
    "implemented": "no figures have been worked out for them",
    "participation": "too few people took part to show, or there are no figures",
    "answered": "no ideas were due an answer",
    "pulse": "too few people checked in to show",
}


@dataclass
class Weeks:
    """The complete weeks a range covers, and what it leaves out at either end."""

    first: date  # the first complete week's Monday
    last: date  # the last complete week's Sunday
    count: int
    part_week_before: tuple[date, date] | None = None
    part_week_after: tuple[date, date] | None = None  # an earlier week, cut short by the range
    this_week: date | None = None  # the Monday of the week in progress, if in range
    mondays: list[date] = field(default_factory=list)


def complete_weeks(start: date, end: date, today: date) -> Weeks:
    """Monday-to-Sunday weeks wholly inside start..end whose every day is over."""
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    last_day = min(end, today - timedelta(days=1))
    last = last_day - timedelta(days=(last_day.weekday() + 1) % 7)
    count = max(0, ((last - first).days + 1) // 7)
    this_monday = today - timedelta(days=today.weekday())
    this_week = this_monday if start <= today and end >= this_monday else None
    after = last + timedelta(days=1)
    cut_short = (after, min(end, this_monday - timedelta(days=1)))
    return Weeks(
        first=first,
        last=last,
        count=count,
        part_week_before=(start, first - timedelta(days=1)) if first > start else None,
        part_week_after=cut_short if cut_short[0] <= cut_short[1] and after > first else None,
        this_week=this_week,
        mondays=[first + timedelta(weeks=i) for i in range(count)],
    )


def _answered(organisation, weeks: Weeks, answers) -> tuple[list, list, list]:
    """Each complete week's ideas answered within target over the ideas due an answer,
    those still waiting past the target included (dashboards.answers)."""
    periods = {m.isoformat(): (m, m + timedelta(days=6)) for m in weeks.mondays}
    overdue = overdue_unanswered(organisation, ORGANISATION_SCOPE, periods) if periods else {}
    within_by_week = {monday: (within, responded) for monday, within, responded in answers}
    dates, numerators, denominators = [], [], []
    for monday in weeks.mondays:
        within, responded = within_by_week.get(monday, (0, 0))
        due = responded + overdue.get(monday.isoformat(), 0)
        if due:
            dates.append(monday)
            numerators.append(within)
            denominators.append(due)
    return dates, numerators, denominators


def engagement_charts(organisation, start, end, today) -> tuple[list[dict], dict]:
    """The organisation's charts and the weekly series they come from (for the CSV)."""
    weeks = complete_weeks(start, end, today)
    raw = weekly_kpis(organisation, ORGANISATION_SCOPE, weeks.first, end)
    complete = set(weeks.mondays)
    series = {key: [(w, v) for w, v in raw[key] if w in complete] for key, *_ in KPIS}
    dates, numerators, denominators = _answered(
        organisation, weeks, [a for a in raw["answers"] if a[0] in complete]
    )
    series["answered"] = [
        (w, round(100 * n / d, 1)) for w, n, d in zip(dates, numerators, denominators, strict=True)
    ]
    so_far = {key: dict(raw[key]).get(weeks.this_week) for key, *_ in KPIS}
    monthly_pulse = [
        (figure.month, figure.mean)
        for figure in pulse_figures.pulse_months(organisation, ORGANISATION_SCOPE, start, end)
        if figure.mean is not None
    ]
    charts = []
    for key, title, unit, direction in [*KPIS, PULSE_KPI]:
        points = monthly_pulse if key == "pulse" else series[key]
        entry = {
            "key": key,
            "title": title,
            "points": points,
            "unit": unit,
            "period": "month" if key == "pulse" else "week",
            "so_far": None if key in ("pulse", "answered") else so_far.get(key),
        }
        entry["message"] = _message(key, len(points), weeks, points)
        if len(points) >= MIN_CHART_POINTS:
            ratio = (numerators, denominators) if key == "answered" else None
            entry["chart"] = _chart(key, title, unit, direction, points, ratio)
        charts.append(entry)
    return charts, series


def _chart(key, title, unit, direction, points, ratio) -> dict:
    chart_type, floor, ceiling = CHOICES[key]
    values = [v for _, v in points]
    if chart_type == "p":
        result = spc.p_chart(*ratio, improvement=direction, baseline_points=12)
        points = list(zip([w for w, _ in points], result.values, strict=True))
    else:
        result = spc.xmr_chart(values, improvement=direction, floor=floor, ceiling=ceiling)
    heading = "Month" if key == "pulse" else "Week beginning"
    return svg.control_chart_svg_context(
        points, result, title=title, unit=unit, chart_id=f"spc-{key}", date_heading=heading
    )


def _message(key: str, n: int, weeks: Weeks, points) -> str:
    """What the chart is drawn from, worded from the figures shown."""
    if key == "pulse":
        if n >= 12:
            return ""
        return (
            f"{n} whole month{'s' if n != 1 else ''} of pulse figures in this range. "
            f"Limits are trial limits below 12 months, and there is no chart below "
            f"{MIN_CHART_POINTS}. Pulse figures are shown for whole calendar months once "
            "they are over, when enough people checked in."
        )
    if n >= 12 and n == weeks.count:
        return ""
    span = f"from {day(weeks.first)} to {day(weeks.last, year=True)}" if weeks.count else ""
    text = f"This range has {weeks.count} complete week{'s' if weeks.count != 1 else ''}"
    text += f" ({span})" if span else ""
    missing = weeks.count - n
    if missing:
        first = day(points[0][0], year=True) if points else None
        text += (
            f"; {n} of them {'has' if n == 1 else 'have'} figures, the other {missing} "
            f"none as {WHY_MISSING[key]}"
        )
        if first and key in ("ideas", "implemented"):
            text += f" (the figures start in the week beginning {first})"
    text += "."
    if n < MIN_CHART_POINTS:
        return text + f" A chart needs at least {MIN_CHART_POINTS} weeks of figures."
    if n >= 12:
        return text
    if weeks.count < 12:
        text += " Choose a range of at least 12 complete weeks for firm limits."
    return text + " Until there are 12 weeks of figures the limits are trial limits."
