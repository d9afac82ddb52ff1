"""Geometry for server-rendered, accessible SVG run and XmR charts.

The context functions return plain dicts for charts/_chart.html (included as
`{% include "charts/_chart.html" with chart=context %}`). Every number that lands in an
SVG attribute is a preformatted string, so localisation never turns 1.5 into "1,5".
Colours are NHS palette values used as SVG presentation attributes: the app's
Content-Security-Policy forbids inline styles. Flagged points are larger and ringed, so
colour is never the only cue, and the legend and the text summary (charts/words.py) say
what they mean.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from .spc import RunChartResult, XmrResult
from .words import PATTERN_NOUNS, day, format_value, run_summary, xmr_notes, xmr_summary

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 552, 40, 284  # the plot area; line labels go on the right

BLUE, DARK_GREY, MID_GREY, ORANGE, PURPLE, BLACK = (
    "#005eb8",
    "#425563",
    "#768692",
    "#ed8b00",
    "#330072",
    "#212b32",
)

FLAG_CLASSES = {
    "shift": "shift",
    "trend": "trend",
    "astronomical": "astronomical",
    "outside_limits": "outside",
    "two_of_three": "two-of-three",
}
PLAIN_POINT = {"r": "3", "fill": BLUE, "stroke": "none", "stroke_width": "0", "dasharray": ""}
RINGED_POINT = {"r": "5.5", "stroke": BLACK, "stroke_width": "2", "dasharray": ""}
DIRECTION_POINTS = {
    "improvement": {**RINGED_POINT, "fill": BLUE},
    "concern": {**RINGED_POINT, "fill": ORANGE, "dasharray": "3 2"},
    "neither": {**RINGED_POINT, "fill": MID_GREY},
}
DIRECTION_LEGEND = {
    "improvement": "Larger point with a solid ring: special cause improvement",
    "concern": "Larger orange point with a dashed ring: special cause concern",
    "neither": "Larger grey point with a solid ring: special cause, neither better nor worse",
}
ANNOTATION_LEGEND = "Dotted vertical line: a change tested (PDSA cycle)"


def _num(x: float) -> str:
    return f"{x:.1f}"


def _nice_ticks(low: float, high: float) -> list[float]:
    """4-5 round tick values covering low..high (which they extend)."""
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    magnitude = 10 ** math.floor(math.log10((high - low) / 5))
    for step in (m * magnitude for m in (1, 2, 2.5, 5, 10, 20, 25, 50, 100)):
        start, stop = math.floor(low / step), math.ceil(high / step)
        if stop - start + 1 <= 5:
            break
    return [i * step for i in range(start, stop + 1)]


def _tick_label(value: float, ticks: Sequence[float]) -> str:
    step = ticks[1] - ticks[0]
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * step), 6)
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


class _Frame:
    """Maps point index and value to viewBox coordinates."""

    def __init__(self, n: int, values: Sequence[float]) -> None:
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        pad = (high - low) * 0.05
        self.ticks = _nice_ticks(low - pad, high + pad)
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.n = n

    def x(self, index: float) -> float:
        if self.n < 2:
            return (LEFT + RIGHT) / 2
        return LEFT + (RIGHT - LEFT) * index / (self.n - 1)

    def y(self, value: float) -> float:
        return BOTTOM - (value - self.low) / (self.high - self.low) * (BOTTOM - TOP)


def _x_ticks(frame: _Frame, dates: Sequence[date]) -> list[dict[str, str]]:
    n = len(dates)
    count = min(n, 6)
    indices = sorted({round(i * (n - 1) / (count - 1)) for i in range(count)}) if n > 1 else [0]
    many_years = dates[0].year != dates[-1].year
    return [
        {
            "x": _num(frame.x(i)),
            "label": f"{dates[i]:%b %Y}" if many_years else f"{dates[i]:%d %b}",
        }
        for i in indices
    ]


def _line(
    frame: _Frame, value: float, name: str, unit: str, stroke: str, dasharray: str = ""
) -> dict[str, Any]:
    """A horizontal line across the plot, labelled in the right margin."""
    return {
        "y": frame.y(value),
        "label": f"{name} {format_value(value)}",
        "title": f"{name} {format_value(value, unit)}",
        "stroke": stroke,
        "dasharray": dasharray,
    }


def _finish_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Format the lines' positions, nudging labels at least 12 units apart."""
    label_y = -math.inf
    for line in sorted(lines, key=lambda line: line["y"]):
        label_y = max(line["y"] + 4, label_y + 12)
        line["label_y"] = _num(label_y)
    for line in lines:
        line["y"] = _num(line["y"])
    return lines


def _annotation_x(frame: _Frame, dates: Sequence[date], when: date) -> float | None:
    """Where a date falls between the points' dates; None outside them."""
    if not dates or when < dates[0] or when > dates[-1]:
        return None
    if len(dates) == 1:
        return frame.x(0)
    for i in range(len(dates) - 1):
        if dates[i] <= when <= dates[i + 1]:
            span = (dates[i + 1] - dates[i]).days
            fraction = (when - dates[i]).days / span if span else 0.0
            return frame.x(i + fraction)
    return None  # pragma: no cover - dates out of order


def _annotations(
    frame: _Frame, dates: Sequence[date], annotations: Sequence[tuple[date, str]]
) -> list[dict[str, str]]:
    markers = []
    for when, text in sorted(annotations, key=lambda a: a[0]):
        x = _annotation_x(frame, dates, when)
        if x is None:
            continue
        short = text if len(text) <= 16 else text[:15] + "…"
        anchor = "start" if x < LEFT + 40 else "end" if x > RIGHT - 40 else "middle"
        markers.append(
            {
                "x": _num(x),
                "label": short,
                "title": f"{day(when, year=True)}: {text}",
                "label_y": str(TOP - 22 + 11 * (len(markers) % 2)),  # stagger neighbours
                "anchor": anchor,
                "stroke": DARK_GREY,
                "dasharray": "2 3",
            }
        )
    return markers


def _base_context(
    kind: str,
    points: Sequence[tuple[date, float]],
    frame: _Frame,
    *,
    title: str,
    unit: str,
    annotations: Sequence[tuple[date, str]],
    chart_id: str | None,
) -> dict[str, Any]:
    dates = [d for d, _ in points]
    middle = (TOP + BOTTOM) // 2
    return {
        "chart_id": chart_id or f"iw-{kind}-chart-{uuid.uuid4().hex[:8]}",
        "kind": kind,
        "title": title,
        "unit": unit,
        "width": str(WIDTH),
        "height": str(HEIGHT),
        "view_box": f"0 0 {WIDTH} {HEIGHT}",
        "plot": {
            "left": str(LEFT),
            "right": str(RIGHT),
            "top": str(TOP),
            "bottom": str(BOTTOM),
            "line_label_x": str(RIGHT + 6),
            "x_label_y": str(BOTTOM + 18),
            "tick_y2": str(BOTTOM + 5),
            "y_label_x": str(LEFT - 8),
            "unit_x": "14",
            "unit_y": str(middle),
            "unit_transform": f"rotate(-90 14 {middle})",
        },
        "polyline": " ".join(
            f"{_num(frame.x(i))},{_num(frame.y(v))}" for i, (_, v) in enumerate(points)
        ),
        "y_ticks": [
            {"y": _num(frame.y(t)), "label": _tick_label(t, frame.ticks)} for t in frame.ticks
        ],
        "x_ticks": _x_ticks(frame, dates) if dates else [],
        "annotations": _annotations(frame, dates, annotations),
    }


def _points(
    frame: _Frame,
    points: Sequence[tuple[date, float]],
    unit: str,
    flags: Sequence[frozenset[str]],
    looks: Sequence[tuple[dict[str, str], list[str]]],
) -> list[dict[str, str]]:
    """One circle per point: position, look, CSS classes and a tooltip."""
    circles = []
    for i, ((when, value), point_flags, (look, extra)) in enumerate(
        zip(points, flags, looks, strict=True)
    ):
        classes = ["iw-point", *(f"iw-point--{FLAG_CLASSES[f]}" for f in sorted(point_flags))]
        label = f"{day(when, year=True)}: {format_value(value, unit)}"
        names = [f.replace("_", " ") for f in sorted(point_flags)] + extra
        circles.append(
            {
                "cx": _num(frame.x(i)),
                "cy": _num(frame.y(value)),
                **look,
                "classes": " ".join(classes + [f"iw-point--{e}" for e in extra]),
                "label": f"{label} ({', '.join(names)})" if names else label,
            }
        )
    return circles


def _legend_point(look: dict[str, str], label: str) -> dict[str, str]:
    return {"kind": "point", "label": label, **look}


def _legend_line(stroke: str, label: str, dasharray: str = "") -> dict[str, str]:
    return {"kind": "line", "label": label, "stroke": stroke, "dasharray": dasharray}


def run_chart_svg_context(
    points: Sequence[tuple[date, float]],
    result: RunChartResult,
    *,
    title: str,
    unit: str,
    annotations: Sequence[tuple[date, str]] = (),
    chart_id: str | None = None,
) -> dict[str, Any]:
    """Context for charts/_chart.html: points in time order and their analysis."""
    values = [v for _, v in points]
    frame = _Frame(len(points), [*values, *([result.median] if result.median is not None else [])])
    context = _base_context(
        "run", points, frame, title=title, unit=unit, annotations=annotations, chart_id=chart_id
    )
    ringed = {**RINGED_POINT, "fill": BLUE}
    looks = [(ringed if flags else PLAIN_POINT, []) for flags in result.per_point]
    context["points"] = _points(frame, points, unit, result.per_point, looks)

    lines, legend = [], [_legend_line(BLUE, f"Data ({unit})" if unit else "Data")]
    if result.median is not None:
        lines.append(_line(frame, result.median, "Median", unit, DARK_GREY))
        legend.append(_legend_line(DARK_GREY, lines[-1]["title"]))
    rules = sorted({f for flags in result.per_point for f in flags})
    if rules:
        names = ", ".join(PATTERN_NOUNS[rule][0] for rule in rules)
        legend.append(_legend_point(ringed, f"Larger ringed point: part of a signal ({names})"))
    if context["annotations"]:
        legend.append(_legend_line(DARK_GREY, ANNOTATION_LEGEND, "2 3"))
    context["lines"], context["legend"] = _finish_lines(lines), legend

    context["summary"] = run_summary(points, result, unit)
    return context


def xmr_chart_svg_context(
    points: Sequence[tuple[date, float]],
    result: XmrResult,
    *,
    title: str,
    unit: str,
    annotations: Sequence[tuple[date, str]] = (),
    chart_id: str | None = None,
) -> dict[str, Any]:
    """Context for charts/_chart.html: points in time order and their analysis."""
    values = [v for _, v in points]
    limits = [result.mean, result.upper_limit, result.lower_limit, result.target]
    frame = _Frame(len(points), [*values, *(v for v in limits if v is not None)])
    context = _base_context(
        "xmr", points, frame, title=title, unit=unit, annotations=annotations, chart_id=chart_id
    )
    looks = [(DIRECTION_POINTS[d], [d]) if d else (PLAIN_POINT, []) for d in result.directions]
    context["points"] = _points(frame, points, unit, result.per_point, looks)

    lines, legend = [], [_legend_line(BLUE, f"Data ({unit})" if unit else "Data")]
    if result.enough_points and result.mean is not None:
        lines.append(_line(frame, result.mean, "Mean", unit, DARK_GREY))
        legend.append(_legend_line(DARK_GREY, lines[-1]["title"]))
        for value, name in (
            (result.upper_limit, "Upper limit"),
            (result.lower_limit, "Lower limit"),
        ):
            if value is not None:
                lines.append(_line(frame, value, name, unit, MID_GREY, "6 4"))
        legend.append(_legend_line(MID_GREY, "Dashed lines: process limits", "6 4"))
    if result.target is not None:
        lines.append(_line(frame, result.target, "Target", unit, PURPLE, "1 3"))
        legend.append(_legend_line(PURPLE, lines[-1]["title"], "1 3"))
    present = [d for d in DIRECTION_LEGEND if d in result.directions]
    legend += [_legend_point(DIRECTION_POINTS[d], DIRECTION_LEGEND[d]) for d in present]
    if present:
        legend.append(_legend_point(PLAIN_POINT, "Small point: common cause variation"))
    if context["annotations"]:
        legend.append(_legend_line(DARK_GREY, ANNOTATION_LEGEND, "2 3"))
    context["lines"], context["legend"] = _finish_lines(lines), legend

    context["notes"] = xmr_notes(result, unit)
    context["summary"] = xmr_summary(points, result, unit)
    return context
