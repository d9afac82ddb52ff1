"""p-, u- and c-charts: limits from the binomial or Poisson model, as qicharts2 draws them.

qicharts2 (anhoej/qicharts2, R/helper.functions.R: qic.p, qic.u, qic.c; Montgomery,
Introduction to Statistical Quality Control, equations 7.7-7.8 and 7.17-7.19):

- p-chart (a percentage: numerator / denominator): centre p-bar = sum of numerators /
  sum of denominators over the baseline; limits p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n_i),
  which vary with each point's denominator n_i; clipped to 0..1 (0..100%).
- u-chart (a rate: events / exposure): u-bar = sum / sum; limits u-bar +/- 3 sqrt(u-bar / n_i),
  the lower clipped at 0.
- c-chart (a count from a constant area of opportunity): c-bar = mean; limits
  c-bar +/- 3 sqrt(c-bar), the lower clipped at 0.

The "close to a limit" lines sit at 2 sigma, and the same Making Data Count rules run on
these charts as on XmR (charts/rules.py), against each point's own limits.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from .phases import (
    ControlChartResult,
    Phase,
    PhaseLines,
    assemble,
    baseline_size,
    check_improvement,
    split,
)
from .rules import Improvement


def _check_denominators(numerators: Sequence[float], denominators: Sequence[float]) -> None:
    if len(numerators) != len(denominators):
        raise ValueError("numerators and denominators must be the same length")
    if any(d <= 0 for d in denominators):
        raise ValueError("every denominator must be more than 0")


def _lines(
    centre: float, sigmas: Sequence[float], start: int, stop: int, base: int, scale: float
) -> PhaseLines:
    """A phase's per-point lines at 3 and 2 sigma, in plotted units (times `scale`)."""
    c = centre * scale
    s = [sigma * scale for sigma in sigmas]
    both = Phase(start, stop, base, c)
    return PhaseLines(
        phase=both,
        centre=[c] * len(s),
        upper=[c + 3 * x for x in s],
        lower=[c - 3 * x for x in s],
        upper_close=[c + 2 * x for x in s],
        lower_close=[c - 2 * x for x in s],
    )


def _ratio_parts(
    numerators: Sequence[float],
    denominators: Sequence[float],
    phases: Sequence[int],
    baseline_points: int | None,
    sigma,
    scale: float,
) -> list[PhaseLines]:
    parts = []
    for start, stop in split(len(numerators), phases):
        base = baseline_size(stop - start, baseline_points)
        total = sum(denominators[start : start + base])
        if not base or not total:
            none = [None] * (stop - start)
            parts.append(PhaseLines(Phase(start, stop, base, None), none, none, none, none, none))
            continue
        centre = sum(numerators[start : start + base]) / total
        sigmas = [sigma(centre, n) for n in denominators[start:stop]]
        parts.append(_lines(centre, sigmas, start, stop, base, scale))
    return parts


def p_chart(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    baseline_points: int | None = None,
    improvement: Improvement = None,
    target: float | None = None,
    phases: Sequence[int] = (),
    multiplier: float = 100.0,
) -> ControlChartResult:
    """A p-chart of numerators / denominators (percent with the default multiplier)."""
    check_improvement(improvement)
    _check_denominators(numerators, denominators)
    if any(x < 0 or x > d for x, d in zip(numerators, denominators, strict=True)):
        raise ValueError("each numerator must be between 0 and its denominator")
    parts = _ratio_parts(
        numerators, denominators, phases, baseline_points,
        lambda p, n: math.sqrt(p * (1 - p) / n), multiplier,
    )  # fmt: skip
    values = [multiplier * x / d for x, d in zip(numerators, denominators, strict=True)]
    # qicharts2 draws a limit past 0 or 1 at 0 or 1 (0 or 100%).
    return assemble(
        "p", values, parts, improvement=improvement, target=target,
        floor=0.0, ceiling=multiplier, numerators=numerators, denominators=denominators,
    )  # fmt: skip


def u_chart(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    baseline_points: int | None = None,
    improvement: Improvement = None,
    target: float | None = None,
    phases: Sequence[int] = (),
    multiplier: float = 1.0,
) -> ControlChartResult:
    """A u-chart of events / exposure (times `multiplier`, e.g. 1000 bed days)."""
    check_improvement(improvement)
    _check_denominators(numerators, denominators)
    if any(x < 0 for x in numerators):
        raise ValueError("a rate's numerators cannot be negative")
    parts = _ratio_parts(
        numerators, denominators, phases, baseline_points,
        lambda u, n: math.sqrt(u / n), multiplier,
    )  # fmt: skip
    values = [multiplier * x / d for x, d in zip(numerators, denominators, strict=True)]
    return assemble(
        "u", values, parts, improvement=improvement, target=target, floor=0.0,
        numerators=numerators, denominators=denominators,
    )  # fmt: skip


def c_chart(
    counts: Sequence[float],
    *,
    baseline_points: int | None = None,
    improvement: Improvement = None,
    target: float | None = None,
    phases: Sequence[int] = (),
) -> ControlChartResult:
    """A c-chart of counts of events in equal areas of opportunity."""
    check_improvement(improvement)
    if any(x < 0 for x in counts):
        raise ValueError("counts cannot be negative")
    parts = []
    for start, stop in split(len(counts), phases):
        base = baseline_size(stop - start, baseline_points)
        if not base:
            parts.append(PhaseLines(Phase(start, stop, 0, None), [], [], [], [], []))
            continue
        centre = statistics.fmean(counts[start : start + base])
        lines = _lines(centre, [math.sqrt(centre)] * (stop - start), start, stop, base, 1.0)
        sigma = math.sqrt(centre)
        phase = Phase(start, stop, base, centre, None, centre + 3 * sigma, centre - 3 * sigma)
        parts.append(PhaseLines(phase, *(getattr(lines, k) for k in LINE_NAMES)))
    return assemble("c", counts, parts, improvement=improvement, target=target, floor=0.0)


LINE_NAMES = ("centre", "upper", "lower", "upper_close", "lower_close")
