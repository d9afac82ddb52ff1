"""What each kind of measure records, how a point's charted value follows, and which
SPC chart it gets.

- measurement (minutes, a score): one value a point; XmR chart.
- count (falls a week): a whole number, 0 or more; c-chart.
- rate (falls per 1,000 bed days): events and a denominator; u-chart, whose limits
  vary with each point's denominator.
- percentage (patients screened): how many out of how many; p-chart, likewise.

One home for these rules: the forms, the paste reader and the services all ask here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from improvewell.validators import is_measure_value, measure_value
from projects.models import Measure

Kind = Measure.Kind

CHART_NAMES = {
    Kind.MEASUREMENT: "XmR",
    Kind.COUNT: "c-chart",
    Kind.RATE: "u-chart",
    Kind.PERCENTAGE: "p-chart",
}
RATE_PER_CHOICES = [
    (1, "per 1"),
    (10, "per 10"),
    (100, "per 100"),
    (1000, "per 1,000"),
    (10000, "per 10,000"),
    (100000, "per 100,000"),
]
RATE_PERS = {value for value, _ in RATE_PER_CHOICES}


def needs_denominator(kind: str) -> bool:
    return kind in (Kind.RATE, Kind.PERCENTAGE)


def columns(kind: str) -> tuple[str, ...]:
    """The numbers a point of this kind takes, in the order they are typed or pasted."""
    return ("numerator", "denominator") if needs_denominator(kind) else ("value",)


def column_names(measure: Measure) -> dict[str, str]:
    """What people call each number of a point of this measure."""
    of = measure.denominator_name or "the denominator"
    if measure.kind == Kind.RATE:
        return {"numerator": "Number of events", "denominator": f"Denominator ({of})"}
    if measure.kind == Kind.PERCENTAGE:
        return {"numerator": "How many (numerator)", "denominator": f"Out of how many ({of})"}
    if measure.kind == Kind.COUNT:
        return {"value": "Count"}
    return {"value": "Value"}


def measure_errors(*, kind: str, rate_per: int | None, denominator_name: str) -> dict[str, str]:
    """Field errors for a measure's kind and what goes with it; empty when right."""
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = "Choose what kind of data the measure records."
    if kind == Kind.RATE and rate_per not in RATE_PERS:
        errors["rate_per"] = "Choose what the rate is per, for example per 1,000."
    if needs_denominator(kind) and not denominator_name.strip():
        errors["denominator_name"] = (
            "Say what the denominator counts, for example bed days or patients audited."
        )
    return errors


def _whole(x: float) -> bool:
    return is_measure_value(x) and x >= 0 and float(x).is_integer()


def point_errors(kind: str, numbers: dict[str, float | None]) -> dict[str, str]:
    """Field errors for one point's numbers (keys from `columns(kind)`); empty when right."""
    errors = {}
    if kind == Kind.MEASUREMENT:
        value = numbers.get("value")
        if value is None:
            errors["value"] = "Enter the value."
        elif not is_measure_value(value):
            errors["value"] = _bounds_message()
        return errors
    if kind == Kind.COUNT:
        value = numbers.get("value")
        if value is None:
            errors["value"] = "Enter the count."
        elif not _whole(value):
            errors["value"] = "A count is a whole number, 0 or more."
        return errors
    numerator, denominator = numbers.get("numerator"), numbers.get("denominator")
    if numerator is None:
        errors["numerator"] = "Enter the numerator."
    elif not _whole(numerator):
        errors["numerator"] = "The numerator is a whole number, 0 or more."
    if denominator is None:
        errors["denominator"] = "Enter the denominator."
    elif not is_measure_value(denominator) or denominator <= 0:
        errors["denominator"] = "The denominator must be more than 0."
    elif kind == Kind.PERCENTAGE and not float(denominator).is_integer():
        errors["denominator"] = "The denominator of a percentage is a whole number."
    if (
        not errors
        and kind == Kind.PERCENTAGE
        and numerator is not None
        and denominator is not None
        and numerator > denominator
    ):
        errors["numerator"] = "The numerator cannot be more than the denominator."
    return errors


def _bounds_message() -> str:
    try:
        measure_value(float("inf"))
    except ValidationError as exc:
        return exc.messages[0]
    return ""  # pragma: no cover


def charted_value(measure: Measure, numbers: dict[str, float | None]) -> float:
    """The value a point is charted at: a rate per `rate_per`, a percentage out of 100."""
    if measure.kind == Kind.RATE:
        return numbers["numerator"] / numbers["denominator"] * (measure.rate_per or 1)
    if measure.kind == Kind.PERCENTAGE:
        return numbers["numerator"] / numbers["denominator"] * 100
    return numbers["value"]
