"""A measure's charts: its run chart and the SPC chart its kind chooses (XmR, c, u or p),
split into phases at its change points, with PDSA cycles and notes on points marked.

Pure over rows already read, so that the project page charts every measure from one
query of points (projects/selectors.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from typing import Any

from charts import spc, svg
from improvewell.validators import is_measure_value
from projects import kinds
from projects.models import ChangePoint, Measure, MeasurePoint, PDSACycle

FIRST_PHASE_LABEL = "Before"  # short: the narrow chart has room for a few letters


def chartable(measure: Measure, points: Sequence[MeasurePoint]) -> list[MeasurePoint]:
    """The points a chart can use: rows saved before values were bounded stay listed
    (so they can be removed) but are left out of the charts, whose sums and scales they
    would overflow; a rate or percentage needs its numerator and denominator."""
    usable = [p for p in points if is_measure_value(p.value)]
    if kinds.needs_denominator(measure.kind):
        usable = [p for p in usable if p.numerator is not None and p.denominator]
    return usable


def phases_at(dates: Sequence[date], changes: Sequence[ChangePoint]) -> list[dict[str, Any]]:
    """Where each change starts a phase: the index of the first point on or after its
    date. Changes before the first point or after the last start no phase (yet)."""
    found, used = [], set()
    for change in sorted(changes, key=lambda c: c.date):
        index = bisect_left(dates, change.date)
        starts = 0 < index < len(dates) and index not in used
        if starts:
            used.add(index)
        found.append({"change": change, "index": index if starts else None})
    return found


def _target(measure: Measure) -> float | None:
    target = measure.target
    return target if target is None or is_measure_value(target) else None


def _control(measure: Measure, rows: Sequence[MeasurePoint], starts: list[int]):
    common = {"improvement": measure.direction, "target": _target(measure), "phases": starts}
    chart_type = spc.chart_type_for(measure.kind, has_denominators=True)
    if chart_type == "p":
        return spc.p_chart([p.numerator for p in rows], [p.denominator for p in rows], **common)
    if chart_type == "u":
        return spc.u_chart(
            [p.numerator for p in rows],
            [p.denominator for p in rows],
            multiplier=float(measure.rate_per or 1),
            **common,
        )
    if chart_type == "c":
        return spc.c_chart([p.value for p in rows], **common)
    floor, ceiling = spc.bounds_for(measure.kind)
    return spc.xmr_chart([p.value for p in rows], floor=floor, ceiling=ceiling, **common)


def measure_charts(
    measure: Measure,
    points: Sequence[MeasurePoint],
    *,
    changes: Sequence[ChangePoint],
    cycles: Sequence[PDSACycle],
    run: bool = True,
) -> dict[str, Any]:
    """The chart contexts for charts/_chart.html and what the page says about them.

    `run=False` leaves out the run chart (the project page shows one chart a measure).
    """
    rows = chartable(measure, points)
    dates = [p.date for p in rows]
    phases = phases_at(dates, changes)
    page: dict[str, Any] = {
        "charted": len(rows),
        "chart_name": kinds.CHART_NAMES[measure.kind],
        "changes": phases,
        "run_chart": None,
        "control_chart": None,
    }
    if not rows:
        return page
    starts = sorted(p["index"] for p in phases if p["index"] is not None)
    # The limits and the target sentence speak of the latest phase: the page says since when.
    page["latest_change"] = max(
        (p for p in phases if p["index"] is not None), key=lambda p: p["index"], default=None
    )
    labels = [FIRST_PHASE_LABEL] + [
        p["change"].label for p in sorted(phases, key=lambda p: p["index"] or 0) if p["index"]
    ]
    drawn = {
        "title": measure.name,
        "unit": measure.unit,
        "annotations": [(c.start_date, f"PDSA {c.number}") for c in cycles],
        "point_notes": {i: p.note for i, p in enumerate(rows) if p.note},
        "phase_labels": labels if len(labels) > 1 else None,
    }
    control = _control(measure, rows, starts)
    page["control"] = control
    plotted = list(zip(dates, control.values, strict=True))
    if control.enough_points:
        page["control_chart"] = svg.control_chart_svg_context(plotted, control, **drawn)
    if run:
        floor, ceiling = spc.bounds_for(measure.kind)
        page["run"] = result = spc.run_chart(list(control.values), phases=starts)
        page["run_chart"] = svg.run_chart_svg_context(
            plotted, result, floor=floor, ceiling=ceiling, **drawn
        )
    return page
