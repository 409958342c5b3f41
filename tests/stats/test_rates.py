"""Known values: hand-computed or published, and an independent computation where one exists."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats as sps

from vcdhub.stats.control import CChart, XmRChart
from vcdhub.stats.rates import clopper_pearson, rate_ratio, wilson_interval


def test_wilson_interval_by_hand():
    # 34 of 100 at 95%: z² = 3.84146; centre = (0.34 + z²/200) / (1 + z²/100) = 0.359207 / 1.038415 = 0.345919
    # half = z * sqrt(0.34*0.66/100 + z²/40000) / (1 + z²/100) = 1.959964 * 0.048374 / 1.038415 = 0.091305
    interval = wilson_interval(34, 100)
    assert_allclose([interval.low, interval.high], [0.254614, 0.437224], atol=5e-6)
    assert interval.estimate == 0.34


@pytest.mark.parametrize("k,n", [(0, 10), (1, 10), (10, 10), (343, 1000), (5, 7)])
def test_wilson_interval_matches_scipy(k, n):
    ours = wilson_interval(k, n)
    theirs = sps.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert_allclose([ours.low, ours.high], [theirs.low, theirs.high], atol=1e-12)


def test_clopper_pearson_published_value():
    # 10 of 30: exact 95% interval 0.1729 to 0.5281 (standard tables).
    interval = clopper_pearson(10, 30)
    assert_allclose([interval.low, interval.high], [0.1729, 0.5281], atol=5e-5)


def test_rate_ratio_exact_conditional_by_hand():
    # 10 this period, 20 the same period last year: p = 1/3, CI for p (0.17287, 0.52812),
    # ratio = p/(1-p): 0.5, CI (0.17287/0.82713, 0.52812/0.47188) = (0.20901, 1.11918).
    rr = rate_ratio(10, 20)
    assert rr.ratio == 0.5 and rr.change_pct == -50.0
    assert_allclose([rr.low, rr.high], [0.20901, 1.11918], atol=5e-5)
    # Two-sided exact test of p = 1/2 with 10 of 30: 2 * P(X <= 10) = 0.0987.
    assert_allclose(rr.p_value, 2 * sps.binom.cdf(10, 30, 0.5), rtol=1e-12)
    assert_allclose(rr.p_value, 0.09874, atol=5e-5)


def test_rate_ratio_with_unequal_periods():
    # 60 crimes in 3 months against 100 in 5 months: rates 20 and 20 a month, ratio 1.
    rr = rate_ratio(60, 100, current_exposure=3, baseline_exposure=5)
    assert rr.ratio == pytest.approx(1.0)
    assert rr.low < 1 < rr.high
    assert rr.p_value == pytest.approx(1.0, abs=0.02)


def test_rate_ratio_detects_a_real_fall_and_not_noise():
    assert rate_ratio(800, 1000).high < 1  # a 20% fall on these volumes is real
    assert rate_ratio(95, 100).low < 1 < rate_ratio(95, 100).high  # a 5% fall on 100 is noise


def test_rate_ratio_edge_cases():
    assert math.isinf(rate_ratio(5, 0).ratio)
    assert rate_ratio(0, 5).ratio == 0 and rate_ratio(0, 5).low == 0
    with pytest.raises(ValueError):
        rate_ratio(-1, 3)


def test_c_chart_limits_by_hand():
    counts = [9, 11, 10, 8, 12, 10, 30]
    chart = CChart().fit(counts)
    centre = sum(counts) / 7  # 12.857...
    assert chart.centre_ == pytest.approx(centre)
    assert chart.upper_ == pytest.approx(centre + 3 * math.sqrt(centre))  # 23.61
    assert chart.lower_ == pytest.approx(centre - 3 * math.sqrt(centre))  # 2.10
    assert chart.signals_ == [6]


def test_c_chart_lower_limit_is_not_negative():
    assert CChart().fit([1, 0, 2, 1]).lower_ == 0.0


def test_xmr_chart_by_hand():
    values = [10, 12, 11, 13, 12, 25]
    chart = XmRChart().fit(values)
    moving = np.mean([2, 1, 2, 1, 13])  # 3.8
    assert chart.moving_range_ == pytest.approx(moving)
    assert chart.upper_ == pytest.approx(np.mean(values) + 2.66 * moving)  # 13.833 + 10.108 = 23.941
    assert chart.signals_ == [5]
    assert XmRChart().fit([10, 11, 10, 11, 10, 11, 10, 12]).signals_ == []


def test_the_stats_package_does_not_import_django():
    import ast
    from pathlib import Path

    import vcdhub.stats

    for path in Path(vcdhub.stats.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith(("django", "vcdhub.")) and not n.startswith("vcdhub.stats") for n in names), \
                f"{path.name} imports {names}"


def test_xmr_median_moving_range_is_not_inflated_by_one_wild_point():
    values = [11, 10, 11, 10, 11, 40, 11]
    assert XmRChart().fit(values).signals_ == []  # the mean moving range (10.33) swallows the spike
    chart = XmRChart(moving_range="median").fit(values)
    # Median 11; moving ranges 1, 1, 1, 1, 29, 29, median 1; limits 11 +/- 3.145.
    assert (chart.centre_, chart.moving_range_) == (11.0, 1.0)
    assert (chart.lower_, chart.upper_) == pytest.approx((7.855, 14.145))
    assert chart.signals_ == [5]


def test_poisson_rate_interval_known_values():
    from vcdhub.stats.disparity import poisson_rate_interval

    # 10 events: exact 95% limits 4.7954 and 18.3904 (Garwood; standard tables), per 10,000 people -> per 1,000.
    rate, low, high = poisson_rate_interval(10, 10_000)
    assert rate == 1.0
    assert_allclose([low, high], [0.47954, 1.83904], atol=5e-5)
    assert poisson_rate_interval(0, 1000)[1] == 0.0


def test_disparity_table_by_hand():
    from vcdhub.stats.disparity import DisparityTable, GroupCounts

    groups = [GroupCounts("White", 100_000, 400, 80, 100), GroupCounts("Black", 20_000, 600, 90, 120),
              GroupCounts("Other", None, 5, 1, 1)]
    rows = {r["group"]: r for r in DisparityTable().fit(groups).rows_}
    # Rates per 1,000: White 4, Black 30; ratio 7.5. Arrests per search: White 20%, Black 15%; RRI 0.75.
    assert rows["White"]["rate"] == pytest.approx(4.0) and rows["Black"]["rate"] == pytest.approx(30.0)
    assert rows["Black"]["ratio"] == pytest.approx(7.5) and rows["Black"]["ratio_low"] > 6
    assert rows["Black"]["rri_arrest"] == pytest.approx(0.75)
    assert rows["Black"]["rri_find"] == pytest.approx((120 / 600) / (100 / 400))
    independent = rate_ratio(600, 400, 20_000, 100_000)
    assert (rows["Black"]["ratio_low"], rows["Black"]["ratio_high"]) == (independent.low, independent.high)
    assert rows["Other"]["too_small"] and rows["Other"]["rate"] is None and "denominator" in rows["Other"]["note"]


def test_concentration_known_values():
    from vcdhub.stats.concentration import Concentration

    # All crime in one of four areas: Gini (n-1)/n = 0.75; one area holds any share.
    one = Concentration(share=0.5).fit({"a": 10, "b": 0, "c": 0, "d": 0})
    assert one.gini_ == pytest.approx(0.75) and one.areas_needed_ == 1
    # Equal counts: Gini 0; half the crime needs half the areas.
    even = Concentration(share=0.5).fit({c: 5 for c in "abcd"})
    assert even.gini_ == pytest.approx(0.0) and even.areas_needed_ == 2
    # 6, 3, 1 over three areas: Lorenz (0,0), (1/3, 0.1), (2/3, 0.4), (1, 1);
    # area under = (1/3)(0 + 0.1 + 0.1 + 0.4 + 0.4 + 1)/2 = 0.3333; Gini = 1 - 2 * 0.3333 = 0.3333.
    three = Concentration(share=0.6).fit({"x": 3, "y": 6, "z": 1})
    assert three.gini_ == pytest.approx(1 / 3)
    assert [code for code, _, _ in three.ranked_] == ["y", "x", "z"]
    assert three.areas_needed_ == 1 and three.ranked_[1][2] == pytest.approx(0.9)
    assert Concentration(share=0.61).fit({"x": 3, "y": 6, "z": 1}).areas_needed_ == 2
    # Ties are ordered by code, so the answer does not depend on input order.
    assert [c for c, _, _ in Concentration().fit({"b": 2, "a": 2}).ranked_] == ["a", "b"]
