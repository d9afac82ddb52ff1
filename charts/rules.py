"""The signal rules shared by run charts and every control chart (XmR, p, u, c).

Pure functions over a list of values (and, for control charts, each point's own centre
line and limits, so that p- and u-charts whose limits vary with the denominator use the
same rules as XmR). The control-chart rules follow NHSRplotthedots
(nhs-r-community/NHSRplotthedots, R/ptd_calculate_point_type.R), the NHS-R community's
reference implementation of Making Data Count; docs/metrics.md says where we differ.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

Side = Literal["high", "low"]
Improvement = Literal["up", "down"] | None
Direction = Literal["improvement", "concern", "neither"]

# Making Data Count: 7 points for a shift or a trend.
XMR_SHIFT_POINTS = 7
XMR_TREND_POINTS = 7
# When one point is part of several patterns, the reference names it after the first of
# these (ptd_special_cause_type's case_when order), and so takes that rule's direction.
PRECEDENCE = ("outside_limits", "trend", "two_of_three", "shift")


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


def blocks(keys: Sequence[int]) -> Iterator[tuple[int, int, int]]:
    """Maximal blocks of equal keys as (key, start, stop) with stop exclusive."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            yield keys[start], start, i
            start = i


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


def side_of(key: int) -> Side:
    return "high" if key > 0 else "low"


def shifts(
    sides: Sequence[int], min_points: int, *, skip_centre: bool, offset: int = 0
) -> tuple[list[Pattern], int]:
    """Runs of points on one side of the centre line (sides are -1, 0, 1), and the runs.

    With `skip_centre`, points on the centre line are dropped (run chart); otherwise they
    break a run (Making Data Count).
    """
    indices = [i for i, s in enumerate(sides) if s or not skip_centre]
    found, runs = [], 0
    for key, start, stop in blocks([sides[i] for i in indices]):
        if key == 0:
            continue
        runs += 1
        if stop - start >= min_points:
            run = tuple(offset + i for i in indices[start:stop])
            found.append(Pattern("shift", run, side_of(key)))
    return found, runs


def trends(
    values: Sequence[float], min_points: int, *, skip_repeats: bool, offset: int = 0
) -> list[Pattern]:
    """Runs of points each higher (or each lower) than the one before.

    With `skip_repeats`, a value equal to its predecessor is ignored (run chart); otherwise
    it breaks the trend (Making Data Count).
    """
    indices = [
        i for i in range(len(values)) if not skip_repeats or i == 0 or values[i] != values[i - 1]
    ]
    steps = [sign(values[b] - values[a]) for a, b in pairwise(indices)]
    return [
        Pattern("trend", tuple(offset + i for i in indices[start : stop + 1]), side_of(key))
        for key, start, stop in blocks(steps)
        if key != 0 and stop - start + 1 >= min_points
    ]


def per_point(n: int, patterns: Sequence[Pattern]) -> list[frozenset[str]]:
    flags: list[set[str]] = [set() for _ in range(n)]
    for pattern in patterns:
        for i in pattern.indices:
            flags[i].add(pattern.rule)
    return [frozenset(f) for f in flags]


def _two_of_three(close: Sequence[int], sides: Sequence[int], offset: int) -> list[Pattern]:
    """2 of 3 consecutive points close to a limit, all 3 on the same side of the centre.

    `close` is 1 for a point between the 2-sigma line and the process limit (a point beyond
    the limit does not count), `sides` the side of the centre line. As in the reference,
    a window with a point on the centre line or across it does not qualify; the close
    points of each qualifying window are flagged; overlapping windows make one pattern.
    """
    flagged: set[int] = set()
    for s in range(len(close) - 2):
        window = range(s, s + 3)
        if sum(close[i] for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3:
            flagged.update(i for i in window if close[i])
    found: list[Pattern] = []
    group: list[int] = []
    for i in sorted(flagged):
        if group and (i - group[-1] > 2 or sides[i] != sides[group[-1]]):
            found.append(Pattern("two_of_three", tuple(group), side_of(sides[group[0]])))
            group = []
        group.append(i)
    if group:
        found.append(Pattern("two_of_three", tuple(group), side_of(sides[group[0]])))
    return [Pattern(p.rule, tuple(offset + i for i in p.indices), p.side) for p in found]


# Long: one rule per block, side by side with the reference's ptd_special_cause_type.
def control_patterns(
    values: Sequence[float],
    centre: Sequence[float],
    upper: Sequence[float],
    lower: Sequence[float],
    upper_close: Sequence[float],
    lower_close: Sequence[float],
    *,
    offset: int = 0,
) -> list[Pattern]:
    """The Making Data Count patterns of one phase, each point against its own lines.

    - outside_limits: above the upper or below the lower process limit;
    - shift: 7 or more in a row on one side of the centre line (a point on it breaks it);
    - trend: 7 or more in a row each higher (or lower) than the last (a tie breaks it);
    - two_of_three: see `_two_of_three`.
    Indices in the patterns are shifted by `offset` (the phase's first index).
    """
    sides = [sign(x - c) for x, c in zip(values, centre, strict=True)]
    outside = [x > u or x < lo for x, u, lo in zip(values, upper, lower, strict=True)]
    close = [
        int(not out and (x > uc or x < lc))
        for x, out, uc, lc in zip(values, outside, upper_close, lower_close, strict=True)
    ]
    patterns = [
        Pattern("outside_limits", (offset + i,), "high" if values[i] > upper[i] else "low")
        for i in range(len(values))
        if outside[i]
    ]
    patterns += shifts(sides, XMR_SHIFT_POINTS, skip_centre=False, offset=offset)[0]
    patterns += trends(values, XMR_TREND_POINTS, skip_repeats=False, offset=offset)
    patterns += _two_of_three(close, sides, offset)
    return patterns


def side_direction(side: Side | None, improvement: Improvement) -> Direction:
    """Whether a high or low signal is an improvement, a concern or neither."""
    if side is None or improvement is None:
        return "neither"
    return "improvement" if (side == "high") == (improvement == "up") else "concern"


def signal_rules(n: int, patterns: Sequence[Pattern]) -> list[str | None]:
    """Each point's winning rule by the reference's precedence; None for common cause."""
    flags = per_point(n, patterns)
    return [next((rule for rule in PRECEDENCE if rule in f), None) for f in flags]


def directions(
    values: Sequence[float],
    centre: Sequence[float | None],
    patterns: Sequence[Pattern],
    improvement: Improvement,
    starts: frozenset[int] = frozenset(),
) -> list[Direction | None]:
    """Each flagged point's direction, from its winning rule (NHSRplotthedots).

    A trend point takes the trend's direction (a point ending a rise and starting a fall
    takes the step after it, as the reference does); any other rule takes the side of the
    centre line. None for a point in no pattern. `starts` are the first indices of
    phases: a trend never looks across one.
    """
    n = len(values)
    rules = signal_rules(n, patterns)
    in_trend = [rule == "trend" for rule in rules]
    result: list[Direction | None] = []
    for i, rule in enumerate(rules):
        if rule is None:
            result.append(None)
            continue
        if rule == "trend":
            after = i + 1 < n and in_trend[i + 1] and i + 1 not in starts
            step = values[i + 1] - values[i] if after else values[i] - values[i - 1]
            key = sign(step)
        else:
            key = sign(values[i] - (centre[i] or 0.0))
        result.append(side_direction(side_of(key) if key else None, improvement))
    return result
