"""A chart's figures as a table: each point with its lines, signal and note.

The table is how the numbers behind a chart are read exactly, by anyone and by screen
readers; it uses the chart's one number format (charts/words.py `format_value`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from .phases import ControlChartResult
from .spc import RunChartResult
from .words import day, format_value

RULE_WORDS = {
    "outside_limits": "Outside the process limits",
    "trend": "Trend",
    "two_of_three": "2 of 3 near a limit",
    "shift": "Shift",
    "astronomical": "Astronomical point",
}


def _signal(result, i: int) -> str:
    if isinstance(result, RunChartResult):
        return ", ".join(RULE_WORDS[f] for f in sorted(result.per_point[i]))
    rule = result.signal_rule[i]
    if rule is None:
        return ""
    direction = result.directions[i]
    return f"{RULE_WORDS[rule]} ({direction})" if direction != "neither" else RULE_WORDS[rule]


def chart_table(
    points: Sequence[tuple[date, float]],
    result: RunChartResult | ControlChartResult,
    *,
    unit: str,
    decimals: int,
    notes: Sequence[dict[str, Any]],
    date_heading: str = "Date",
) -> dict[str, Any]:
    """Headings, and rows of cells ({"heading", "text"}); point notes in the last column."""

    def fmt(value: float | None) -> str:
        return "" if value is None else format_value(value, "", decimals)

    control = isinstance(result, ControlChartResult)
    ratio = control and result.denominators is not None
    value = f"Value ({unit})" if unit else "Value"
    headings = [date_heading, value]
    headings += ["Numerator", "Denominator"] if ratio else []
    headings += ["Mean" if control and result.chart_type in ("xmr", "c") else "Centre line"]
    headings[-1] = headings[-1] if control else "Median"
    headings += ["Lower limit", "Upper limit"] if control else []
    headings += ["Signal", "Note"]
    by_index = {note["index"]: f"{note['number']}. {note['text']}" for note in notes}
    rows = []
    for i, (when, v) in enumerate(points):
        row = [day(when, year=True), fmt(v)]
        if ratio:
            row += [f"{result.numerators[i]:g}", f"{result.denominators[i]:g}"]
        row.append(fmt(result.centre_line[i] if i < len(result.centre_line) else None))
        if control:
            row += [fmt(result.lower_limits[i]), fmt(result.upper_limits[i])]
        row += [_signal(result, i), by_index.get(i, "")]
        rows.append([{"heading": h, "text": t} for h, t in zip(headings, row, strict=True)])
    return {"headings": headings, "rows": rows}
