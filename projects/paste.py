"""Reading measure data pasted from a spreadsheet: one date and one value a line."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date

from improvewell.validators import measure_value


@dataclass
class PasteResult:
    points: list[tuple[date, float]]
    errors: list[str]


def parse_pasted_points(text: str, *, max_lines: int = 1000) -> PasteResult:
    """Read 'date, value' lines as pasted from a spreadsheet (comma, tab or semicolon).

    Every line is checked; errors name the line so that nothing is half-saved.
    """
    points, errors, seen = [], [], {}
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > max_lines:
        return PasteResult([], [f"Paste at most {max_lines} lines at a time."])
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        delimiter = "\t" if "\t" in line else (";" if ";" in line else ",")
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
        if len(cells) != 2:
            errors.append(f"Line {number}: expected a date and a value, like 2026-03-01, 42.")
            continue
        raw_date, raw_value = cells
        if not raw_value:
            errors.append(f"Line {number}: the value is missing.")
            continue
        day = _parse_day(raw_date)
        if day is None:
            errors.append(
                f"Line {number}: “{raw_date[:30]}” is not a date (use 2026-03-01 or 01/03/2026)."
            )
            continue
        try:
            value = float(raw_value.replace(",", "").rstrip("%"))
        except ValueError:
            errors.append(f"Line {number}: “{raw_value[:30]}” is not a number.")
            continue
        if value != value or value in (float("inf"), float("-inf")):
            errors.append(f"Line {number}: “{raw_value[:30]}” is not a number.")
            continue
        try:
            measure_value(value)
        except ValidationError as exc:
            errors.append(f"Line {number}: “{raw_value[:30]}”: {exc.messages[0]}")
            continue
        if day in seen:
            errors.append(f"Line {number}: {day:%d %B %Y} is already on line {seen[day]}.")
            continue
        seen[day] = number
        points.append((day, value))
    return PasteResult(points, errors)


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
