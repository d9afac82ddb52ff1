"""What a run or XmR chart shows, in words: values, dates, patterns and verdicts.

The SVG's <desc> and the page's notes are how a screen-reader user reads a chart, so each
sentence says in words what the drawing shows (charts/svg.py draws it). Pure Python: the
callers pass points as (date, value) pairs in time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .spc import (
    MIN_RUNS_TEST_OBSERVATIONS,
    MIN_XMR_POINTS,
    Pattern,
    RunChartResult,
    XmrResult,
    side_direction,
)

NUMBER_WORDS = ["No", "One", "Two", "Three", "Four", "Five"]
PATTERN_NOUNS = {
    "shift": ("shift", "shifts"),
    "trend": ("trend", "trends"),
    "astronomical": ("astronomical point", "astronomical points"),
    "outside_limits": ("point outside the process limits", "points outside the process limits"),
    "two_of_three": (
        "signal of 2 out of 3 points near a process limit",
        "signals of 2 out of 3 points near a process limit",
    ),
}
VARIATION_NOTES = {
    "common_cause": "Latest point: common cause variation, no signal of change.",
    "special_cause_improvement": "Latest point: special cause variation, an improvement.",
    "special_cause_concern": "Latest point: special cause variation, a concern.",
    "special_cause_neither": "Latest point: special cause variation.",
}
ASSURANCE_NOTES = {
    "consistently_pass": "the process will consistently meet it",
    "consistently_fail": "the process will consistently miss it unless it changes",
    "hit_and_miss": "the process will sometimes meet it and sometimes miss it",
}


def format_value(value: float, unit: str = "") -> str:
    """A value for people: at most two decimals, with its unit ("42 minutes", "12.5%")."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def day(d: date, *, year: bool = False) -> str:
    return f"{d.day} {d:%B %Y}" if year else f"{d.day} {d:%B}"


def _period(dates: Sequence[date]) -> str:
    first, last = dates[0], dates[-1]
    if len(dates) == 1:
        return f"on {day(first, year=True)}"
    return f"from {day(first, year=first.year != last.year)} to {day(last, year=True)}"


def _count(n: int, nouns: tuple[str, str]) -> str:
    word = NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)
    return f"{word} {nouns[0] if n == 1 else nouns[1]}"


def _points_in(dates: Sequence[date]) -> str:
    n = len(dates)
    return f"{n} point{'' if n == 1 else 's'} {_period(dates)}"


def _pattern_phrase(
    p: Pattern, dates: Sequence[date], values: Sequence[float], unit: str, centre: str
) -> str:
    high, start = p.side == "high", day(dates[p.start])
    if p.rule == "shift":
        return f"{len(p)} points {'above' if high else 'below'} the {centre} from {start}"
    if p.rule == "trend":
        return f"{len(p)} points {'rising' if high else 'falling'} from {start}"
    if p.rule == "two_of_three":
        limit = "upper" if high else "lower"
        return f"{len(p)} points close to the {limit} process limit from {start}"
    text = f"{format_value(values[p.start], unit)} on {start}"
    if p.rule == "outside_limits":
        text += ", above the upper limit" if high else ", below the lower limit"
    return text


def pattern_sentences(
    patterns: Sequence[Pattern],
    points: Sequence[tuple[date, float]],
    unit: str,
    centre: str,
    improvement: str | None = None,
) -> list[str]:
    """One sentence per rule broken, listing each pattern that broke it."""
    dates, values = [d for d, _ in points], [v for _, v in points]
    phrases: dict[str, list[str]] = {}
    for p in patterns:
        text = _pattern_phrase(p, dates, values, unit, centre)
        if improvement:
            text += f" ({side_direction(p.side, improvement)})"
        phrases.setdefault(p.rule, []).append(text)
    return [
        f"{_count(len(texts), PATTERN_NOUNS[rule])}: {'; '.join(texts)}."
        for rule, texts in phrases.items()
    ]


def run_summary(points: Sequence[tuple[date, float]], result: RunChartResult, unit: str) -> str:
    """The run chart in sentences: its span, median, patterns and the runs test."""
    if not points:
        return "Run chart with no data points yet."
    sentences = [f"Run chart of {_points_in([d for d, _ in points])}."]
    sentences.append(f"Median {format_value(result.median or 0.0, unit)}.")
    sentences += pattern_sentences(result.patterns, points, unit, "median")
    if not result.runs_test_applicable:
        sentences.append(
            "Too few points off the median for the runs test "
            f"({MIN_RUNS_TEST_OBSERVATIONS} needed)."
        )
    elif result.too_few_runs or result.too_many_runs:
        verdict = "too few" if result.too_few_runs else "too many"
        sentences.append(
            f"{result.runs} runs in {result.useful_observations} useful observations: {verdict} "
            "runs, a sign of non-random variation."
        )
    if not result.patterns and not result.too_few_runs and not result.too_many_runs:
        sentences.append("No run chart rule is broken.")
    return " ".join(sentences)


def xmr_notes(result: XmrResult, unit: str) -> list[str]:
    """The Making Data Count variation and assurance icons, in words."""
    if not result.enough_points:
        return [f"{MIN_XMR_POINTS} points are needed before process limits can be calculated."]
    notes = [VARIATION_NOTES[result.variation or "common_cause"]]
    if result.assurance and result.target is not None:
        target = format_value(result.target, unit)
        notes.append(f"Target {target}: {ASSURANCE_NOTES[result.assurance]}.")
    return notes


def xmr_summary(points: Sequence[tuple[date, float]], result: XmrResult, unit: str) -> str:
    """The XmR chart in sentences: its span, mean and limits, patterns and the notes."""
    if not points:
        return "XmR chart with no data points yet."
    sentences = [f"XmR chart of {_points_in([d for d, _ in points])}."]
    if result.enough_points and result.mean is not None:
        sentences.append(
            f"Mean {format_value(result.mean, unit)}, process limits "
            f"{format_value(result.lower_limit or 0.0, unit)} to "
            f"{format_value(result.upper_limit or 0.0, unit)}, "
            f"from the first {result.baseline_points} points."
        )
        sentences += pattern_sentences(result.patterns, points, unit, "mean", result.improvement)
    return " ".join(sentences + xmr_notes(result, unit))
