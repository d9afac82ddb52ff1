"""Run charts and control charts: pure functions over a time-ordered list of values.

Run charts follow the IHI / NHS Improvement rules (Perla, Provost & Murray, BMJ Qual Saf
2011) with a baseline median as qicharts2 freezes it; control charts (XmR here, p, u and
c in charts/attribute.py) follow NHS England's "Making Data Count" (MDC) rules as
NHSRplotthedots implements them (charts/rules.py). Nothing here knows about Django or
dates: callers pass the values in time order and keep the dates themselves.

Every detected pattern is a `Pattern`; every result also has `per_point`, one frozenset of
rule names per input index, so a chart can style each point. This module is the one to
import: it re-exports the other chart modules' public names.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from . import rules
from .attribute import c_chart, p_chart, u_chart
from .phases import (
    MIN_XMR_POINTS,
    ControlChartResult,
    Phase,
    PhaseLines,
    assemble,
    baseline_size,
    check_improvement,
    split,
)
from .rules import (
    XMR_SHIFT_POINTS,
    XMR_TREND_POINTS,
    Direction,
    Improvement,
    Pattern,
    Side,
    side_direction,
)

__all__ = [
    "MIN_XMR_POINTS", "XMR_SHIFT_POINTS", "XMR_TREND_POINTS", "ControlChartResult",
    "Direction", "Improvement", "Pattern", "Phase", "RunChartResult", "RunPhase", "Side",
    "XmrResult", "bounds_for", "c_chart", "chart_type_for", "control_chart", "median",
    "p_chart", "run_chart", "side_direction", "u_chart", "xmr_chart",
]  # fmt: skip

XmrResult = ControlChartResult  # the name callers have used since XmR was the only chart

# Run chart rules (IHI).
RUN_SHIFT_POINTS = 6
RUN_TREND_POINTS = 5
MIN_RUNS_TEST_OBSERVATIONS = 10

# The run chart median comes from the first points (IHI suggests 12 or more), then is
# extended over the rest, as qicharts2's `freeze` does.
RUN_BASELINE_POINTS = 12

# XmR (Making Data Count, NHSRplotthedots R/ptd_spc_standard.R).
MIN_LIMIT_POINTS = 2  # one moving range: the reference draws limits from any group this size
SCREEN_FACTOR = 3.267  # moving ranges at or above 3.267 x their mean are screened out
LIMIT_FACTOR = 2.66  # 3 / d2: process limits sit 2.66 mean moving ranges from the mean
D2 = 1.128  # bias constant for moving ranges of two points: sigma = MR-bar / d2

# Lower and upper limits of the number of runs for 10-60 useful observations: fewer runs
# than the lower limit are "too few", more than the upper limit "too many" (about a 5% risk
# of a false signal). Perla, Provost & Murray 2011, Table 1 (after Swed & Eisenhart 1943),
# as reproduced in IHI's and NHS Improvement's run chart guides.
RUNS_LIMITS: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12),
    15: (5, 12), 16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15),
    20: (6, 16), 21: (7, 16), 22: (7, 17), 23: (7, 17), 24: (8, 18),
    25: (8, 18), 26: (9, 19), 27: (10, 19), 28: (10, 20), 29: (10, 20),
    30: (11, 21), 31: (11, 22), 32: (11, 22), 33: (11, 23), 34: (12, 23),
    35: (13, 24), 36: (13, 24), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (15, 27), 42: (16, 28), 43: (16, 28), 44: (17, 29),
    45: (17, 30), 46: (17, 30), 47: (18, 31), 48: (18, 31), 49: (19, 32),
    50: (19, 32), 51: (20, 33), 52: (20, 33), 53: (21, 34), 54: (21, 35),
    55: (22, 35), 56: (22, 36), 57: (23, 36), 58: (23, 37), 59: (24, 38),
    60: (24, 38),
}  # fmt: skip


@dataclass(frozen=True)
class RunPhase:
    """One run chart phase (stop exclusive) and the median of its baseline."""

    start: int
    stop: int
    baseline_points: int
    median: float | None


@dataclass(frozen=True)
class RunChartResult:
    """A run chart's median and signals. `median` (the latest phase's) is None only for no
    points; `centre_line` is each point's median. The runs test is the latest phase's."""

    n_points: int
    baseline_points: int
    median: float | None
    shifts: list[Pattern]
    trends: list[Pattern]
    astronomical: list[Pattern]
    runs: int
    useful_observations: int
    runs_limits: tuple[int, int] | None
    too_few_runs: bool
    too_many_runs: bool
    per_point: list[frozenset[str]]
    phases: list[RunPhase] = field(default_factory=list)
    centre_line: list[float | None] = field(default_factory=list)

    @property
    def runs_test_applicable(self) -> bool:
        """The runs test needs 10-60 useful observations (the published table's range)."""
        return self.runs_limits is not None

    @property
    def patterns(self) -> list[Pattern]:
        return [*self.shifts, *self.trends, *self.astronomical]

    @property
    def flagged(self) -> list[int]:
        """Indices of the points in any pattern, in order."""
        return [i for i, flags in enumerate(self.per_point) if flags]


def median(values: Sequence[float]) -> float:
    """The median; raises ValueError for no values."""
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


def _mean_moving_range(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    return statistics.fmean(abs(b - a) for a, b in pairwise(values))


def _astronomical(values: Sequence[float], base: Sequence[float], offset: int) -> list[Pattern]:
    mr_bar = _mean_moving_range(base)
    if not mr_bar:
        return []
    mean, sigma = statistics.fmean(base), mr_bar / D2
    return [
        Pattern("astronomical", (offset + i,), rules.side_of(rules.sign(x - mean)))
        for i, x in enumerate(values)
        if abs(x - mean) > 3 * sigma
    ]


def run_chart(
    values: Sequence[float],
    *,
    baseline: int | None = RUN_BASELINE_POINTS,
    phases: Sequence[int] = (),
) -> RunChartResult:
    """Analyse a run chart.

    Each phase's median (and astronomical-point limits) comes from its first `baseline`
    points (every point of the phase when None) and is extended over the rest of the
    phase; the rules run on every point, within its phase:

    - shift: 6 or more consecutive points strictly above, or strictly below, the median;
      points on the median are skipped (they neither break nor count).
    - trend: 5 or more consecutive points each higher (or each lower) than the last; a
      value equal to the one before is skipped (only the first of equal values counts).
    - runs: series of points on the same side of the median, ignoring points on it;
      too few / too many against RUNS_LIMITS for 10-60 useful observations (points not on
      the median) of the latest phase, otherwise the runs test is not applicable.
    - astronomical: IHI leaves this to judgement; here a point with
      |x - mean| > 3 sigma, sigma = mean moving range / 1.128 (the XmR natural limits),
      mean and moving ranges from the baseline. Needs 2 baseline points and some variation.
    """
    if baseline is not None and baseline < 1:
        raise ValueError("baseline must be at least 1 point")
    n = len(values)
    if not n:
        return RunChartResult(0, 0, None, [], [], [], 0, 0, None, False, False, [])
    found: dict[str, list[Pattern]] = {"shift": [], "trend": [], "astronomical": []}
    run_phases, centre_line = [], []
    for start, stop in split(n, phases):
        part = values[start:stop]
        base = part[: baseline_size(len(part), baseline)]
        centre = median(base)
        run_phases.append(RunPhase(start, stop, len(base), centre))
        centre_line += [centre] * len(part)
        sides = [rules.sign(x - centre) for x in part]
        shifts, runs = rules.shifts(sides, RUN_SHIFT_POINTS, skip_centre=True, offset=start)
        found["shift"] += shifts
        found["trend"] += rules.trends(part, RUN_TREND_POINTS, skip_repeats=True, offset=start)
        found["astronomical"] += _astronomical(part, base, start)
    useful = sum(1 for x in part if x != centre)  # the latest phase's runs test
    limits = RUNS_LIMITS.get(useful)
    return RunChartResult(
        n_points=n,
        baseline_points=len(base),
        median=centre,
        shifts=found["shift"],
        trends=found["trend"],
        astronomical=found["astronomical"],
        runs=runs,
        useful_observations=useful,
        runs_limits=limits,
        too_few_runs=limits is not None and runs < limits[0],
        too_many_runs=limits is not None and runs > limits[1],
        per_point=rules.per_point(n, [p for patterns in found.values() for p in patterns]),
        phases=run_phases,
        centre_line=centre_line,
    )


def _xmr_phase(
    values: Sequence[float], start: int, stop: int, baseline_points: int, screen: bool
) -> tuple[PhaseLines, list[int]]:
    """One phase's mean and limits from its baseline, and the screened moving ranges.

    As NHSRplotthedots does: moving ranges of the baseline at or above 3.267 x their mean
    are left out and the mean moving range worked out again, once.
    """
    base = values[start : start + baseline_size(stop - start, baseline_points)]
    length = stop - start
    if len(base) < MIN_LIMIT_POINTS:
        none = [None] * length
        return PhaseLines(Phase(start, stop, len(base), None), none, none, none, none, none), []
    ranges = [abs(b - a) for a, b in pairwise(base)]
    mr_bar = statistics.fmean(ranges)
    screened = []
    if screen and mr_bar > 0:
        screened = [start + 1 + i for i, r in enumerate(ranges) if r >= SCREEN_FACTOR * mr_bar]
        mr_bar = statistics.fmean(r for r in ranges if r < SCREEN_FACTOR * mr_bar)
    mean = statistics.fmean(base)
    width = LIMIT_FACTOR * mr_bar
    phase = Phase(start, stop, len(base), mean, mr_bar, mean + width, mean - width)
    lines = PhaseLines(
        phase,
        [mean] * length,
        [mean + width] * length,
        [mean - width] * length,
        [mean + width * 2 / 3] * length,
        [mean - width * 2 / 3] * length,
    )
    return lines, screened


def xmr_chart(
    values: Sequence[float],
    *,
    baseline_points: int = MIN_XMR_POINTS,
    improvement: Improvement = None,
    target: float | None = None,
    phases: Sequence[int] = (),
    screen_outliers: bool = True,
    floor: float | None = None,
    ceiling: float | None = None,
) -> ControlChartResult:
    """Analyse an XmR chart with Making Data Count's rules, as NHSRplotthedots does.

    Each phase (split at the `phases` change points) has its own mean and mean moving
    range from its first `baseline_points` points (all of them if fewer; limits from fewer
    than 12 are trial limits); process limits are mean +/- 2.66 x MR-bar, and the "close
    to a limit" lines sit two thirds of the way out (about 2 sigma). Moving ranges across
    a phase boundary are not used. `floor` and `ceiling` clip the drawn limits for a
    measure that cannot go below (or above) them. The rules are in charts/rules.py.
    """
    check_improvement(improvement)
    if baseline_points < 2:
        raise ValueError("baseline_points must be at least 2")
    n = len(values)
    spans = split(n, phases)
    starts = {start for start, _ in spans}
    moving_ranges: list[float | None] = [
        None if i in starts else float(abs(values[i] - values[i - 1])) for i in range(n)
    ]
    parts, screened = [], []
    for start, stop in spans:
        lines, out = _xmr_phase(values, start, stop, baseline_points, screen_outliers)
        parts.append(lines)
        screened += out
    return assemble(
        "xmr", values, parts, improvement=improvement, target=target, floor=floor,
        ceiling=ceiling, moving_ranges=moving_ranges, screened=screened,
    )  # fmt: skip


# -- Choosing the chart ---------------------------------------------------------------

MEASURE_KINDS = ("measurement", "count", "rate", "percentage")
BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "measurement": (None, None),
    "count": (0.0, None),
    "rate": (0.0, None),
    "percentage": (0.0, 100.0),
}


def chart_type_for(kind: str, *, has_denominators: bool = False) -> str:
    """The control chart an analyst would choose for a measure of this kind.

    Counts of events: c-chart. Rates (events per exposure) and percentages (a numerator
    over a denominator) need each period's denominator for a u- or p-chart, whose limits
    widen when the denominator is small; without them, XmR (floored at zero).
    """
    if kind not in BOUNDS:
        raise ValueError(f"unknown measure kind {kind!r}")
    if kind == "count":
        return "c"
    if kind in ("rate", "percentage") and has_denominators:
        return "u" if kind == "rate" else "p"
    return "xmr"


def bounds_for(kind: str) -> tuple[float | None, float | None]:
    """(floor, ceiling) a measure of this kind cannot go beyond: counts and rates are never
    negative, percentages stay within 0-100."""
    if kind not in BOUNDS:
        raise ValueError(f"unknown measure kind {kind!r}")
    return BOUNDS[kind]


def control_chart(
    chart_type: str, values: Sequence[float], denominators: Sequence[float] | None = None, **kwargs
) -> ControlChartResult:
    """Dispatch to xmr_chart, p_chart, u_chart or c_chart; for p and u `values` are the
    numerators and `denominators` is required."""
    if chart_type in ("p", "u"):
        if denominators is None:
            raise ValueError(f"a {chart_type}-chart needs denominators")
        chart = p_chart if chart_type == "p" else u_chart
        return chart(values, denominators, **kwargs)
    if chart_type == "c":
        return c_chart(values, **kwargs)
    if chart_type == "xmr":
        return xmr_chart(values, **kwargs)
    raise ValueError(f"unknown chart type {chart_type!r}")
