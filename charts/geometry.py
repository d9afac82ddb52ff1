"""Layouts, scales and text widths for the SVG charts (charts/svg.py draws with them).

Two layouts of each chart: a wide one for tablets and desktops and a narrow one for
phones. The narrow one is 280 units wide with 16-unit text, so that a chart shown 288 CSS
pixels wide (a 320 px screen less the page margins) has text of at least 16 px, the NHS.UK
body size on a phone; the page's stylesheet shows one layout or the other by width.
Every label is measured (an estimate from the font size) and the margins are made wide
enough for the longest, so no label is cut off at the edge of the drawing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Arial's (the NHS.UK fallback font's) digits and most lower-case letters are 0.556 em
# wide; 0.6 em leaves room for wider capitals.
CHAR_WIDTH = 0.6


@dataclass(frozen=True)
class Layout:
    name: str
    width: int
    height: int
    font: int  # font size of every label, in viewBox units
    line_labels: bool  # label the latest lines in the right margin
    x_tick_count: int
    y_tick_count: int

    @property
    def row(self) -> int:
        """The height of one row of text."""
        return round(self.font * 1.25)


WIDE = Layout("wide", 720, 400, 14, True, 6, 5)
NARROW = Layout("narrow", 280, 300, 16, False, 2, 4)
LAYOUTS = (WIDE, NARROW)


def text_width(text: str, font: int) -> float:
    return len(text) * font * CHAR_WIDTH


def fit(text: str, room: float, font: int) -> str:
    """The text, or as much as fits in `room` followed by an ellipsis ("" if none does)."""
    if text_width(text, font) <= room:
        return text
    chars = int(room / (font * CHAR_WIDTH)) - 1
    return text[:chars].rstrip() + "…" if chars >= 2 else ""


def nice_ticks(low: float, high: float, *, count: int, decimals: int) -> tuple[list[float], float]:
    """Round tick values covering low..high, at most `count`, on steps the chart's number
    of decimals can show (so every tick label has the chart's one format)."""
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    magnitude = 10 ** math.floor(math.log10((high - low) / count))
    smallest = 10**-decimals
    step = magnitude
    for m in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = m * magnitude
        if step < smallest - 1e-12 or abs(round(step, decimals) - step) > 1e-9:
            continue
        start, stop = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        if stop - start + 1 <= count:
            break
    start, stop = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(start, stop + 1)], step


@dataclass
class Frame:
    """Maps point index and value to viewBox coordinates within a plot area.

    Points sit in the middle of equal slots, so that limits that change from point to
    point are drawn as steps a slot wide, and a phase divider falls between two slots.
    """

    n: int
    left: float
    right: float
    top: float
    bottom: float
    low: float
    high: float

    @property
    def slot(self) -> float:
        return (self.right - self.left) / max(self.n, 1)

    def x(self, index: float) -> float:
        return self.left + (index + 0.5) * self.slot

    def edge(self, index: int) -> float:
        """The left edge of point `index`'s slot (the divider before it)."""
        return self.left + index * self.slot

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


def y_range(
    values: Sequence[float], floor: float | None, ceiling: float | None
) -> tuple[float, float]:
    """The span of values to show, padded a little, never beyond floor or ceiling."""
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return low, high


def bounded_ticks(
    low: float,
    high: float,
    *,
    count: int,
    decimals: int,
    floor: float | None,
    ceiling: float | None,
) -> list[float]:
    """Ticks for low..high that never go below the floor or above the ceiling."""
    ticks, step = nice_ticks(low, high, count=count, decimals=decimals)
    if floor is not None and ticks[0] < floor:
        ticks = [t for t in ticks if t > floor]
        ticks.insert(0, floor)
    if ceiling is not None and ticks[-1] > ceiling:
        ticks = [t for t in ticks if t < ceiling]
        ticks.append(ceiling)
    if len(ticks) < 2:
        ticks = [ticks[0], ticks[0] + step]
    return ticks


def num(x: float) -> str:
    """A coordinate as a plain decimal string, never localised."""
    return f"{x:.1f}"


def step_path(frame: Frame, start: int, values: Sequence[float | None]) -> str:
    """An SVG path for a line that may change at each point: flat across each point's slot,
    stepping at the slot's edge, broken where a value is None."""
    d: list[str] = []
    previous: float | None = None
    for k, value in enumerate(values):
        i = start + k
        if value is None:
            previous = None
            continue
        y = num(frame.y(value))
        if previous is None:
            d.append(f"M{num(frame.edge(i))},{y}")
        elif value != previous:
            d.append(f"V{y}")
        if d[-1].startswith("H"):
            d[-1] = f"H{num(frame.edge(i + 1))}"
        else:
            d.append(f"H{num(frame.edge(i + 1))}")
        previous = value
    return " ".join(d)
