"""Trend alerts: known values, an independent optimiser for the baseline model, and simulated areas where
the right answer is known (a spike, a seasonal peak, a quiet borough of 600 wards)."""

import doctest
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import optimize
from scipy import stats as sps

from vcdhub.stats import alerts
from vcdhub.stats.alerts import ExceedanceAlerts, fit_poisson_glm, month_index, month_label, poisson_cusum, upper_tail


def month_list(n: int, start: str = "2020-01") -> list[str]:
    first = month_index(start)
    return [month_label(first + i) for i in range(n)]


def seasonal_mean(n: int, level: float = 20.0, yearly_change: float = 1.0, amplitude: float = 0.3) -> np.ndarray:
    """Expected counts for n months from January: a sine seasonality and a log-linear trend."""
    t = np.arange(n)
    return level * yearly_change ** (t / 12) * (1 + amplitude * np.sin(2 * np.pi * t / 12))


def test_docstring_examples_run():
    result = doctest.testmod(alerts)
    assert result.attempted >= 8 and result.failed == 0


def test_months_round_trip_and_reject_bad_strings():
    assert month_index("2024-01") - month_index("2023-01") == 12
    assert month_label(month_index("2007-09")) == "2007-09"
    for bad in ("2024-13", "2024-1", "24-01", "2024/01", None):
        with pytest.raises(ValueError):
            month_index(bad)


# The baseline model -------------------------------------------------------------------------------------


def test_glm_matches_an_independent_optimiser():
    rng = np.random.default_rng(7)
    n = 48
    years = (np.arange(n) - n) / 12
    month = np.arange(n) % 12
    X = np.column_stack([np.ones(n), years] + [(month == m).astype(float) for m in range(1, 12)])
    true = np.concatenate([[np.log(15)], [0.1], rng.normal(0, 0.3, 11)])
    y = rng.poisson(np.exp(X @ true))
    ours = fit_poisson_glm(X, y)

    def negative_log_likelihood(beta):  # up to a constant: sum(mu - y log mu)
        eta = X @ beta
        return np.sum(np.exp(eta) - y * eta), X.T @ (np.exp(eta) - y)

    theirs = optimize.minimize(negative_log_likelihood, np.zeros(X.shape[1]), jac=True, method="BFGS",
                               options={"gtol": 1e-7, "maxiter": 10_000})
    assert theirs.success and ours.converged
    assert_allclose(ours.coef, theirs.x, atol=1e-6)
    assert_allclose(negative_log_likelihood(ours.coef)[1], 0, atol=1e-8)  # our score is zero
    # The score equations hold: with an intercept, fitted counts add up to the observed total.
    assert ours.fitted.sum() == pytest.approx(y.sum(), rel=1e-10)
    # Dispersion is Pearson chi-squared over residual df; the covariance is the inverse Fisher information.
    mu = np.exp(X @ theirs.x)
    assert ours.dispersion == pytest.approx(np.sum((y - mu) ** 2 / mu) / (n - 13), rel=1e-6)
    assert_allclose(ours.cov_unscaled, np.linalg.inv(X.T @ np.diag(mu) @ X), rtol=1e-5)


def test_glm_by_hand_and_rejects_a_rank_deficient_design():
    # Two groups, means 3 and 12: intercept log 3, group effect log 4.
    X = np.array([[1, 0], [1, 0], [1, 1], [1, 1]], dtype=float)
    fit = fit_poisson_glm(X, [2, 4, 10, 14])
    assert_allclose(fit.coef, [math.log(3), math.log(4)], atol=1e-9)
    # Pearson: (1/3 + 1/3 + 4/12 + 4/12) / (4 - 2) = 2/3
    assert fit.dispersion == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="rank"):
        fit_poisson_glm(np.column_stack([np.ones(4), np.ones(4)]), [1, 2, 3, 4])
    with pytest.raises(ValueError):
        fit_poisson_glm(np.ones((3, 1)), [1, -1, 2])


def test_tail_probabilities_by_hand_and_against_scipy():
    # Poisson(1): P(X >= 3) = 1 - e^-1 (1 + 1 + 1/2)
    assert upper_tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * 2.5, rel=1e-12)
    # Poisson(4.2): P(X >= 10) by summing the probability function to 9
    below = sum(math.exp(-4.2) * 4.2**k / math.factorial(k) for k in range(10))
    assert upper_tail(10, 4.2) == pytest.approx(1 - below, rel=1e-9)
    assert upper_tail(10, 4.2) == pytest.approx(sps.poisson.sf(9, 4.2))
    # Negative binomial with mean 5 and variance 10: size 5, probability 1/2; P(X >= 12) from the pmf
    # C(k + 4, k) 0.5^5 0.5^k.
    below = sum(math.comb(k + 4, k) * 0.5 ** (5 + k) for k in range(12))
    assert upper_tail(12, 5.0, variance=10.0) == pytest.approx(1 - below, rel=1e-9)
    # A variance at or below the mean is Poisson; nothing observed is certain; nothing expected is impossible.
    assert upper_tail(7, 3.0, variance=3.0) == upper_tail(7, 3.0) == upper_tail(7, 3.0, variance=2.0)
    assert upper_tail(0, 3.0) == 1.0 and upper_tail(2, 0.0) == 0.0


# The Poisson test ---------------------------------------------------------------------------------------


def test_a_spike_on_a_seasonal_trending_series_is_found():
    rng = np.random.default_rng(11)
    mean = seasonal_mean(49, level=20, yearly_change=1.10)
    counts = rng.poisson(mean).tolist()
    quiet = ExceedanceAlerts().fit({"W": counts}, month_list(49))
    # The baseline for the 49th month is close to the truth, and a typical month does not alert.
    assert quiet.expected_["W"] == pytest.approx(mean[-1], rel=0.15)
    assert not quiet.alert_["W"] and quiet.alerts_ == []
    counts[-1] = int(round(2.2 * mean[-1]))
    spike = ExceedanceAlerts().fit({"W": counts}, month_list(49))
    assert spike.alert_["W"] and spike.p_["W"] < 1e-4
    assert [row["code"] for row in spike.alerts_] == ["W"]
    row = spike.alerts_[0]
    assert row["excess"] == pytest.approx(row["observed"] - row["expected"])
    assert row["ratio"] == pytest.approx(row["observed"] / row["expected"]) and row["ratio"] > 1.8
    assert spike.reason_["W"].startswith("alert: ")


def test_a_seasonal_peak_is_not_an_alert():
    # Every December is three times an ordinary month; the latest month is a December like the others.
    rng = np.random.default_rng(3)
    mean = np.where(np.arange(48) % 12 == 11, 36.0, 12.0)
    counts = rng.poisson(mean).tolist()
    months = month_list(48)
    assert months[-1].endswith("-12")
    model = ExceedanceAlerts().fit({"W": counts}, months)
    assert not model.alert_["W"] and model.p_["W"] > 0.05
    assert model.expected_["W"] == pytest.approx(36, rel=0.15)
    # Against a baseline without seasonality (the mean of all earlier months) the same December is a
    # huge exceedance: the seasonal baseline is what keeps it quiet.
    assert upper_tail(counts[-1], np.mean(counts[:-1])) < 1e-4
    # Farrington's +/- 1 month window averages November, December and January: it cannot represent a
    # one-month peak, so its expected count is far too low and the misfit shows as overdispersion, which
    # costs it power. window=0 (the same month only) matches the month-of-year model.
    window = ExceedanceAlerts(window=1).fit({"W": counts}, months)
    assert window.expected_["W"] < 0.7 * model.expected_["W"] and window.dispersion_["W"] > 3
    assert ExceedanceAlerts(window=0).fit({"W": counts}, months).expected_["W"] == pytest.approx(
        np.mean(counts[11:-1:12]))


def test_six_hundred_quiet_areas_give_no_more_false_alarms_than_the_fdr_allows():
    rng = np.random.default_rng(2024)
    n = 25  # two years of history and the latest month
    levels = rng.choice([2, 5, 10, 30, 100], 600)
    series = {f"E05{i:06d}": rng.poisson(level, n).tolist() for i, level in enumerate(levels)}
    model = ExceedanceAlerts().fit(series, month_list(n))
    # A few of the smallest areas have an expected count under 1 and are set aside, with the reason.
    unassessed = [c for c, ok in model.assessed_.items() if not ok]
    assert len(unassessed) < 20
    assert all(model.reason_[c].startswith("not assessed: expected count 0.") for c in unassessed)
    # Under the null the raw p-values are (conservatively) valid: about 5% fall at or below 0.05
    # (binomial 600 x 0.05 = 30 +/- 5.3). A test that ignored the baseline's own uncertainty would not be.
    raw = np.array([model.p_[c] for c in series if model.assessed_[c]])
    assert 10 <= np.sum(raw <= 0.05) <= 40
    # Benjamini-Hochberg: with every area quiet the chance of any alert is at most alpha.
    assert len(model.alerts_) <= 1
    adjusted = [model.p_adjusted_[c] for c in series if model.assessed_[c]]
    assert_allclose(adjusted, sps.false_discovery_control(raw, method="bh"))
    # Without the correction, the expected 5% of quiet areas alert.
    uncorrected = ExceedanceAlerts(fdr=False).fit(series, month_list(n))
    assert 10 <= len(uncorrected.alerts_) <= 40
    assert all(uncorrected.p_adjusted_[c] == uncorrected.p_[c] for c in series if uncorrected.assessed_[c])


def test_a_single_quiet_series_raises_nothing():
    rng = np.random.default_rng(5)
    model = ExceedanceAlerts().fit({"B": rng.poisson(40, 37).tolist()}, month_list(37))
    assert model.assessed_["B"] and not model.alert_["B"] and model.alerts_ == []
    assert model.reason_["B"].startswith("no alert: ")


def test_alerts_are_ordered_by_significance_then_size():
    base = [10] * 36
    series = {"c": base + [30], "a": base + [30], "b": base + [45], "d": base + [11]}
    model = ExceedanceAlerts().fit(series, month_list(37))
    assert [row["code"] for row in model.alerts_] == ["b", "a", "c"]  # a and c tie, so by code
    assert [row["code"] for row in model.results_] == ["b", "a", "c", "d"]
    assert list(model.alerts_[0]) == ["code", "observed", "expected", "excess", "ratio", "p", "p_adjusted",
                                      "cusum", "assessed", "alert", "new_activity", "reason"]


def test_the_trend_is_kept_only_when_significant_and_within_the_data():
    months = month_list(37)
    t = np.arange(37) / 12
    falling = np.round(60 * np.exp(-0.5 * t)).astype(int).tolist()
    model = ExceedanceAlerts().fit({"down": falling}, months)
    assert model.trend_["down"] == pytest.approx(math.exp(-0.5), rel=0.02)
    assert model.expected_["down"] == pytest.approx(60 * math.exp(-0.5 * 3), rel=0.03)
    # A rise carried forward would predict more than the area has ever recorded: Farrington drops the trend.
    rising = np.round(10 * np.exp(0.5 * t)).astype(int).tolist()
    assert ExceedanceAlerts().fit({"up": rising}, months).trend_["up"] is None
    # A flat series has no significant trend; trend=False never fits one.
    assert ExceedanceAlerts().fit({"flat": [20, 21, 19, 20] * 9 + [20]}, months).trend_["flat"] is None
    assert ExceedanceAlerts(trend=False).fit({"down": falling}, months).trend_["down"] is None


def test_overdispersion_widens_the_test_and_underdispersion_does_not_narrow_it():
    # Negative binomial counts with mean 15 and variance 60 (phi = 4).
    rng = np.random.default_rng(8)
    counts = rng.negative_binomial(5, 0.25, 48).tolist()  # size 5, p 1/4: mean 15, variance 60
    counts[-1] = 35
    months = month_list(48)
    model = ExceedanceAlerts(trend=False, baseline_uncertainty=False).fit({"W": counts}, months)
    phi, expected = model.dispersion_["W"], model.expected_["W"]
    assert 2 < phi < 8
    assert model.p_["W"] == pytest.approx(upper_tail(35, expected, phi * expected))
    assert model.p_["W"] > 10 * upper_tail(35, expected)
    # Counts steadier than Poisson (phi < 1) keep the Poisson test.
    steady = [15, 16, 14, 15] * 9 + [20]
    model = ExceedanceAlerts(trend=False, baseline_uncertainty=False).fit({"W": steady}, month_list(37))
    assert model.dispersion_["W"] < 1
    assert model.p_["W"] == pytest.approx(sps.poisson.sf(19, model.expected_["W"]))
    # With the baseline's own uncertainty the test is wider still: Var(mu_hat) from three Januaries.
    wider = ExceedanceAlerts(trend=False).fit({"W": steady}, month_list(37))
    january = [15, 15, 15]  # the three earlier Januaries: the fitted January mean is 15, Var(mu_hat) = 15/3
    assert wider.expected_["W"] == pytest.approx(np.mean(january))
    assert wider.p_["W"] == pytest.approx(upper_tail(20, 15, 15 + 15 / 3))


def test_areas_that_cannot_be_assessed_are_listed_with_the_reason():
    months = month_list(37)
    series = {"ok": [10] * 37, "short": [None] * 25 + [10] * 12, "gap": [10] * 36 + [None],
              "tiny": [1] + [0] * 35 + [2], "none": [0] * 37}
    model = ExceedanceAlerts().fit(series, months)
    assert model.assessed_ == {"ok": True, "short": False, "gap": False, "tiny": False, "none": False}
    assert model.reason_["short"] == "not assessed: only 0 earlier January counts before 2023-01; needs 2"
    assert model.reason_["gap"] == "not assessed: no count recorded for 2023-01"
    assert model.reason_["tiny"].startswith("not assessed: expected count 0.")
    assert "no crimes in the 36 baseline months" in model.reason_["none"]
    assert [row["code"] for row in model.results_][1:] == ["gap", "none", "short", "tiny"]
    assert all(math.isnan(model.p_[c]) for c in ("short", "gap"))  # tiny and none are tested for new activity
    # A lower min_expected assesses the small area.
    assert ExceedanceAlerts(min_expected=0.1).fit(series, months).assessed_["tiny"]


def test_the_reasons_not_assessed_are_words_with_the_parameters_but_not_the_areas_own_numbers():
    months = month_list(37)
    series = {"ok": [10] * 37, "short": [None] * 25 + [10] * 12, "gap": [10] * 36 + [None],
              "tiny": [1] + [0] * 35 + [2], "tinier": [0] * 12 + [2] + [0] * 23 + [3], "none": [0] * 37}
    model = ExceedanceAlerts().fit(series, months)
    assert model.not_assessed_ == {
        "ok": None,
        "short": "fewer than the 2 earlier January counts needed before 2023-01",
        "gap": "no count recorded for 2023-01",
        "tiny": "expected count below the minimum of 1",
        "tinier": "expected count below the minimum of 1",
        "none": "no crimes in the baseline months, so there is no expected count to compare with"}
    # Two areas in the same case share the words, though their own reasons quote different numbers.
    assert model.reason_["tiny"] != model.reason_["tinier"]
    # The thresholds are parameters, so they are printed as set.
    model = ExceedanceAlerts(min_history_years=1, min_expected=0.5).fit(series, months)
    assert model.not_assessed_["short"] == "no earlier January count before 2023-01"
    assert model.not_assessed_["tiny"] == "expected count below the minimum of 0.5"
    model = ExceedanceAlerts(min_history_years=4, window=1).fit(series, months)
    assert model.not_assessed_["ok"] == ("fewer than the 4 earlier years with data within 1 month(s) of January "
                                         "needed before 2023-01")
    model = ExceedanceAlerts(method="cusum").fit(series, months)
    assert model.not_assessed_["gap"] == "no count recorded for some of the months 2022-08 to 2023-01"


def _poisson_tail(n: int, mean: float) -> float:
    """P(X >= n) for X ~ Poisson(mean), summed term by term over the upper tail (independent of scipy)."""
    return min(1.0, math.fsum(math.exp(-mean) * mean ** k / math.factorial(k) for k in range(n, n + 100)))


def _bh(p: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values by hand: min over j >= i of p_(j) m / j, in the input order."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted, running = [0.0] * m, 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        adjusted[i] = running
    return adjusted


def test_a_jump_from_a_zero_or_tiny_baseline_is_new_activity_by_a_hand_computation():
    months = month_list(37)  # three years, then January 2023
    series = {
        "jump": [0] * 36 + [16],              # nothing for three years, then 16
        "tiny_jump": [1] + [0] * 35 + [7],    # one crime in three years, then 7
        "five": [0] * 36 + [5],               # 5 from nothing: at the minimum count, but among many quiet areas
        "four": [0] * 36 + [4],               # below the minimum count of 5
        "short": [None] * 25 + [0] * 11 + [16],  # a jump, but too little history to say what is usual
        "ok": [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10, 10] * 3 + [25],
        **{f"quiet{i:02d}": [0] * 37 for i in range(60)},
    }
    model = ExceedanceAlerts().fit(series, months)
    # The floor: max(1, expected, the average baseline month). tiny_jump's expected is a third of a crime (its
    # Januaries hold 1, 0 and 0) and its average month 1/36, so its floor is 1, as for the empty baselines.
    assert model.expected_["tiny_jump"] == pytest.approx(1 / 3, rel=1e-6)
    candidates = ["jump", "tiny_jump", "five", "four", *(f"quiet{i:02d}" for i in range(60))]
    observed = {"jump": 16, "tiny_jump": 7, "five": 5, "four": 4} | {c: 0 for c in candidates[4:]}
    raw = [_poisson_tail(observed[c], 1.0) for c in candidates]
    assert raw[0] == pytest.approx(1.8677634631680653e-14, rel=1e-9)  # 1 - e^-1 (1 + 1 + ... + 1/15!)
    adjusted = dict(zip(candidates, _bh(raw), strict=True))
    for code, p in zip(candidates, raw, strict=True):
        assert model.p_[code] == pytest.approx(p, rel=1e-9, abs=1e-15)
        assert model.p_adjusted_[code] == pytest.approx(adjusted[code], rel=1e-9, abs=1e-15)
        assert model.observed_[code] == observed[code] and not model.assessed_[code]
    # five: p = 0.00366, but 64 quiet areas were tested: 0.00366 x 64 / 3 = 0.078 > 0.05.
    assert adjusted["five"] == pytest.approx(_poisson_tail(5, 1.0) * 64 / 3) and adjusted["five"] > 0.05
    flagged = {code for code, yes in model.new_activity_.items() if yes}
    assert flagged == {"jump", "tiny_jump"}
    assert not any(model.alert_[c] for c in flagged) and [row["code"] for row in model.alerts_] == ["ok"]
    assert [row["code"] for row in model.results_][:3] == ["ok", "jump", "tiny_jump"]
    assert model.reason_["jump"] == ("new activity: 16 crimes in 2023-01 against 0.00 expected, below the minimum "
                                     "of 1; beyond chance even against 1 expected (p = 1.9e-14, adjusted p = 1.2e-12, "
                                     "at most 0.05)")
    assert "not beyond chance" in model.reason_["five"] and "not new activity" in model.reason_["five"]
    # Too little history: not a candidate at all.
    assert model.not_assessed_["short"].startswith("fewer than the 2 earlier January counts")
    assert math.isnan(model.p_["short"]) and not model.new_activity_["short"]
    # The new-activity family leaves the assessed areas' adjustment as it was.
    alone = ExceedanceAlerts().fit({"ok": series["ok"]}, months)
    assert model.p_adjusted_["ok"] == alone.p_adjusted_["ok"]
    # Without the correction, five is new activity (p = 0.00366 <= 0.05); four never is (fewer than 5).
    uncorrected = ExceedanceAlerts(fdr=False).fit(series, months)
    assert {c for c, yes in uncorrected.new_activity_.items() if yes} == {"jump", "tiny_jump", "five"}
    assert uncorrected.p_["four"] == pytest.approx(_poisson_tail(4, 1.0)) and uncorrected.p_["four"] < 0.05
    # The CUSUM tests the latest month the same way; new_activity_min=None turns the flag off.
    cusum = ExceedanceAlerts(method="cusum").fit(series, months)
    assert {c for c, yes in cusum.new_activity_.items() if yes} == {"jump", "tiny_jump"}
    assert cusum.p_["jump"] == pytest.approx(raw[0], rel=1e-9)
    assert not any(ExceedanceAlerts(new_activity_min=None).fit(series, months).new_activity_.values())


def test_an_ordinary_count_after_a_low_seasonal_estimate_is_not_new_activity():
    # Two a month throughout, but the two past Januaries happened to hold 0 and 1: the month-of-year estimate
    # is below the minimum, yet 5 is within chance for an area of 2 a month (p = 0.053). The floor is the
    # average baseline month, about 2, not 1.
    counts = [0, 2, 3, 2, 2, 1, 2, 3, 2, 2, 3, 2, 1, 2, 2, 3, 2, 2, 1, 2, 3, 2, 2, 2, 5]
    model = ExceedanceAlerts().fit({"W": counts}, month_list(25))
    assert model.not_assessed_["W"] == "expected count below the minimum of 1"
    floor = max(1.0, model.expected_["W"], np.mean(counts[:24]))
    assert floor == pytest.approx(np.mean(counts[:24])) and floor > 1.9
    assert model.p_["W"] == pytest.approx(_poisson_tail(5, floor), rel=1e-9) and model.p_["W"] > 0.05
    assert not model.new_activity_["W"]
    # Against the bare floor of 1 it would have been (p = 0.0037).
    assert _poisson_tail(5, 1.0) < 0.005


def test_a_missing_month_is_left_out_not_read_as_zero():
    rng = np.random.default_rng(9)
    counts = rng.poisson(15, 37).tolist()
    months = month_list(37)
    # January 2021 is missing (the latest month is January 2023).
    with_gap = counts[:12] + [None] + counts[13:]
    dropped = ExceedanceAlerts().fit({"W": counts[:12] + counts[13:]}, months[:12] + months[13:])
    assert ExceedanceAlerts().fit({"W": with_gap}, months).expected_["W"] == pytest.approx(dropped.expected_["W"])
    zero = ExceedanceAlerts().fit({"W": counts[:12] + [0] + counts[13:]}, months)
    assert zero.expected_["W"] != pytest.approx(dropped.expected_["W"])


def test_latest_can_be_an_earlier_month():
    counts = [10] * 30 + [40] + [10] * 6
    model = ExceedanceAlerts().fit({"W": counts}, month_list(37), latest=month_list(37)[30])
    assert model.latest_ == "2022-07" and model.observed_["W"] == 40 and model.alert_["W"]


@pytest.mark.parametrize("series,months,latest", [
    ({"W": [1, -1]}, ["2020-01", "2020-02"], None),
    ({"W": [1, 2.5]}, ["2020-01", "2020-02"], None),
    ({"W": [1, 2, 3]}, ["2020-01", "2020-02"], None),
    ({"W": [1, 2]}, ["2020-02", "2020-01"], None),
    ({"W": [1, 2]}, ["2020-01", "2020-01"], None),
    ({"W": [1, 2]}, ["2020-01", "2020-02"], "2021-01"),
    ({}, ["2020-01"], None),
])
def test_invalid_inputs_raise(series, months, latest):
    with pytest.raises(ValueError):
        ExceedanceAlerts().fit(series, months, latest)


@pytest.mark.parametrize("params", [{"method": "ewma"}, {"alpha": 0}, {"min_history_years": 0},
                                    {"max_history_years": 1, "min_history_years": 2}, {"window": 6},
                                    {"h": 0}, {"cusum_months": 0}, {"min_expected": -1}, {"new_activity_min": 0},
                                    {"new_activity_min": 2.5}])
def test_invalid_parameters_raise_at_fit(params):
    model = ExceedanceAlerts(**params)  # the constructor only stores them
    with pytest.raises(ValueError):
        model.fit({"W": [1] * 25}, month_list(25))


def test_estimator_contract():
    model = ExceedanceAlerts(alpha=0.01, window=2)
    assert (model.alpha, model.window) == (0.01, 2)
    assert not [name for name in vars(model) if name.endswith("_")]
    assert model.fit({"W": [5] * 25}, month_list(25)) is model
    assert model.codes_ == ["W"] and model.latest_ == "2022-01"


# CUSUM --------------------------------------------------------------------------------------------------


def test_cusum_by_hand():
    # Expected 4 a month, a 50% rise: k = 2 / ln 1.5 = 4.9326.
    k = 2 / math.log(1.5)
    steps = [3, 9, 8, 2, 0]
    expected, s = [], 0.0
    for y in steps:
        s = max(0.0, s + y - k)
        expected.append(s)
    assert expected[0] == 0 and expected[2] == pytest.approx(17 - 2 * k)
    assert_allclose(poisson_cusum(steps, [4] * 5), expected)
    # With overdispersion phi = 2 each step counts half.
    assert_allclose(poisson_cusum([9], [4], dispersion=2.0), [(9 - k) / 2])
    with pytest.raises(ValueError):
        poisson_cusum([1, 2], [1])


def test_cusum_crosses_h_on_a_sustained_rise_and_not_on_a_quiet_series():
    rng = np.random.default_rng(21)
    mean = seasonal_mean(42, level=15)
    quiet = rng.poisson(mean).tolist()
    rise = mean.copy()
    rise[-5:] *= 1.6  # up 60% for the last five months, no single month dramatic
    risen = rng.poisson(rise).tolist()
    months = month_list(42)
    model = ExceedanceAlerts(method="cusum").fit({"quiet": quiet, "risen": risen}, months)
    assert model.alert_ == {"quiet": False, "risen": True}
    assert len(model.cusum_["risen"]) == 6 and model.cusum_["risen"][-1] >= 10
    assert max(model.cusum_["quiet"]) < 10
    assert [row["code"] for row in model.alerts_] == ["risen"]
    assert math.isnan(model.alerts_[0]["p"])
    assert model.observed_["risen"] == sum(risen[-6:])
    assert "since 2023-" in model.reason_["risen"]


# Hostile inputs ----------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(1, 40), areas=st.integers(1, 4),
       method=st.sampled_from(["poisson", "cusum"]), window=st.sampled_from([None, 0, 1, 3]))
def test_any_non_negative_counts_give_finite_answers(data, n, areas, method, window):
    counts = st.one_of(st.integers(0, 60), st.integers(0, 10**6), st.none())
    series = {f"A{i}": data.draw(st.lists(counts, min_size=n, max_size=n)) for i in range(areas)}
    model = ExceedanceAlerts(method=method, window=window).fit(series, month_list(n, "2019-07"))
    assert set(model.reason_) == set(series)
    for code in series:
        assert isinstance(model.alert_[code], bool) and model.reason_[code]
        if model.assessed_[code]:
            assert all(math.isfinite(v) for v in (model.expected_[code], model.excess_[code], model.ratio_[code]))
            assert model.expected_[code] > 0
            if method == "poisson":
                assert 0 <= model.p_[code] <= 1 and 0 <= model.p_adjusted_[code] <= 1
            else:
                assert all(math.isfinite(v) and v >= 0 for v in model.cusum_[code])
        else:
            assert not model.alert_[code]
            assert model.reason_[code].startswith("new activity" if model.new_activity_[code] else "not assessed")
            assert model.not_assessed_[code] and not re.search(r"\bN\b", model.not_assessed_[code])
