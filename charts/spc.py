"""Run charts and XmR (SPC) charts: pure functions over a time-ordered list of values.

Run charts follow the IHI / NHS Improvement rules (Perla, Provost & Murray, BMJ Qual Saf
2011); XmR charts follow NHS England's "Making Data Count" (MDC) rules. Nothing here knows
about Django or dates: callers pass the values in time order and keep the dates themselves.

Every detected pattern is a `Pattern`; every result also has `per_point`, one frozenset of
rule names per input index, so a chart can style each point.
"""

# Long: one engine, the run chart and XmR rules side by side, checked against the
# worked cases in tests/charts/test_spc.py.

from __future__ import annotations

import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

Side = Literal["high", "low"]
Improvement = Literal["up", "down"] | None
Direction = Literal["improvement", "concern", "neither"]

# Run chart rules (IHI).
RUN_SHIFT_POINTS = 6
RUN_TREND_POINTS = 5
MIN_RUNS_TEST_OBSERVATIONS = 10

# XmR rules (Making Data Count).
MIN_XMR_POINTS = 12
XMR_SHIFT_POINTS = 7
XMR_TREND_POINTS = 7
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
class Pattern:
    """One special-cause pattern: the rule, the indices that count towards it, its side.

    `side` is "high" for points above the centre line or rising, "low" for below or falling.
    Points that the rule skips (on the median, repeated values) are not in `indices`, but
    lie between `start` and `end`.
    """

    rule: str
    indices: tuple[int, ...]
    side: Side

    @property
    def start(self) -> int:
        return self.indices[0]

    @property
    def end(self) -> int:
        return self.indices[-1]

    def __len__(self) -> int:
        return len(self.indices)


@dataclass(frozen=True)
class RunChartResult:
    """A run chart's median and signals. `median` is None only for no points."""

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

    @property
    def runs_test_applicable(self) -> bool:
        """The runs test needs 10-60 useful observations (the published table's range)."""
        return self.runs_limits is not None

    @property
    def patterns(self) -> list[Pattern]:
        return [*self.shifts, *self.trends, *self.astronomical]


@dataclass(frozen=True)
class XmrResult:
    """An XmR chart's limits, signals and MDC summary icons.

    With fewer than MIN_XMR_POINTS points `enough_points` is False and the limits, the
    patterns, `variation` and `assurance` are empty. `moving_ranges[0]` is None.
    """

    n_points: int
    enough_points: bool
    baseline_points: int
    improvement: Improvement
    target: float | None
    moving_ranges: list[float | None]
    mean: float | None
    mean_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_close: float | None
    lower_close: float | None
    patterns: list[Pattern]
    per_point: list[frozenset[str]]
    directions: list[Direction | None]
    variation: str | None
    assurance: str | None


def median(values: Sequence[float]) -> float:
    """The median; raises ValueError for no values."""
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


def _mean_moving_range(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    return statistics.fmean(abs(b - a) for a, b in pairwise(values))


def _blocks(keys: Sequence[int]) -> Iterator[tuple[int, int, int]]:
    """Maximal blocks of equal keys as (key, start, stop) with stop exclusive."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            yield keys[start], start, i
            start = i


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _side(key: int) -> Side:
    return "high" if key > 0 else "low"


def _shifts(
    values: Sequence[float], centre: float, min_points: int, *, skip_centre: bool
) -> tuple[list[Pattern], int]:
    """Runs of points on one side of the centre line, and the number of runs.

    With `skip_centre`, points on the centre line are dropped (run chart); otherwise they
    break a run (XmR).
    """
    sides = [_sign(x - centre) for x in values]
    indices = [i for i, s in enumerate(sides) if s or not skip_centre]
    shifts, runs = [], 0
    for key, start, stop in _blocks([sides[i] for i in indices]):
        if key == 0:
            continue
        runs += 1
        if stop - start >= min_points:
            shifts.append(Pattern("shift", tuple(indices[start:stop]), _side(key)))
    return shifts, runs


def _trends(values: Sequence[float], min_points: int, *, skip_repeats: bool) -> list[Pattern]:
    """Runs of points each higher (or each lower) than the one before.

    With `skip_repeats`, a value equal to its predecessor is ignored (run chart); otherwise
    it breaks the trend (XmR).
    """
    indices = [
        i for i in range(len(values)) if not skip_repeats or i == 0 or values[i] != values[i - 1]
    ]
    steps = [_sign(values[b] - values[a]) for a, b in pairwise(indices)]
    return [
        Pattern("trend", tuple(indices[start : stop + 1]), _side(key))
        for key, start, stop in _blocks(steps)
        if key != 0 and stop - start + 1 >= min_points
    ]


def _per_point(n: int, patterns: Sequence[Pattern]) -> list[frozenset[str]]:
    flags: list[set[str]] = [set() for _ in range(n)]
    for pattern in patterns:
        for i in pattern.indices:
            flags[i].add(pattern.rule)
    return [frozenset(f) for f in flags]


def _baseline(values: Sequence[float], baseline: int | None) -> Sequence[float]:
    if baseline is not None and baseline < 1:
        raise ValueError("baseline must be at least 1 point")
    return values if baseline is None else values[:baseline]


def run_chart(values: Sequence[float], *, baseline: int | None = None) -> RunChartResult:
    """Analyse a run chart.

    The median (and the astronomical-point limits) come from the first `baseline` points,
    or all points when `baseline` is None; the rules are applied to every point.

    - shift: 6 or more consecutive points strictly above, or strictly below, the median;
      points on the median are skipped (they neither break nor count).
    - trend: 5 or more consecutive points each higher (or each lower) than the last; a
      value equal to the one before is skipped (only the first of equal values counts).
    - runs: series of points on the same side of the median, ignoring points on it;
      too few / too many against RUNS_LIMITS for 10-60 useful observations (points not on
      the median), otherwise the runs test is not applicable and neither flag is raised.
    - astronomical: IHI leaves this to judgement; here a point with
      |x - mean| > 3 sigma, sigma = mean moving range / 1.128 (the XmR natural limits),
      mean and moving ranges from the baseline. Needs 2 baseline points and some variation.
    """
    n = len(values)
    base = _baseline(values, baseline)
    if not n:
        return RunChartResult(0, 0, None, [], [], [], 0, 0, None, False, False, [])
    centre = median(base)
    shifts, runs = _shifts(values, centre, RUN_SHIFT_POINTS, skip_centre=True)
    trends = _trends(values, RUN_TREND_POINTS, skip_repeats=True)

    astronomical = []
    mr_bar = _mean_moving_range(base)
    if mr_bar:
        mean, sigma = statistics.fmean(base), mr_bar / D2
        astronomical = [
            Pattern("astronomical", (i,), _side(_sign(x - mean)))
            for i, x in enumerate(values)
            if abs(x - mean) > 3 * sigma
        ]

    useful = sum(1 for x in values if x != centre)
    limits = RUNS_LIMITS.get(useful)
    return RunChartResult(
        n_points=n,
        baseline_points=len(base),
        median=centre,
        shifts=shifts,
        trends=trends,
        astronomical=astronomical,
        runs=runs,
        useful_observations=useful,
        runs_limits=limits,
        too_few_runs=limits is not None and runs < limits[0],
        too_many_runs=limits is not None and runs > limits[1],
        per_point=_per_point(n, [*shifts, *trends, *astronomical]),
    )


def side_direction(side: Side | None, improvement: Improvement) -> Direction:
    """Whether a high or low signal is an improvement, a concern or neither."""
    if side is None or improvement is None:
        return "neither"
    return "improvement" if (side == "high") == (improvement == "up") else "concern"


def _two_of_three(values: Sequence[float], upper: float, lower: float) -> list[Pattern]:
    """2 of any 3 consecutive points beyond the same 2-sigma line; flags the points beyond.

    Overlapping qualifying windows make one pattern.
    """
    patterns: list[Pattern] = []
    for side, beyond in (
        ("high", [x > upper for x in values]),
        ("low", [x < lower for x in values]),
    ):
        windows = [s for s in range(len(values) - 2) if sum(beyond[s : s + 3]) >= 2]
        flagged = sorted({i for s in windows for i in range(s, s + 3) if beyond[i]})
        group: list[int] = []
        for i in flagged:
            if group and i - group[-1] > 2:  # too far apart to share a window
                patterns.append(Pattern("two_of_three", tuple(group), side))
                group = []
            group.append(i)
        if group:
            patterns.append(Pattern("two_of_three", tuple(group), side))
    return patterns


def _directions(
    values: Sequence[float], mean: float, patterns: Sequence[Pattern], improvement: Improvement
) -> list[Direction | None]:
    """Each point's direction from the sides of its patterns; None for an unflagged point."""
    sides: list[set[Side]] = [set() for _ in values]
    for pattern in patterns:
        for i in pattern.indices:
            sides[i].add(pattern.side)
    directions: list[Direction | None] = []
    for value, point_sides in zip(values, sides, strict=True):
        side: Side | None = next(iter(point_sides)) if len(point_sides) == 1 else None
        if side is None and value != mean:
            side = "high" if value > mean else "low"
        directions.append(side_direction(side, improvement) if point_sides else None)
    return directions


def _assurance(
    target: float | None, upper: float, lower: float, improvement: Improvement
) -> str | None:
    """The MDC assurance icon: can the process meet the target, as its limits stand?"""
    if target is None or improvement is None:
        return None
    if lower <= target <= upper:
        return "hit_and_miss"
    passes = (target < lower) == (improvement == "up")
    return "consistently_pass" if passes else "consistently_fail"


def xmr_chart(
    values: Sequence[float],
    *,
    baseline_points: int = MIN_XMR_POINTS,
    improvement: Improvement = None,
    target: float | None = None,
) -> XmrResult:
    """Analyse an XmR chart with Making Data Count's rules.

    The mean and mean moving range come from the first `baseline_points` points (all points
    if fewer); process limits are mean +/- 2.66 x MR-bar and the "close to a limit" lines
    sit two thirds of the way out (about 2 sigma). Rules run on every point:

    - outside_limits: a point above the upper or below the lower process limit.
    - shift: 7 or more consecutive points above, or below, the mean; a point exactly on
      the mean breaks the run.
    - trend: 7 or more consecutive points each higher (or each lower) than the last; equal
      neighbours break the trend (MDC's convention, unlike the run chart's).
    - two_of_three: 2 of any 3 consecutive points beyond the same 2-sigma line (including
      beyond the process limit); the points beyond are flagged.

    A flagged point's direction comes from the side of its patterns (high = above the mean
    or rising): "improvement" or "concern" given `improvement` ("up": higher is better), or
    "neither" without one. A point in both high and low patterns takes its side from where
    it sits relative to the mean. `variation` is the MDC variation icon for the latest
    point; `assurance` compares `target` with the limits ("hit_and_miss" between them).
    """
    if improvement not in ("up", "down", None):
        raise ValueError(f"improvement must be 'up', 'down' or None, not {improvement!r}")
    if baseline_points < 2:
        raise ValueError("baseline_points must be at least 2")
    n = len(values)
    moving_ranges: list[float | None] = [None]
    moving_ranges += [float(abs(b - a)) for a, b in pairwise(values)]
    moving_ranges = moving_ranges[:n]
    if n < MIN_XMR_POINTS:
        return XmrResult(
            n, False, min(baseline_points, n), improvement, target, moving_ranges,
            None, None, None, None, None, None, [], [frozenset()] * n, [None] * n, None, None,
        )  # fmt: skip

    base = values[:baseline_points]
    mean = statistics.fmean(base)
    mr_bar = _mean_moving_range(base) or 0.0
    width = LIMIT_FACTOR * mr_bar
    upper, lower = mean + width, mean - width
    upper_close, lower_close = mean + width * 2 / 3, mean - width * 2 / 3

    patterns = [
        Pattern("outside_limits", (i,), "high" if x > upper else "low")
        for i, x in enumerate(values)
        if x > upper or x < lower
    ]
    patterns += _shifts(values, mean, XMR_SHIFT_POINTS, skip_centre=False)[0]
    patterns += _trends(values, XMR_TREND_POINTS, skip_repeats=False)
    patterns += _two_of_three(values, upper_close, lower_close)

    directions = _directions(values, mean, patterns, improvement)
    latest = directions[-1]
    return XmrResult(
        n_points=n,
        enough_points=True,
        baseline_points=len(base),
        improvement=improvement,
        target=target,
        moving_ranges=moving_ranges,
        mean=mean,
        mean_moving_range=mr_bar,
        upper_limit=upper,
        lower_limit=lower,
        upper_close=upper_close,
        lower_close=lower_close,
        patterns=patterns,
        per_point=_per_point(n, patterns),
        directions=directions,
        variation="common_cause" if latest is None else f"special_cause_{latest}",
        assurance=_assurance(target, upper, lower, improvement),
    )
