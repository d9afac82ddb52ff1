"""What a chart shows, in words: values, dates, patterns and verdicts.

The SVG's <desc> and the page's notes are how a screen-reader user reads a chart, so each
sentence says in words what the drawing shows (charts/svg.py draws it). Every number of
one chart is written with the same number of decimals (`chart_decimals`). Pure Python:
the callers pass points as (date, value) pairs in time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .phases import MIN_XMR_POINTS, ControlChartResult
from .rules import Pattern, side_direction
from .spc import MIN_RUNS_TEST_OBSERVATIONS, RunChartResult

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
CHART_NAMES = {"xmr": "XmR chart", "p": "p-chart", "u": "u-chart", "c": "c-chart"}
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
MAX_DECIMALS = 2


def _decimals_of(x: float) -> int:
    return next((d for d in range(MAX_DECIMALS + 1) if abs(round(x, d) - x) < 1e-9), MAX_DECIMALS)


def chart_decimals(values: Sequence[float], lines: Sequence[float | None] = ()) -> int:
    """The one number of decimals for a chart: as many as its data need (at most 2), and at
    least 1 when a centre line or limit would otherwise be rounded to a whole number."""
    decimals = max((_decimals_of(v) for v in values), default=0)
    if decimals == 0 and any(v is not None and _decimals_of(v) > 0 for v in lines):
        decimals = 1
    return decimals


def format_value(value: float, unit: str = "", decimals: int | None = None) -> str:
    """A value for people with its unit ("42 minutes", "12.5%"): with `decimals` exactly
    that many decimals, otherwise at most two."""
    exact = decimals is not None
    text = f"{value:.{decimals}f}" if exact else f"{value:.2f}".rstrip("0").rstrip(".")
    text = text[1:] if text.startswith("-") and float(text) == 0 else text
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def day(d: date, *, year: bool = False) -> str:
    return f"{d.day} {d:%B %Y}" if year else f"{d.day} {d:%B}"


def period(dates: Sequence[date]) -> str:
    """ "on 5 October 2025" or "from 5 October to 23 November 2025"."""
    first, last = dates[0], dates[-1]
    if len(dates) == 1 or first == last:
        return f"on {day(first, year=True)}"
    return f"from {day(first, year=first.year != last.year)} to {day(last, year=True)}"


def _count(n: int, nouns: tuple[str, str]) -> str:
    word = NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)
    return f"{word} {nouns[0] if n == 1 else nouns[1]}"


def points_in(dates: Sequence[date]) -> str:
    n = len(dates)
    return f"{n} point{'' if n == 1 else 's'} {period(dates)}"


def _pattern_phrase(
    p: Pattern, dates: Sequence[date], values: Sequence[float], fmt, centre: str
) -> str:
    """A pattern in words, naming its points' dates ("from 5 October to 23 November")."""
    high = p.side == "high"
    span = period([dates[p.start], dates[p.end]])
    if p.rule == "shift":
        return f"{len(p)} points {'above' if high else 'below'} the {centre} {span}"
    if p.rule == "trend":
        return f"{len(p)} points {'rising' if high else 'falling'} {span}"
    if p.rule == "two_of_three":
        limit = "upper" if high else "lower"
        return f"{len(p)} points close to the {limit} process limit {span}"
    text = f"{fmt(values[p.start])} on {day(dates[p.start])}"
    if p.rule == "outside_limits":
        text += ", above the upper limit" if high else ", below the lower limit"
    return text


def pattern_sentences(
    patterns: Sequence[Pattern],
    points: Sequence[tuple[date, float]],
    fmt,
    centre: str,
    improvement: str | None = None,
) -> list[str]:
    """One sentence per rule broken, listing each pattern that broke it."""
    dates, values = [d for d, _ in points], [v for _, v in points]
    phrases: dict[str, list[str]] = {}
    for p in patterns:
        text = _pattern_phrase(p, dates, values, fmt, centre)
        if improvement:
            text += f" ({side_direction(p.side, improvement)})"
        phrases.setdefault(p.rule, []).append(text)
    return [
        f"{_count(len(texts), PATTERN_NOUNS[rule])}: {'; '.join(texts)}."
        for rule, texts in phrases.items()
    ]


def _runs_sentence(result: RunChartResult) -> str | None:
    if not result.runs_test_applicable:
        return (
            "Too few points off the median for the runs test "
            f"({MIN_RUNS_TEST_OBSERVATIONS} needed)."
        )
    if result.too_few_runs or result.too_many_runs:
        verdict = "too few" if result.too_few_runs else "too many"
        return (
            f"{result.runs} runs in {result.useful_observations} useful observations: "
            f"{verdict} runs, a sign of non-random variation."
        )
    return None


def run_summary(
    points: Sequence[tuple[date, float]],
    result: RunChartResult,
    unit: str,
    decimals: int | None = None,
) -> str:
    """The run chart in sentences: its span, median(s), patterns and the runs test."""
    if not points:
        return "Run chart with no data points yet."
    dates = [d for d, _ in points]

    def fmt(v: float) -> str:
        return format_value(v, unit, decimals)

    sentences = [f"Run chart of {points_in(dates)}."]
    for k, phase in enumerate(result.phases or []):
        base = f"the first {phase.baseline_points} points"
        if phase.stop - phase.start == phase.baseline_points:
            base = "all its points" if len(result.phases) > 1 else "all points"
        where = f"Phase {k + 1} ({period(dates[phase.start : phase.stop])}): median"
        label = where if len(result.phases) > 1 else "Median"
        sentences.append(f"{label} {fmt(phase.median or 0.0)}, from {base}.")
    sentences += pattern_sentences(result.patterns, points, fmt, "median")
    runs = _runs_sentence(result)
    if runs:
        sentences.append(runs)
    if not result.patterns and not result.too_few_runs and not result.too_many_runs:
        sentences.append("No run chart rule is broken.")
    return " ".join(sentences)


def xmr_notes(result: ControlChartResult, unit: str, decimals: int | None = None) -> list[str]:
    """The Making Data Count variation and assurance icons, and trial limits, in words."""
    if not result.enough_points:
        return ["At least 2 points are needed before process limits can be calculated."]
    notes = []
    if result.trial:
        notes.append(
            f"Trial limits: from {result.baseline_points} points. They are recalculated "
            f"as points are added, until there are {MIN_XMR_POINTS}."
        )
    notes.append(VARIATION_NOTES[result.variation or "common_cause"])
    if result.assurance and result.target is not None:
        target = format_value(result.target, unit, decimals)
        notes.append(f"Target {target}: {ASSURANCE_NOTES[result.assurance]}.")
    return notes


def _phase_sentence(result, k, dates, fmt) -> str:
    phase = result.phases[k]
    centre = "Mean" if result.chart_type in ("xmr", "c") else "Centre line"
    base = f"the first {phase.baseline_points} points"
    if len(phase) == phase.baseline_points:
        base = f"its {phase.baseline_points} points" if len(result.phases) > 1 else "all points"
    trial = "trial " if phase.trial else ""
    if phase.upper_limit is not None and phase.lower_limit is not None:
        limits = f"{trial}process limits {fmt(phase.lower_limit)} to {fmt(phase.upper_limit)}"
    else:
        limits = f"{trial}process limits that vary with each point's denominator"
    text = f"{centre} {fmt(phase.centre)}, {limits}, from {base}."
    if len(result.phases) > 1:
        text = f"Phase {k + 1} ({period(dates[phase.start : phase.stop])}): {text}"
    return text


def xmr_summary(
    points: Sequence[tuple[date, float]],
    result: ControlChartResult,
    unit: str,
    decimals: int | None = None,
) -> str:
    """A control chart in sentences: its span, centre and limits (per phase), the
    patterns and the notes."""
    name = CHART_NAMES[result.chart_type]
    if not points:
        return f"{name} with no data points yet."
    dates = [d for d, _ in points]

    def fmt(v: float) -> str:
        return format_value(v, unit, decimals)

    sentences = [f"{name} of {points_in(dates)}."]
    if result.enough_points:
        sentences += [
            _phase_sentence(result, k, dates, fmt)
            for k, phase in enumerate(result.phases)
            if phase.has_limits
        ]
        if result.screened:
            screened = ", ".join(day(dates[i]) for i in result.screened)
            sentences.append(
                f"Moving ranges more than 3.267 times their mean left out of the limits: "
                f"{screened}."
            )
        sentences += pattern_sentences(result.patterns, points, fmt, "mean", result.improvement)
    return " ".join(sentences + xmr_notes(result, unit, decimals))
