"""Limits every form and service applies to what people type."""

import math
import re
import unicodedata

from django.core.exceptions import ValidationError

# Control (Cc), format (Cf) and line/paragraph separator (Zl, Zp) characters have no
# place in a one-line name or title: a newline in a title breaks email subjects.
_NOT_ON_ONE_LINE = {"Cc", "Cf", "Zl", "Zp"}

# Measure values: wide enough for any count, time or rate a ward records, and small
# enough that sums, means and chart scales stay finite.
MEASURE_VALUE_LIMIT = 1e12


def single_line(value: str) -> None:
    """Refuse control characters (newlines, tabs, escapes) in a one-line field."""
    if any(unicodedata.category(c) in _NOT_ON_ONE_LINE for c in value):
        raise ValidationError(
            "Use letters, numbers and punctuation only, on one line (no line breaks, tabs "
            "or control characters).",
            code="single_line",
        )


def is_measure_value(value: float) -> bool:
    return math.isfinite(value) and abs(value) <= MEASURE_VALUE_LIMIT


def measure_value(value: float) -> None:
    if not is_measure_value(value):
        raise ValidationError(
            "Enter a number between -1,000,000,000,000 and 1,000,000,000,000.",
            code="measure_value",
        )


def one_line(text: str) -> str:
    """Text collapsed onto one line: every run of whitespace or control characters
    becomes one space. For email subjects and headers, so that an old row written
    before the checks above can never make a send fail."""
    cleaned = "".join(
        " " if unicodedata.category(c) in _NOT_ON_ONE_LINE or c.isspace() else c for c in text
    )
    return re.sub(r" +", " ", cleaned).strip()
