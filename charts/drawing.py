"""Drawing one layout of a chart: margins from measured labels, lines, points, markers.

charts/svg.py decides what to draw (which lines, looks and notes); this module places it
in one layout (charts/geometry.py) and returns preformatted strings for the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import geometry as geo
from .geometry import Frame, Layout, fit, num, text_width
from .words import day, format_value

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
PLAIN_POINT = {"r": "3.5", "fill": BLUE, "stroke": "none", "stroke_width": "0", "dasharray": ""}
RINGED_POINT = {"r": "6", "stroke": BLACK, "stroke_width": "2", "dasharray": ""}
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
NOTE_ROOM = 260  # viewBox units for a note's words beside its marker (wide layout)


@dataclass(frozen=True)
class Line:
    """A line over the points from `start`: one value per point (None: not drawn)."""

    start: int
    values: Sequence[float | None]
    name: str
    stroke: str
    dasharray: str = ""


def legend_point(look: dict[str, str], label: str) -> dict[str, str]:
    return {"kind": "point", "label": label, **look}


def legend_line(stroke: str, label: str, dasharray: str = "") -> dict[str, str]:
    return {"kind": "line", "label": label, "stroke": stroke, "dasharray": dasharray}


def _last(line: Line) -> float | None:
    return next((v for v in reversed(line.values) if v is not None), None)


def _labelled(lines: Sequence[Line], phases: Sequence[tuple[int, int, bool]]) -> list[Line]:
    """The lines labelled in the right margin: the latest phase's, and the target."""
    latest = phases[-1][0] if phases else 0
    return [
        line
        for line in lines
        if (line.start >= latest or line.name == "Target") and _last(line) is not None
    ]


def _centred(x: float, width: float, total: float) -> float:
    """An x for a middle-anchored label of `width` that keeps it inside 0..total."""
    return min(max(x, width / 2 + 2), total - width / 2 - 2)


def _x_ticks(layout: Layout, frame: Frame, dates: Sequence[date]) -> list[dict[str, str]]:
    n = len(dates)
    count = min(n, layout.x_tick_count)
    indices = sorted({round(i * (n - 1) / (count - 1)) for i in range(count)}) if n > 1 else [0]
    many_years = dates[0].year != dates[-1].year
    ticks = []
    for i in indices:
        label = f"{dates[i]:%b %Y}" if many_years else f"{dates[i]:%d %b}"
        width = text_width(label, layout.font)
        ticks.append(
            {
                "x": num(frame.x(i)),
                "label": label,
                "label_x": num(_centred(frame.x(i), width, layout.width)),
            }
        )
    return ticks


def _annotation_x(frame: Frame, dates: Sequence[date], when: date) -> float | None:
    """Where a date falls between the points' dates; None outside them."""
    if not dates or when < dates[0] or when > dates[-1]:
        return None
    for i in range(len(dates) - 1):
        if dates[i] <= when <= dates[i + 1]:
            span = (dates[i + 1] - dates[i]).days
            return frame.x(i + ((when - dates[i]).days / span if span else 0.0))
    return frame.x(0)


def _annotations(layout, frame, dates, annotations, label_y) -> list[dict[str, str]]:
    placed = []
    for when, text in sorted(annotations, key=lambda a: a[0]):
        x = _annotation_x(frame, dates, when)
        if x is not None:
            placed.append((x, when, text))
    markers = []
    for k, (x, when, text) in enumerate(placed):
        room = (placed[k + 1][0] if k + 1 < len(placed) else layout.width) - x - 6
        markers.append(
            {
                "x": num(x),
                "label": fit(text, room, layout.font),
                "label_x": num(x + 3),
                "label_y": num(label_y),
                "title": f"{day(when, year=True)}: {text}",
            }
        )
    return markers


def _headers(layout, frame, phases, phase_labels, label_y) -> list[dict[str, str]]:
    """A label at the start of each phase ("Trial limits" where its limits are trial)."""
    headers = []
    for k, (start, _stop, trial) in enumerate(phases):
        name = phase_labels[k] if phase_labels and k < len(phase_labels) else ""
        name = name or ("" if k == 0 else f"Phase {k + 1}")
        text = f"{name}: trial limits" if name and trial else name or ("Trial limits" * trial)
        if not text:
            continue
        x = frame.edge(start) + 4
        end = frame.edge(phases[k + 1][0]) if k + 1 < len(phases) else layout.width
        headers.append(
            {
                "x": num(x),
                "y": num(label_y),
                "label": fit(text, end - x - 4, layout.font),
                "title": text,
            }
        )
    return headers


def _nudge(ys: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions at least `gap` apart, in low..high, in the order given (sorted)."""
    out: list[float] = []
    for y in ys:
        out.append(max(y, out[-1] + gap) if out else max(y, low))
    overflow = out[-1] - high if out else 0
    if overflow > 0:
        out = [y - overflow for y in out]
    return out


def _lines(layout, frame, lines, phases, fmt, label_x) -> list[dict[str, str]]:
    labelled = set(map(id, _labelled(lines, phases))) if layout.line_labels else set()
    drawn = []
    for line in lines:
        last = _last(line)
        drawn.append(
            {
                "d": geo.step_path(frame, line.start, line.values),
                "stroke": line.stroke,
                "dasharray": line.dasharray,
                "title": f"{line.name} {fmt(last)}" if last is not None else line.name,
                "label": f"{line.name} {fmt(last)}" if id(line) in labelled else "",
                "y": frame.y(last) if last is not None else 0.0,
            }
        )
    with_labels = sorted((d for d in drawn if d["label"]), key=lambda d: d["y"])
    ys = _nudge([d["y"] + layout.font * 0.35 for d in with_labels], layout.row, 0, layout.height)
    for d, y in zip(with_labels, ys, strict=True):
        d["label_y"], d["label_x"] = num(y), num(label_x)
    for d in drawn:
        d["y"] = num(d["y"])
    return drawn


def _note_markers(layout, frame, points, notes) -> list[dict[str, str]]:
    markers = []
    for note in notes:
        i = note["index"]
        cx, cy = frame.x(i), frame.y(points[i][1])
        above = cy - layout.font * 1.1 > frame.top + layout.font
        y = cy - layout.font * 0.9 if above else cy + layout.font * 1.6
        words = f"{note['number']}. {note['text']}" if layout.line_labels else str(note["number"])
        label = fit(words, NOTE_ROOM if layout.line_labels else layout.font * 2, layout.font)
        width = text_width(label, layout.font)
        markers.append(
            {
                "cx": num(cx),
                "cy": num(cy),
                "x": num(_centred(cx, width, layout.width)),
                "y": num(y),
                "label": label,
                "title": f"Note {note['number']}, {note['date']}: {note['text']}",
            }
        )
    return markers


# Long: places every part of one layout; each step is a call or a line or two.
def draw_layout(
    layout: Layout,
    points: Sequence[tuple[date, float]],
    *,
    unit: str,
    decimals: int,
    lines: Sequence[Line],
    looks: Sequence[tuple[dict[str, str], list[str]]],
    flags: Sequence[frozenset[str]],
    phases: Sequence[tuple[int, int, bool]],
    phase_labels: Sequence[str] | None,
    annotations: Sequence[tuple[date, str]],
    notes: Sequence[dict[str, Any]],
    floor: float | None,
    ceiling: float | None,
) -> dict[str, Any]:
    """Everything one <svg> of the chart needs, as strings."""

    def fmt(value: float) -> str:
        return format_value(value, unit, decimals)

    dates, values = [d for d, _ in points], [v for _, v in points]
    shown = values + [v for line in lines for v in line.values if v is not None]
    low, high = geo.y_range(shown, floor, ceiling)
    ticks = geo.bounded_ticks(
        low, high, count=layout.y_tick_count, decimals=decimals, floor=floor, ceiling=ceiling
    )
    tick_labels = [format_value(t, "", decimals) for t in ticks]
    row, font = layout.row, layout.font
    unit_room = row if unit else 0
    left = 4 + unit_room + max(text_width(t, font) for t in tick_labels) + 8
    label_texts = [
        f"{line.name} {fmt(_last(line))}"
        for line in (_labelled(lines, phases) if layout.line_labels else [])
    ]
    right = layout.width - (max((text_width(t, font) for t in label_texts), default=0) + 14)
    has_headers = len(phases) > 1 or any(t for *_, t in phases) or bool(phase_labels)
    top = 8 + row * (int(has_headers) + int(bool(annotations))) + font * 0.5
    bottom = layout.height - row - 10
    frame = Frame(len(points), left, right, top, bottom, ticks[0], ticks[-1])
    middle = (top + bottom) / 2
    unit_x = 4 + row * 0.75
    return {
        "name": layout.name,
        "width": str(layout.width),
        "height": str(layout.height),
        "view_box": f"0 0 {layout.width} {layout.height}",
        "font": str(font),
        "plot": {
            "left": num(left),
            "right": num(right),
            "top": num(top),
            "bottom": num(bottom),
            "x_label_y": num(bottom + row),
            "tick_y2": num(bottom + 5),
            "y_label_x": num(left - 6),
            "unit_x": num(unit_x),
            "unit_y": num(middle),
            "unit_transform": f"rotate(-90 {num(unit_x)} {num(middle)})",
            "unit": fit(unit, bottom - top, font),
        },
        "y_ticks": [
            {"y": num(frame.y(t)), "label": label}
            for t, label in zip(ticks, tick_labels, strict=True)
        ],
        "x_ticks": _x_ticks(layout, frame, dates) if dates else [],
        "polyline": " ".join(f"{num(frame.x(i))},{num(frame.y(v))}" for i, v in enumerate(values)),
        "points": _circles(frame, points, unit, decimals, flags, looks),
        "lines": _lines(layout, frame, lines, phases, fmt, right + 6),
        "dividers": [
            {"x": num(frame.edge(start))} for start, _stop, _trial in phases[1:] if points
        ],
        "headers": _headers(layout, frame, phases, phase_labels, 8 + font) if points else [],
        "annotations": _annotations(
            layout, frame, dates, annotations, 8 + font + row * int(has_headers)
        ),
        "notes": _note_markers(layout, frame, points, notes),
    }


def _circles(frame, points, unit, decimals, flags, looks) -> list[dict[str, str]]:
    """One circle per point: position, look, CSS classes and a tooltip."""
    circles = []
    for i, ((when, value), point_flags, (look, extra)) in enumerate(
        zip(points, flags, looks, strict=True)
    ):
        classes = ["iw-point", *(f"iw-point--{FLAG_CLASSES[f]}" for f in sorted(point_flags))]
        label = f"{day(when, year=True)}: {format_value(value, unit, decimals)}"
        names = [f.replace("_", " ") for f in sorted(point_flags)] + extra
        circles.append(
            {
                "cx": num(frame.x(i)),
                "cy": num(frame.y(value)),
                **look,
                "classes": " ".join(classes + [f"iw-point--{e}" for e in extra]),
                "label": f"{label} ({', '.join(names)})" if names else label,
            }
        )
    return circles
