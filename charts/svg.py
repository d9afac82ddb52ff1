"""Context for server-rendered, accessible SVG run charts and control charts.

The context functions return plain dicts for charts/_chart.html (the figure) and
charts/_table.html (its figures as a table), included as
`{% include "charts/_chart.html" with chart=context %}`. Each chart is drawn twice, in a
wide and a narrow layout (charts/geometry.py), and the stylesheet shows one by screen
width. Every number that lands in an SVG attribute is a preformatted string, so
localisation never turns 1.5 into "1,5"; every number people read has the chart's one
format (`decimals`). Colours are NHS palette values used as SVG presentation attributes:
the Content-Security-Policy forbids inline styles. Flagged points are larger and ringed,
so colour is never the only cue, and the legend and the text summary (charts/words.py)
say what they mean.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from . import geometry as geo
from .drawing import (
    ANNOTATION_LEGEND,
    BLUE,
    DARK_GREY,
    DIRECTION_LEGEND,
    DIRECTION_POINTS,
    MID_GREY,
    PLAIN_POINT,
    PURPLE,
    RINGED_POINT,
    Line,
    draw_layout,
    legend_line,
    legend_point,
)
from .phases import ControlChartResult
from .spc import RunChartResult
from .table import chart_table
from .words import (
    PATTERN_NOUNS,
    chart_decimals,
    day,
    format_value,
    run_summary,
    xmr_notes,
    xmr_summary,
)


def _looks(per_point, directions=None) -> list[tuple[dict[str, str], list[str]]]:
    if directions is None:
        ringed = {**RINGED_POINT, "fill": BLUE}
        return [(ringed if flags else PLAIN_POINT, []) for flags in per_point]
    return [(DIRECTION_POINTS[d], [d]) if d else (PLAIN_POINT, []) for d in directions]


def _note_list(
    points: Sequence[tuple[date, float]], point_notes: Mapping[int, str] | None
) -> list[dict[str, Any]]:
    """The notes on points, numbered in time order; notes on missing points are left out."""
    notes = []
    for i in sorted(point_notes or {}):
        if 0 <= i < len(points) and point_notes[i].strip():
            when = points[i][0]
            number = len(notes) + 1
            text = point_notes[i].strip()
            notes.append({"index": i, "number": number, "date": day(when, year=True), "text": text})
    return notes


def _context(
    kind: str,
    points: Sequence[tuple[date, float]],
    *,
    title: str,
    unit: str,
    chart_id: str | None,
    decimals: int,
) -> dict[str, Any]:
    return {
        "chart_id": chart_id or f"iw-{kind}-chart-{uuid.uuid4().hex[:8]}",
        "kind": kind,
        "title": title,
        "unit": unit,
        "decimals": decimals,
        "n_points": len(points),
    }


def _finish(
    context: dict[str, Any],
    points: Sequence[tuple[date, float]],
    spec: dict[str, Any],
) -> dict[str, Any]:
    """Draw both layouts; the wide one's parts are also at the top level (as before)."""
    layouts = [draw_layout(layout, points, **spec) for layout in geo.LAYOUTS]
    context["layouts"] = layouts
    wide = layouts[0]
    for key in ("view_box", "width", "height", "points", "polyline", "lines", "y_ticks"):
        context[key] = wide[key]
    context["x_ticks"], context["annotations"] = wide["x_ticks"], wide["annotations"]
    return context


def run_chart_svg_context(
    points: Sequence[tuple[date, float]],
    result: RunChartResult,
    *,
    title: str,
    unit: str,
    annotations: Sequence[tuple[date, str]] = (),
    point_notes: Mapping[int, str] | None = None,
    phase_labels: Sequence[str] | None = None,
    chart_id: str | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
    date_heading: str = "Date",
) -> dict[str, Any]:
    """Context for charts/_chart.html: points in time order and their run chart."""
    values = [v for _, v in points]
    decimals = chart_decimals(values, result.centre_line)
    context = _context("run", points, title=title, unit=unit, chart_id=chart_id, decimals=decimals)

    lines, legend = [], [legend_line(BLUE, f"Data ({unit})" if unit else "Data")]
    for phase in result.phases:
        part = result.centre_line[phase.start : phase.stop]
        lines.append(Line(phase.start, part, "Median", DARK_GREY))
    if result.median is not None:
        legend.append(
            legend_line(DARK_GREY, f"Median {format_value(result.median, unit, decimals)}")
        )
    rules = sorted({f for flags in result.per_point for f in flags})
    if rules:
        names = ", ".join(PATTERN_NOUNS[rule][0] for rule in rules)
        ringed = {**RINGED_POINT, "fill": BLUE}
        legend.append(legend_point(ringed, f"Larger ringed point: part of a signal ({names})"))
    if annotations:
        legend.append(legend_line(DARK_GREY, ANNOTATION_LEGEND, "2 3"))
    notes = _note_list(points, point_notes)
    spec = {
        "unit": unit,
        "decimals": decimals,
        "lines": lines,
        "looks": _looks(result.per_point),
        "flags": result.per_point,
        "phases": [(p.start, p.stop, False) for p in result.phases],
        "phase_labels": phase_labels,
        "annotations": annotations,
        "notes": notes,
        "floor": floor,
        "ceiling": ceiling,
    }
    _finish(context, points, spec)
    context["legend"] = legend
    context["summary"] = run_summary(points, result, unit, decimals)
    context["notes"] = []
    context["point_notes"] = notes
    context["table"] = chart_table(
        points, result, unit=unit, decimals=decimals, notes=notes, date_heading=date_heading
    )
    return context


def _limit_name(side: str, trial: bool) -> str:
    return f"Trial {side} limit" if trial else f"{side.capitalize()} limit"


def _control_lines(result: ControlChartResult) -> list[Line]:
    lines = []
    for phase in result.phases:
        if not phase.has_limits:
            continue
        a, b = phase.start, phase.stop
        centre = "Mean" if result.chart_type in ("xmr", "c") else "Centre line"
        lines.append(Line(a, result.centre_line[a:b], centre, DARK_GREY))
        lines.append(
            Line(a, result.upper_limits[a:b], _limit_name("upper", phase.trial), MID_GREY, "6 4")
        )
        lines.append(
            Line(a, result.lower_limits[a:b], _limit_name("lower", phase.trial), MID_GREY, "6 4")
        )
    if result.target is not None and result.n_points:
        target = [result.target] * result.n_points
        lines.append(Line(0, target, "Target", PURPLE, "1 3"))
    return lines


def _control_legend(
    result: ControlChartResult, unit: str, decimals: int, annotations
) -> list[dict]:
    """The key, with the latest lines' values (the narrow layout has no room beside the
    plot to label them)."""

    def fmt(value: float) -> str:
        return format_value(value, unit, decimals)

    legend = [legend_line(BLUE, f"Data ({unit})" if unit else "Data")]
    if result.enough_points:
        centre = "Mean" if result.chart_type in ("xmr", "c") else "Centre line"
        legend.append(legend_line(DARK_GREY, f"{centre} {fmt(result.mean)}"))
        limits = f"{fmt(result.lower_limit)} to {fmt(result.upper_limit)}"
        if result.chart_type in ("p", "u"):
            limits = f"vary with the denominator; latest {limits}"
        legend.append(legend_line(MID_GREY, f"Dashed lines: process limits, {limits}", "6 4"))
        if any(phase.trial for phase in result.phases):
            legend.append(legend_line(MID_GREY, "Trial limits: from fewer than 12 points", "6 4"))
    if result.target is not None:
        legend.append(legend_line(PURPLE, f"Target {fmt(result.target)}", "1 3"))
    present = [d for d in DIRECTION_LEGEND if d in result.directions]
    legend += [legend_point(DIRECTION_POINTS[d], DIRECTION_LEGEND[d]) for d in present]
    if present:
        legend.append(legend_point(PLAIN_POINT, "Small point: common cause variation"))
    if annotations:
        legend.append(legend_line(DARK_GREY, ANNOTATION_LEGEND, "2 3"))
    return legend


def control_chart_svg_context(
    points: Sequence[tuple[date, float]],
    result: ControlChartResult,
    *,
    title: str,
    unit: str,
    annotations: Sequence[tuple[date, str]] = (),
    point_notes: Mapping[int, str] | None = None,
    phase_labels: Sequence[str] | None = None,
    chart_id: str | None = None,
    date_heading: str = "Date",
) -> dict[str, Any]:
    """Context for charts/_chart.html: points in time order (for p- and u-charts,
    `zip(dates, result.values)`) and their XmR, p-, u- or c-chart."""
    values = [v for _, v in points]
    shown = [*result.centre_line, *result.upper_limits, *result.lower_limits, result.target]
    decimals = chart_decimals(values, shown)
    context = _context(
        result.chart_type, points, title=title, unit=unit, chart_id=chart_id, decimals=decimals
    )
    notes = _note_list(points, point_notes)
    spec = {
        "unit": unit,
        "decimals": decimals,
        "lines": _control_lines(result),
        "looks": _looks(result.per_point, result.directions),
        "flags": result.per_point,
        "phases": [(p.start, p.stop, p.trial) for p in result.phases],
        "phase_labels": phase_labels,
        "annotations": annotations,
        "notes": notes,
        "floor": result.floor,
        "ceiling": result.ceiling,
    }
    _finish(context, points, spec)
    context["legend"] = _control_legend(result, unit, decimals, annotations)
    context["notes"] = xmr_notes(result, unit, decimals)
    context["summary"] = xmr_summary(points, result, unit, decimals)
    context["point_notes"] = notes
    context["table"] = chart_table(
        points, result, unit=unit, decimals=decimals, notes=notes, date_heading=date_heading
    )
    return context


xmr_chart_svg_context = control_chart_svg_context
