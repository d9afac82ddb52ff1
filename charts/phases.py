"""Phases (rebasing) and the result every control chart returns.

A series is split at change points into phases; each phase has its own centre line and
limits, worked out from its own first points, and the signal rules run within it only,
as NHSRplotthedots's `rebase` does. The chart modules (charts/spc.py for XmR,
charts/attribute.py for p, u and c) work out each phase's lines; `assemble` puts the
phases together, applies the rules and the Making Data Count icons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from . import rules
from .rules import Direction, Improvement, Pattern

# Making Data Count: limits from fewer points than this are trial limits.
MIN_XMR_POINTS = 12


@dataclass(frozen=True)
class Phase:
    """One phase's span (stop exclusive), baseline and lines (None without limits).

    `upper_limit` and `lower_limit` are None for p- and u-charts, whose limits vary with
    each point's denominator: read the result's per-point lists.
    """

    start: int
    stop: int
    baseline_points: int
    centre: float | None
    mean_moving_range: float | None = None
    upper_limit: float | None = None
    lower_limit: float | None = None

    @property
    def has_limits(self) -> bool:
        return self.centre is not None

    @property
    def trial(self) -> bool:
        """Limits from fewer than MIN_XMR_POINTS points: drawn, labelled as trial."""
        return self.has_limits and self.baseline_points < MIN_XMR_POINTS

    def __len__(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class PhaseLines:
    """What a chart type works out for one phase: the phase and its per-point lines."""

    phase: Phase
    centre: list[float | None]
    upper: list[float | None]
    lower: list[float | None]
    upper_close: list[float | None]
    lower_close: list[float | None]


@dataclass(frozen=True)
class ControlChartResult:
    """A control chart's lines, signals and Making Data Count icons.

    Per-point lists have one entry per value (None where a phase has no limits); the
    scalar lines (`mean`, `upper_limit`...) are the latest phase's, at the latest point.
    """

    chart_type: str
    n_points: int
    values: list[float]
    numerators: list[float] | None
    denominators: list[float] | None
    enough_points: bool
    trial: bool
    baseline_points: int
    improvement: Improvement
    target: float | None
    floor: float | None
    ceiling: float | None
    moving_ranges: list[float | None]
    screened: tuple[int, ...]
    phases: list[Phase]
    centre_line: list[float | None]
    upper_limits: list[float | None]
    lower_limits: list[float | None]
    upper_close_limits: list[float | None]
    lower_close_limits: list[float | None]
    mean: float | None
    mean_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_close: float | None
    lower_close: float | None
    patterns: list[Pattern]
    per_point: list[frozenset[str]]
    signal_rule: list[str | None]
    directions: list[Direction | None]
    variation: str | None
    assurance: str | None


def split(n: int, starts: Sequence[int]) -> list[tuple[int, int]]:
    """(start, stop) of each phase; change points at 0, repeated or past the end ignored."""
    cuts = sorted({i for i in starts if 0 < i < n})
    bounds = [0, *cuts, n]
    return [(a, b) for a, b in pairwise(bounds) if b > a] or [(0, 0)]


def baseline_size(length: int, baseline_points: int | None) -> int:
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be at least 1")
    return length if baseline_points is None else min(length, baseline_points)


def check_improvement(improvement: Improvement) -> None:
    if improvement not in ("up", "down", None):
        raise ValueError(f"improvement must be 'up', 'down' or None, not {improvement!r}")


def _clip(
    values: list[float | None], floor: float | None, ceiling: float | None
) -> list[float | None]:
    out = []
    for v in values:
        if v is not None and floor is not None:
            v = max(v, floor)
        if v is not None and ceiling is not None:
            v = min(v, ceiling)
        out.append(v)
    return out


def _assurance(
    target: float | None, upper: float | None, lower: float | None, improvement: Improvement
) -> str | None:
    """The MDC assurance icon: can the process meet the target, as its limits stand?"""
    if target is None or improvement is None or upper is None or lower is None:
        return None
    if lower <= target <= upper:
        return "hit_and_miss"
    passes = (target < lower) == (improvement == "up")
    return "consistently_pass" if passes else "consistently_fail"


def _concat(parts: Sequence[PhaseLines], name: str) -> list[float | None]:
    return [v for part in parts for v in getattr(part, name)]


def _clip_phase(phase: Phase, floor: float | None, ceiling: float | None) -> Phase:
    upper, lower = _clip([phase.upper_limit, phase.lower_limit], floor, ceiling)
    return Phase(**{**phase.__dict__, "upper_limit": upper, "lower_limit": lower})


# Long: gathers every field of the result in one place, in the dataclass's order.
def assemble(
    chart_type: str,
    values: Sequence[float],
    parts: Sequence[PhaseLines],
    *,
    improvement: Improvement,
    target: float | None,
    floor: float | None = None,
    ceiling: float | None = None,
    moving_ranges: list[float | None] | None = None,
    screened: Sequence[int] = (),
    numerators: Sequence[float] | None = None,
    denominators: Sequence[float] | None = None,
) -> ControlChartResult:
    """The result: lines clipped to floor/ceiling, patterns per phase, icons."""
    n = len(values)
    values = [float(v) for v in values]
    upper = _clip(_concat(parts, "upper"), floor, ceiling)
    lower = _clip(_concat(parts, "lower"), floor, ceiling)
    centre = _concat(parts, "centre")
    upper_close, lower_close = _concat(parts, "upper_close"), _concat(parts, "lower_close")
    patterns: list[Pattern] = []
    for part in parts:
        a, b = part.phase.start, part.phase.stop
        if part.phase.has_limits and b > a:
            patterns += rules.control_patterns(
                values[a:b], centre[a:b], upper[a:b], lower[a:b],
                upper_close[a:b], lower_close[a:b], offset=a,
            )  # fmt: skip
    starts = frozenset(part.phase.start for part in parts)
    directions = rules.directions(values, centre, patterns, improvement, starts)
    latest = parts[-1].phase
    last = n - 1
    has = latest.has_limits and n > 0
    return ControlChartResult(
        chart_type=chart_type,
        n_points=n,
        values=values,
        numerators=None if numerators is None else [float(v) for v in numerators],
        denominators=None if denominators is None else [float(v) for v in denominators],
        enough_points=has,
        trial=has and latest.trial,
        baseline_points=latest.baseline_points,
        improvement=improvement,
        target=target,
        floor=floor,
        ceiling=ceiling,
        moving_ranges=moving_ranges if moving_ranges is not None else [None] * n,
        screened=tuple(screened),
        phases=[_clip_phase(part.phase, floor, ceiling) for part in parts],
        centre_line=centre,
        upper_limits=upper,
        lower_limits=lower,
        upper_close_limits=upper_close,
        lower_close_limits=lower_close,
        mean=centre[last] if has else None,
        mean_moving_range=latest.mean_moving_range if has else None,
        upper_limit=upper[last] if has else None,
        lower_limit=lower[last] if has else None,
        upper_close=upper_close[last] if has else None,
        lower_close=lower_close[last] if has else None,
        patterns=patterns,
        per_point=rules.per_point(n, patterns),
        signal_rule=rules.signal_rules(n, patterns),
        directions=directions,
        variation=None if not has else _variation(directions[last]),
        assurance=_assurance(
            target, upper[last] if has else None, lower[last] if has else None, improvement
        ),
    )


def _variation(direction: Direction | None) -> str:
    return "common_cause" if direction is None else f"special_cause_{direction}"
