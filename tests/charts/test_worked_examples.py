"""The chart engine against published worked examples and the reference implementations.

Sources:
- Montgomery, D. C. Introduction to Statistical Quality Control (6th edition, Wiley 2009),
  chapter 7: Example 7.1 (p-chart), Example 7.3 (c-chart), Example 7.4 (u-chart). qicharts2
  (anhoej/qicharts2, R/helper.functions.R qic.p, qic.u, qic.c) cites the same equations.
- NHSRplotthedots (nhs-r-community/NHSRplotthedots): R/ptd_spc_standard.R (limits and
  moving-range screening), R/ptd_calculate_point_type.R and its tests
  (tests/testthat/test-ptd_calculate_point_type.R: ptd_two_in_three, ptd_part_of_two_in_three,
  ptd_seven_point_trend), R/ptd_add_short_group_warnings.R (warning below 12 points).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.spc import (
    bounds_for,
    c_chart,
    chart_type_for,
    control_chart,
    p_chart,
    run_chart,
    u_chart,
    xmr_chart,
)

BASELINE = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9]  # mean 10, limits 5.41 to 14.59


def flagged(result, rule):
    return [i for i, flags in enumerate(result.per_point) if rule in flags]


# -- p, u and c charts: Montgomery's worked examples ---------------------------------------

# Example 7.1: frozen orange juice cans, 30 samples of 50; 347 nonconforming.
# p-bar = 0.2313, UCL = 0.4102, LCL = 0.0524; samples 15 and 23 are above the UCL.
CANS = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
        8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip


def test_p_chart_montgomery_example_7_1():
    assert sum(CANS) == 347
    result = p_chart(CANS, [50] * 30, multiplier=1.0)
    assert result.chart_type == "p"
    assert result.mean == pytest.approx(0.2313, abs=5e-5)
    assert result.upper_limit == pytest.approx(0.4102, abs=5e-5)
    assert result.lower_limit == pytest.approx(0.0524, abs=5e-5)
    assert flagged(result, "outside_limits") == [14, 22]  # samples 15 and 23
    percent = p_chart(CANS, [50] * 30)  # percentages by default
    assert percent.values[14] == pytest.approx(44.0)
    assert percent.upper_limit == pytest.approx(41.02, abs=5e-3)


def test_p_chart_limits_vary_with_each_denominator_and_stay_within_0_to_100():
    # p-bar = 17 / 170 = 0.1; sigma_i = sqrt(0.1 x 0.9 / n_i):
    # n = 50: 0.0424, limits 0 (floored from -0.027) to 0.2273;
    # n = 100: 0.03, limits 0.01 to 0.19; n = 20: 0.0671, limits 0 to 0.3012.
    result = p_chart([5, 10, 2], [50, 100, 20])
    assert result.centre_line == pytest.approx([10.0, 10.0, 10.0])
    assert result.upper_limits == pytest.approx([22.73, 19.0, 30.12], abs=5e-3)
    assert result.lower_limits == pytest.approx([0.0, 1.0, 0.0], abs=5e-3)
    assert result.trial  # three points
    full = p_chart([1, 1], [1, 2])
    assert all(u <= 100 for u in full.upper_limits)
    with pytest.raises(ValueError):
        p_chart([3], [2])


# Example 7.3: nonconformities in 26 samples of 100 printed circuit boards; 516 in all.
# c-bar = 19.85, UCL = 33.22, LCL = 6.48; samples 6 and 20 are outside the limits.
BOARDS = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16,
          19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15]  # fmt: skip


def test_c_chart_montgomery_example_7_3():
    assert sum(BOARDS) == 516
    result = c_chart(BOARDS)
    assert result.mean == pytest.approx(19.85, abs=5e-3)
    # Montgomery rounds c-bar to 19.85 before adding 3 sqrt(19.85) = 13.37.
    assert result.upper_limit == pytest.approx(33.22, abs=0.01)
    assert result.lower_limit == pytest.approx(6.48, abs=0.01)
    assert flagged(result, "outside_limits") == [5, 19]
    assert [result.directions[i] for i in (5, 19)] == ["neither", "neither"]


# Example 7.4: nonconformities in 20 samples of 5 personal computers; 193 in all.
# u-bar = 1.93, UCL = 3.79, LCL = 0.07; no point outside the limits.
COMPUTERS = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]


def test_u_chart_montgomery_example_7_4():
    assert sum(COMPUTERS) == 193
    result = u_chart(COMPUTERS, [5] * 20)
    assert result.mean == pytest.approx(1.93)
    assert result.upper_limit == pytest.approx(3.79, abs=5e-3)
    assert result.lower_limit == pytest.approx(0.07, abs=5e-3)
    assert flagged(result, "outside_limits") == []


def test_u_chart_limits_vary_with_exposure_and_are_floored_at_zero():
    # u-bar = 6 / 3000 bed days x 1000 = 2 per 1000; sigma_i = sqrt(0.002 / n_i) x 1000:
    # n = 1000: 1.414, limits 0 (floored from -2.24) to 6.24; n = 2000: 1.0, 0 to 5.
    result = u_chart([2, 4], [1000, 2000], multiplier=1000)
    assert result.values == pytest.approx([2.0, 2.0])
    assert result.upper_limits == pytest.approx([6.243, 5.0], abs=1e-3)
    assert result.lower_limits == [0.0, 0.0]


def test_the_same_rules_run_on_attribute_charts():
    # Seven samples above c-bar (20.08, from the first 12) after a baseline ending above
    # it too: a shift of eight on a c-chart.
    counts = [*BOARDS[:12], 25, 26, 24, 27, 25, 26, 24]
    result = c_chart(counts, baseline_points=12, improvement="down")
    assert flagged(result, "shift") == list(range(11, 19))
    assert result.variation == "special_cause_concern"


# -- Choosing the chart -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "has_denominators", "chart"),
    [
        ("measurement", False, "xmr"),
        ("count", False, "c"),
        ("rate", True, "u"),
        ("rate", False, "xmr"),
        ("percentage", True, "p"),
        ("percentage", False, "xmr"),
    ],
)
def test_chart_type_for_a_measure_kind(kind, has_denominators, chart):
    assert chart_type_for(kind, has_denominators=has_denominators) == chart


def test_bounds_and_dispatch():
    assert bounds_for("count") == (0.0, None)
    assert bounds_for("percentage") == (0.0, 100.0)
    assert bounds_for("measurement") == (None, None)
    assert control_chart("p", CANS, [50] * 30).chart_type == "p"
    assert control_chart("c", BOARDS).chart_type == "c"
    assert control_chart("xmr", BASELINE).chart_type == "xmr"
    with pytest.raises(ValueError):
        control_chart("u", COMPUTERS)
    with pytest.raises(ValueError):
        chart_type_for("vibes")


# -- XmR as NHSRplotthedots computes it ----------------------------------------------------


def test_moving_ranges_over_3267_times_their_mean_are_screened_out():
    # Moving ranges 1 2 1 2 4 22 20 1 2 1 1: mean 57/11 = 5.18; 22 and 20 are at or above
    # 3.267 x 5.18 = 16.93, so they are left out: MR-bar = 15 / 9 = 1.667.
    # Mean 141 / 12 = 11.75; limits 11.75 +/- 2.66 x 1.667 = 7.32 to 16.18.
    # A later 17 is then above the upper limit; unscreened (limits to 25.53) it is not.
    values = [10, 11, 9, 10, 12, 8, 30, 10, 11, 9, 10, 11, 17]
    result = xmr_chart(values)
    assert result.screened == (6, 7)
    assert result.mean_moving_range == pytest.approx(15 / 9)
    assert result.upper_limit == pytest.approx(11.75 + 2.66 * 15 / 9)
    assert flagged(result, "outside_limits") == [6, 12]
    unscreened = xmr_chart(values, screen_outliers=False)
    assert unscreened.mean_moving_range == pytest.approx(57 / 11)
    assert flagged(unscreened, "outside_limits") == [6]


def test_a_point_beyond_the_limit_does_not_count_towards_two_of_three():
    # 13.5 is close to the upper limit (13.06-14.59); 16 is beyond it.
    result = xmr_chart([*BASELINE, 13.5, 16, 10.5])
    assert flagged(result, "two_of_three") == []
    assert flagged(result, "outside_limits") == [13]


def test_two_of_three_needs_all_three_on_one_side_of_the_mean():
    # ptd_two_in_three: a window counts only when abs(sum(relative_to_mean)) == 3.
    assert flagged(xmr_chart([*BASELINE, 13.5, 9, 13.5]), "two_of_three") == []
    assert flagged(xmr_chart([*BASELINE, 13.5, 10, 13.5]), "two_of_three") == []  # on it
    assert flagged(xmr_chart([*BASELINE, 13.5, 10.5, 13.5]), "two_of_three") == [12, 14]


@pytest.mark.parametrize(
    ("close", "expected"),
    [
        # ptd_part_of_two_in_three's cases: 1 = a point close to the upper limit.
        ([1, 0, 1], [0, 2]),
        ([0, 1, 1], [1, 2]),
        ([0, 0, 1, 0, 1, 0, 0], [2, 4]),
        ([0, 0, 1, 1, 0, 0, 0], [2, 3]),
        ([1, 0, 0, 1], []),
        ([1, 0, 0, 1, 1], [3, 4]),
    ],
)
def test_two_of_three_matches_the_reference_cases(close, expected):
    values = [13.5 if c else 10.5 for c in close]  # all above the mean of 10
    result = xmr_chart([*BASELINE, *values])
    assert [i - 12 for i in flagged(result, "two_of_three")] == expected


def test_a_trend_takes_precedence_and_a_peak_takes_the_step_after_it():
    # Rising seven to a peak, then falling seven from it (ptd_special_cause_type: "if a
    # point is part of a trend either side, use right side").
    values = [*BASELINE, 6, 7, 8, 9, 10, 11, 12, 11, 10, 9, 8, 7, 6]
    result = xmr_chart(values, improvement="up")
    assert result.signal_rule[12:] == ["trend"] * 13
    assert result.directions[12:18] == ["improvement"] * 6
    assert result.directions[18:] == ["concern"] * 7  # the peak (index 18) and the fall


def test_outside_the_limits_takes_precedence_over_a_trend():
    values = [*BASELINE, 6, 7, 8, 9, 10, 11, 15]
    result = xmr_chart(values, improvement="down")
    assert result.signal_rule[18] == "outside_limits"
    assert result.directions[18] == "concern"
    assert result.directions[12] == "concern"  # rising, and down is better


def test_rebasing_gives_each_phase_its_own_limits_and_signals():
    after = [v + 10 for v in BASELINE]
    one = xmr_chart([*BASELINE, *after], improvement="up")
    assert flagged(one, "shift") == list(range(12, 24))  # against the old mean
    two = xmr_chart([*BASELINE, *after], improvement="up", phases=[12])
    assert [(p.start, p.stop) for p in two.phases] == [(0, 12), (12, 24)]
    assert [p.centre for p in two.phases] == [10, 20]
    assert two.mean == 20 and two.upper_limit == pytest.approx(20 + 2.66 * 19 / 11)
    assert two.patterns == []
    assert two.moving_ranges[12] is None  # no moving range across the change
    assert two.centre_line[:12] == [10] * 12 and two.centre_line[12:] == [20] * 12


def test_target_assurance_uses_the_latest_phase():
    after = [v - 6 for v in BASELINE]  # mean 4, limits -0.59 to 8.59
    before = xmr_chart([*BASELINE, *after], improvement="down", target=5)
    assert before.assurance == "consistently_fail"
    rebased = xmr_chart([*BASELINE, *after], improvement="down", target=5, phases=[12])
    assert rebased.assurance == "hit_and_miss"


def test_trial_limits_below_twelve_points_per_phase():
    result = xmr_chart([*BASELINE, 20, 21, 19, 20], phases=[12])
    assert [p.trial for p in result.phases] == [False, True]
    assert result.trial and result.baseline_points == 4


def test_counts_are_floored_at_zero():
    # Mean 1, MR-bar 1.27: the lower limit would be -2.38 incidents.
    counts = [0, 2, 1, 0, 3, 1, 0, 2, 1, 0, 1, 1]
    raw = xmr_chart(counts)
    assert raw.lower_limit < 0
    floored = xmr_chart(counts, floor=0.0)
    assert floored.lower_limit == 0.0
    assert all(v == 0.0 for v in floored.lower_limits)
    assert floored.upper_limit == raw.upper_limit
    assert c_chart(counts).lower_limit == 0.0
    capped = xmr_chart([98, 99, 100, 97, 100, 99], floor=0.0, ceiling=100.0)
    assert capped.upper_limit == 100.0


# -- Run charts: a baseline median --------------------------------------------------------


def test_the_run_chart_median_comes_from_a_baseline_so_the_baseline_is_not_a_shift():
    baseline = [4, 6, 5, 4, 6, 5, 4, 6, 5, 6, 5, 4]  # median 5
    values = [*baseline, *[9] * 8]
    result = run_chart(values)  # the first 12 points by default
    assert result.median == 5 and result.baseline_points == 12
    assert [(s.start, s.end) for s in result.shifts] == [(12, 19)]
    assert result.flagged == list(range(12, 20))
    every_point = run_chart(values, baseline=None)
    assert every_point.median == 6
    assert any(s.end < 12 for s in every_point.shifts)  # the baseline flagged


def test_run_chart_phases_have_their_own_median():
    result = run_chart([1, 2, 3, 2, 1, 2, 8, 9, 8, 9, 8, 9], phases=[6])
    assert [p.median for p in result.phases] == [2, 8.5]
    assert result.centre_line == [2] * 6 + [8.5] * 6
    assert result.shifts == []


# -- Properties of the attribute charts ----------------------------------------------------

ratios = st.lists(st.tuples(st.integers(1, 500), st.floats(0, 1)), min_size=1, max_size=30).map(
    lambda rows: ([round(n * f) for n, f in rows], [n for n, _ in rows])
)


@settings(max_examples=100)
@given(data=ratios, phase=st.integers(0, 30))
def test_p_chart_limits_stay_within_0_and_100_around_the_centre(data, phase):
    numerators, denominators = data
    result = p_chart(numerators, denominators, phases=[phase])
    for centre, low, high in zip(
        result.centre_line, result.lower_limits, result.upper_limits, strict=True
    ):
        assert 0 <= low <= centre <= high <= 100
    assert len(result.per_point) == len(numerators)


@settings(max_examples=100)
@given(data=ratios)
def test_u_chart_limits_are_never_negative(data):
    numerators, denominators = data
    result = u_chart(numerators, denominators, multiplier=1000)
    assert all(low >= 0 for low in result.lower_limits)
    assert all(high >= c for high, c in zip(result.upper_limits, result.centre_line, strict=True))


@settings(max_examples=150)
@given(
    values=st.lists(st.integers(0, 50), min_size=2, max_size=40),
    cut=st.integers(1, 39),
    improvement=st.sampled_from(["up", "down", None]),
)
def test_no_pattern_crosses_a_change_point(values, cut, improvement):
    result = xmr_chart(values, phases=[cut], improvement=improvement, floor=0.0)
    for pattern in result.patterns:
        assert (pattern.start < cut) == (pattern.end < cut) or cut >= len(values)
    assert all(low is None or low >= 0 for low in result.lower_limits)
    run = run_chart(values, phases=[cut])
    for pattern in run.patterns:
        assert (pattern.start < cut) == (pattern.end < cut) or cut >= len(values)
