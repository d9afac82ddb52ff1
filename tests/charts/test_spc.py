"""Run chart and XmR rules on small, hand-checked sequences, plus properties."""

import statistics
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from charts.spc import (
    RUNS_LIMITS,
    XmrResult,
    median,
    run_chart,
    xmr_chart,
)

# Mean 10, moving ranges 1 2 1 2 4 2 1 2 1 1 2 -> MR-bar 19/11; limits 10 +/- 4.59,
# "close" lines 10 +/- 3.06. Ends below the mean, not rising.
BASELINE = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9]


def flagged(result, rule):
    return [i for i, flags in enumerate(result.per_point) if rule in flags]


# -- Run charts ------------------------------------------------------------------------


def test_median():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == 2.5
    with pytest.raises(ValueError):
        median([])


def test_shift_of_six_above_the_median_is_flagged():
    # Baseline median of [4, 6, 6, 4] is 5; then six points above it.
    result = run_chart([4, 6, 6, 4, 7, 8, 7, 8, 7, 8], baseline=4)
    assert result.median == 5
    assert [(s.start, s.end, s.side, len(s)) for s in result.shifts] == [(4, 9, "high", 6)]
    assert flagged(result, "shift") == [4, 5, 6, 7, 8, 9]


def test_five_above_the_median_is_not_a_shift():
    result = run_chart([4, 6, 6, 4, 7, 8, 7, 8, 7], baseline=4)
    assert result.shifts == []
    assert flagged(result, "shift") == []


def test_a_point_on_the_median_neither_breaks_nor_counts_towards_a_shift():
    result = run_chart([4, 6, 6, 4, 7, 8, 7, 5, 8, 7, 8], baseline=4)
    (shift,) = result.shifts
    assert (shift.start, shift.end) == (4, 10)
    assert shift.indices == (4, 5, 6, 8, 9, 10)
    assert result.per_point[7] == frozenset()
    # Only five points above once the median point is skipped: no shift.
    assert run_chart([4, 6, 6, 4, 7, 8, 5, 7, 8, 7], baseline=4).shifts == []


def test_shift_below_the_median_without_a_baseline():
    values = [6, 7, 6, 7, 6, 7, 1, 2, 1, 2, 1, 2]  # median 4: six above then six below
    result = run_chart(values)
    assert result.median == 4
    assert [(s.start, s.end, s.side) for s in result.shifts] == [(0, 5, "high"), (6, 11, "low")]


def test_trend_of_five_rising_ignores_a_repeated_value():
    result = run_chart([10, 11, 12, 12, 13, 14])
    (trend,) = result.trends
    assert trend.side == "high"
    assert trend.indices == (0, 1, 2, 4, 5)
    assert result.per_point[3] == frozenset()
    # The repeat does not count: only four points.
    assert run_chart([10, 11, 12, 12, 13]).trends == []


def test_trend_of_five_falling_and_four_is_not_a_trend():
    assert [(t.start, t.end, t.side) for t in run_chart([9, 7, 5, 3, 1]).trends] == [(0, 4, "low")]
    assert run_chart([9, 7, 5, 3]).trends == []


def runs_of(sizes):
    """Alternating runs below (1) and above (9) the median, starting below."""
    values = []
    for n, size in enumerate(sizes):
        values += [1 if n % 2 == 0 else 9] * size
    return values


def test_too_few_runs_for_twenty_useful_observations():
    result = run_chart(runs_of([3, 5, 3, 5, 4]))  # ten each side: median 5
    assert (result.useful_observations, result.runs) == (20, 5)
    assert result.runs_limits == (6, 16)
    assert result.runs_test_applicable
    assert result.too_few_runs and not result.too_many_runs

    six_runs = run_chart(runs_of([4, 3, 3, 3, 3, 4]), baseline=None)
    assert six_runs.runs == 6
    assert not six_runs.too_few_runs and not six_runs.too_many_runs


def test_too_many_runs_for_twenty_useful_observations():
    result = run_chart(runs_of([1] * 20))
    assert result.runs == 20
    assert result.too_many_runs and not result.too_few_runs


def test_runs_test_not_applicable_below_ten_useful_observations():
    # Twelve points, three on the median: nine useful observations, in nine runs.
    result = run_chart([5, 1, 9, 5, 1, 9, 1, 5, 9, 1, 9, 1], baseline=1)
    assert result.median == 5
    assert result.useful_observations == 9
    assert result.runs_limits is None and not result.runs_test_applicable
    assert not result.too_few_runs and not result.too_many_runs


def test_runs_table_covers_ten_to_sixty():
    assert sorted(RUNS_LIMITS) == list(range(10, 61))
    assert all(low < high for low, high in RUNS_LIMITS.values())


def test_astronomical_point():
    values = [10, 11, 9, 10, 11, 9, 10, 40, 10, 11]
    result = run_chart(values)
    assert [(a.start, a.side) for a in result.astronomical] == [(7, "high")]
    assert flagged(result, "astronomical") == [7]


@pytest.mark.parametrize(
    "values",
    [[], [42], [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]],
    ids=["empty", "one point", "all equal"],
)
def test_degenerate_run_charts(values):
    result = run_chart(values)
    assert result.patterns == []
    assert result.runs == 0 and result.useful_observations == 0
    assert not result.runs_test_applicable
    assert result.per_point == [frozenset()] * len(values)
    assert result.median == (values[0] if values else None)


def test_ties_on_the_median_are_not_useful_observations():
    result = run_chart([1, 5, 5, 5, 9])
    assert result.median == 5
    assert (result.useful_observations, result.runs) == (2, 2)


def test_baseline_must_be_positive():
    with pytest.raises(ValueError):
        run_chart([1, 2, 3], baseline=0)


# -- XmR charts ------------------------------------------------------------------------


def test_fewer_than_twelve_points_gives_trial_limits():
    # NHSRplotthedots draws limits from any group (and warns below 12): so do we, as trial
    # limits. The rules still run.
    result = xmr_chart(BASELINE[:11], improvement="up", target=5)
    assert result.enough_points and result.trial
    assert result.baseline_points == 11
    assert result.mean == pytest.approx(statistics.fmean(BASELINE[:11]))
    assert result.moving_ranges[:3] == [None, 1, 2]
    assert result.variation == "common_cause"
    assert not xmr_chart(BASELINE).trial


def test_one_point_has_no_limits():
    result = xmr_chart([5])
    assert not result.enough_points and not result.trial
    assert result.mean is None and result.upper_limit is None
    assert result.per_point == [frozenset()] and result.directions == [None]
    assert result.variation is None and result.assurance is None


def test_limits_come_from_the_baseline():
    result = xmr_chart([*BASELINE, 30, 30, 30])
    assert result.enough_points and result.baseline_points == 12
    assert result.mean == 10
    assert result.mean_moving_range == pytest.approx(19 / 11)
    assert result.upper_limit == pytest.approx(10 + 2.66 * 19 / 11)
    assert result.lower_limit == pytest.approx(10 - 2.66 * 19 / 11)
    assert result.upper_close == pytest.approx(10 + 2 / 3 * 2.66 * 19 / 11)
    assert result.lower_close == pytest.approx(10 - 2 / 3 * 2.66 * 19 / 11)
    assert xmr_chart(BASELINE, baseline_points=20).baseline_points == 12


def test_the_baseline_alone_shows_common_cause_variation():
    result = xmr_chart(BASELINE, improvement="up")
    assert result.patterns == []
    assert result.variation == "common_cause"


def test_point_above_the_upper_limit():
    result = xmr_chart([*BASELINE, 20], improvement="up")
    assert flagged(result, "outside_limits") == [12]
    assert result.directions[12] == "improvement"
    assert result.variation == "special_cause_improvement"


def test_improvement_down_turns_a_high_special_cause_into_a_concern():
    result = xmr_chart([*BASELINE, 20], improvement="down")
    assert result.directions[12] == "concern"
    assert result.variation == "special_cause_concern"
    neither = xmr_chart([*BASELINE, 20])
    assert neither.directions[12] == "neither"
    assert neither.variation == "special_cause_neither"


def test_variation_reflects_the_latest_point():
    result = xmr_chart([*BASELINE, 20, 10], improvement="up")
    assert result.directions[12] == "improvement"
    assert result.variation == "common_cause"


def test_seven_points_above_the_mean_is_a_shift_and_six_is_not():
    result = xmr_chart([*BASELINE, *[11] * 7], improvement="down")
    assert flagged(result, "shift") == list(range(12, 19))
    assert result.directions[12:] == ["concern"] * 7
    assert flagged(xmr_chart([*BASELINE, *[11] * 6]), "shift") == []


def test_a_point_on_the_mean_breaks_a_shift():
    result = xmr_chart([*BASELINE, 11, 11, 11, 10, 11, 11, 11, 11])
    assert flagged(result, "shift") == []


def test_seven_rising_points_is_a_trend():
    rising = [8.5, 9, 9.5, 10, 10.5, 11, 11.5]
    result = xmr_chart([*BASELINE, *rising], improvement="up")
    assert flagged(result, "trend") == list(range(12, 19))
    assert result.directions[12:] == ["improvement"] * 7
    assert flagged(xmr_chart([*BASELINE, *rising[:6]]), "trend") == []


def test_equal_neighbours_break_an_xmr_trend():
    result = xmr_chart([*BASELINE, 8.5, 9, 9.5, 9.5, 10, 10.5, 11, 11.5])
    assert flagged(result, "trend") == []


def test_two_of_three_close_to_the_upper_limit():
    # 13.5 is beyond the 2-sigma line (13.06) but inside the limit (14.59); 10.5 is above
    # the mean, so all three are on one side.
    result = xmr_chart([*BASELINE, 13.5, 10.5, 13.5], improvement="up")
    assert flagged(result, "two_of_three") == [12, 14]
    assert flagged(result, "outside_limits") == []
    assert [(p.rule, p.side) for p in result.patterns] == [("two_of_three", "high")]
    assert result.directions[12:] == ["improvement", None, "improvement"]
    # Two such points four apart do not share a window of three.
    apart = xmr_chart([*BASELINE, 13.5, 10.5, 10.5, 13.5])
    assert flagged(apart, "two_of_three") == []


def test_two_of_three_needs_the_same_side():
    result = xmr_chart([*BASELINE, 13.5, 6.5, 10])
    assert flagged(result, "two_of_three") == []


def test_a_trend_wins_over_a_shift_on_the_other_side():
    # Seven points above the mean (a high shift) that are also falling (a low trend): the
    # reference names each point after the trend, and so a falling trend it is.
    values = [*BASELINE, 13, 12.9, 12.8, 12.7, 12.6, 12.5, 12.4]
    up = xmr_chart(values, improvement="up")
    assert sorted({p.rule for p in up.patterns}) == ["shift", "trend"]
    assert up.per_point[12:] == [frozenset({"shift", "trend"})] * 7
    assert up.signal_rule[12:] == ["trend"] * 7
    assert up.directions[12:] == ["concern"] * 7
    assert xmr_chart(values, improvement="down").directions[12:] == ["improvement"] * 7


@pytest.mark.parametrize(
    ("improvement", "target", "assurance"),
    [
        ("up", 5, "consistently_pass"),
        ("up", 20, "consistently_fail"),
        ("up", 12, "hit_and_miss"),
        ("down", 5, "consistently_fail"),
        ("down", 20, "consistently_pass"),
        ("down", 12, "hit_and_miss"),
        (None, 5, None),
        ("up", None, None),
    ],
)
def test_assurance_against_a_target(improvement, target, assurance):
    # Limits are 5.41 to 14.59.
    result = xmr_chart(BASELINE, improvement=improvement, target=target)
    assert result.assurance == assurance


def test_invalid_arguments():
    with pytest.raises(ValueError):
        xmr_chart(BASELINE, improvement="sideways")
    with pytest.raises(ValueError):
        xmr_chart(BASELINE, baseline_points=1)


# -- Properties ------------------------------------------------------------------------

values_strategy = st.lists(st.integers(-50, 50), max_size=40).map(lambda xs: [float(x) for x in xs])
xmr_values = st.lists(st.integers(-50, 50), min_size=12, max_size=40).map(
    lambda xs: [float(x) for x in xs]
)
# Integers keep sums, differences and medians exact.
properties = settings(max_examples=150)


def clear_of(values, lines):
    """No value within rounding error of a limit, where float noise could flip a comparison."""
    return all(abs(x - line) > 1e-6 for x in values for line in lines)


def astronomical_lines(values, baseline):
    base = values[:baseline] if baseline else values
    if len(base) < 2:
        return []
    mean = statistics.fmean(base)
    sigma = statistics.fmean(abs(b - a) for a, b in pairwise(base)) / 1.128
    return [mean - 3 * sigma, mean + 3 * sigma]


def xmr_lines(result: XmrResult):
    return [result.upper_limit, result.lower_limit, result.upper_close, result.lower_close]


def assert_indices_in_range(result, n):
    assert len(result.per_point) == n
    for pattern in result.patterns:
        assert list(pattern.indices) == sorted(set(pattern.indices))
        assert all(0 <= i < n for i in pattern.indices)


@properties
@given(values=values_strategy, baseline=st.none() | st.integers(1, 40))
def test_run_chart_flags_stay_in_range(values, baseline):
    result = run_chart(values, baseline=baseline)
    assert_indices_in_range(result, len(values))
    assert result.useful_observations <= len(values)
    assert result.runs <= result.useful_observations


@properties
@given(values=values_strategy, improvement=st.sampled_from(["up", "down", None]))
def test_xmr_flags_stay_in_range(values, improvement):
    result = xmr_chart(values, improvement=improvement)
    assert_indices_in_range(result, len(values))
    assert len(result.directions) == len(result.moving_ranges) == len(values)
    for flags, direction in zip(result.per_point, result.directions, strict=True):
        assert (direction is None) == (not flags)


@properties
@given(values=values_strategy, baseline=st.none() | st.integers(1, 40), c=st.integers(-999, 999))
def test_run_chart_flags_ignore_a_constant_offset(values, baseline, c):
    assume(clear_of(values, astronomical_lines(values, baseline)))
    before = run_chart(values, baseline=baseline)
    after = run_chart([x + c for x in values], baseline=baseline)
    assert after.per_point == before.per_point
    assert after.patterns == before.patterns
    assert (after.runs, after.useful_observations) == (before.runs, before.useful_observations)
    assert (after.too_few_runs, after.too_many_runs) == (before.too_few_runs, before.too_many_runs)


@properties
@given(
    values=xmr_values, improvement=st.sampled_from(["up", "down", None]), c=st.integers(-999, 999)
)
def test_xmr_flags_ignore_a_constant_offset(values, improvement, c):
    before = xmr_chart(values, improvement=improvement, target=0)
    assume(clear_of([*values, 0], xmr_lines(before)))
    after = xmr_chart([x + c for x in values], improvement=improvement, target=c)
    assert after.per_point == before.per_point
    assert after.patterns == before.patterns
    assert after.directions == before.directions
    assert (after.variation, after.assurance) == (before.variation, before.assurance)


VARIATION_SWAP = {
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
}
SWAP = {"improvement": "concern", "concern": "improvement", "neither": "neither", None: None}


@properties
@given(values=xmr_values)
def test_reversing_the_improvement_direction_swaps_improvement_and_concern(values):
    up = xmr_chart(values, improvement="up")
    down = xmr_chart(values, improvement="down")
    assert down.per_point == up.per_point
    assert down.patterns == up.patterns
    assert down.directions == [SWAP[d] for d in up.directions]
    assert down.variation == VARIATION_SWAP.get(up.variation, up.variation)
    assert (down.mean, down.upper_limit, down.lower_limit) == (
        up.mean,
        up.upper_limit,
        up.lower_limit,
    )
