"""The engagement SPC page: each KPI's points, and its XmR chart once there are enough."""

from charts import spc, svg

from . import pulse as pulse_figures
from .models import ORGANISATION_SCOPE
from .selectors import weekly_kpis

# (key, title, unit, the direction of improvement)
KPIS = [
    ("ideas", "Ideas shared per week", "ideas", "up"),
    ("participation", "Staff taking part (30 days), week by week", "%", "up"),
    ("answered", "Answers within the response target per week", "%", "up"),
    ("implemented", "Ideas implemented per week", "ideas", "up"),
]
# Pulse is published by calendar month only (dashboards/pulse.py), so its chart is monthly.
PULSE_KPI = ("pulse", "Pulse check-in mean per month", "out of 5", "up")
MIN_POINTS = 12


def engagement_charts(organisation, start, end) -> tuple[list[dict], dict]:
    """The organisation's charts, and the weekly series they come from (for the CSV)."""
    series = weekly_kpis(organisation, ORGANISATION_SCOPE, start, end)
    monthly_pulse = [
        (figure.month, figure.mean)
        for figure in pulse_figures.pulse_months(organisation, ORGANISATION_SCOPE, start, end)
        if figure.mean is not None
    ]
    charts = []
    for key, title, unit, direction in [*KPIS, PULSE_KPI]:
        points = monthly_pulse if key == "pulse" else series[key]
        period = "month" if key == "pulse" else "week"
        entry = {"title": title, "points": points, "unit": unit, "period": period}
        if len(points) >= MIN_POINTS:
            result = spc.xmr_chart([v for _, v in points], improvement=direction)
            entry["chart"] = svg.xmr_chart_svg_context(
                points, result, title=title, unit=unit, chart_id=f"spc-{key}"
            )
        charts.append(entry)
    return charts, series
