"""Reading measure data pasted from a spreadsheet: a date and its numbers, one point a line.

A measurement or count has one number a line ("2026-03-01, 42"); a rate or percentage
has two, the numerator then the denominator ("2026-03-01, 3, 212").
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.utils.dateparse import parse_date

from projects import kinds

EXAMPLES = {
    1: "2026-03-01, 42",
    2: "2026-03-01, 3, 212",
}
WHAT = {1: "a date and a value", 2: "a date, the numerator and the denominator"}


@dataclass
class PasteResult:
    points: list[tuple]
    errors: list[str]


def paste_help(kind: str) -> str:
    n = len(kinds.columns(kind))
    return f"One line per data point: {WHAT[n]}. For example: {EXAMPLES[n]}"


def parse_pasted_points(
    text: str, *, kind: str = kinds.Kind.MEASUREMENT, max_lines: int = 1000
) -> PasteResult:
    """Read 'date, value' (or 'date, numerator, denominator') lines as pasted from a
    spreadsheet (comma, tab or semicolon separated) into tuples for measure_points_add.

    Every line is checked; errors name the line so that nothing is half-saved.
    """
    names = kinds.columns(kind)
    points, errors, seen = [], [], {}
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > max_lines:
        return PasteResult([], [f"Paste at most {max_lines} lines at a time."])
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        delimiter = "\t" if "\t" in line else (";" if ";" in line else ",")
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
        if len(cells) != len(names) + 1:
            errors.append(
                f"Line {number}: expected {WHAT[len(names)]}, like {EXAMPLES[len(names)]}."
            )
            continue
        problem, day, numbers = _read_line(kind, names, cells)
        if problem:
            errors.append(f"Line {number}: {problem}")
            continue
        if day in seen:
            errors.append(f"Line {number}: {day:%d %B %Y} is already on line {seen[day]}.")
            continue
        seen[day] = number
        points.append((day, *numbers))
    return PasteResult(points, errors)


def _read_line(kind: str, names, cells) -> tuple[str, date | None, list[float]]:
    """A line's problem (or ""), its date and its numbers."""
    raw_date, *raw_numbers = cells
    for name, raw in zip(names, raw_numbers, strict=True):
        if not raw:
            return f"the {name} is missing.", None, []
    day = _parse_day(raw_date)
    if day is None:
        return f"“{raw_date[:30]}” is not a date (use 2026-03-01 or 01/03/2026).", None, []
    numbers = []
    for raw in raw_numbers:
        try:
            value = float(raw.replace(",", "").rstrip("%"))
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            return f"“{raw[:30]}” is not a number.", None, []
        numbers.append(value)
    problems = kinds.point_errors(kind, dict(zip(names, numbers, strict=True)))
    if problems:
        name, message = next(iter(problems.items()))
        return f"“{raw_numbers[names.index(name)][:30]}”: {message}", None, []
    return "", day, numbers


def _parse_day(raw: str) -> date | None:
    try:
        parsed = parse_date(raw)
    except ValueError:
        return None
    if parsed:
        return parsed
    parts = raw.replace("-", "/").replace(".", "/").split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (int(p) for p in parts)
        if year < 100:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None
