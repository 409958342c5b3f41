"""Emerging hot spots: each class reached on purpose, Mann-Kendall by hand, exclusive rules, Gi* per period."""

import doctest
import inspect
import math

import esda
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libpysal.weights import W, lat2W
from numpy.testing import assert_allclose, assert_array_equal

import vcdhub.stats.emerging as emerging
from vcdhub.stats import hotspots
from vcdhub.stats.emerging import CATEGORIES, COLD_CLASSES, HOT_CLASSES, NO_PATTERN, EmergingHotSpots, gi_star_by_period
from vcdhub.stats.hotspots import GetisOrdHotSpots

SIG, NOT_SIG = 0.01, 0.5


def from_pattern(pattern: str, **params) -> EmergingHotSpots:
    """Fit one area from a string, oldest period first: H significant hot, C significant cold, . neither.

    The z-scores are flat within each state (H 2.5, C -2.5, . 0.3), so any trend comes only from the states.
    """
    z = np.array([{"H": 2.5, "C": -2.5, ".": 0.3}[c] for c in pattern])
    p = np.array([NOT_SIG if c == "." else SIG for c in pattern])
    return EmergingHotSpots(**params).fit(z[None, :], p[None, :])


def from_series(z, **params) -> EmergingHotSpots:
    """Fit one area whose every period is significant (the sign of z decides hot or cold)."""
    z = np.asarray(z, dtype=float)
    return EmergingHotSpots(**params).fit(z[None, :], np.full((1, z.size), SIG))


def mirror(pattern: str) -> str:
    return pattern.translate(str.maketrans("HC", "CH"))


# Classes decided by the pattern of significant periods alone (flat z, so no trend can interfere).
PATTERNS = [
    ("." * 9 + "H", "new hot spot"),
    (".H", "new hot spot"),                              # shortest series
    ("." * 6 + "HHHH", "consecutive hot spot"),
    ("." * 8 + "HH", "consecutive hot spot"),            # the shortest run that is not "new"
    ("." * 3 + "H" * 17, "consecutive hot spot"),        # 17 of 20 = 85% < 90%: still consecutive
    ("H" * 9 + ".", "historical hot spot"),              # all periods hot but the last
    ("H..H...H.H", "sporadic hot spot"),
    ("H" + "." * 5 + "HHHH", "sporadic hot spot"),       # a run at the end, but hot before it too
    ("C....H..HH", "oscillating hot spot"),
    ("C" * 8 + "HH", "oscillating hot spot"),
    ("." * 10, NO_PATTERN),
    ("H.H" + "." * 7, NO_PATTERN),                       # hot in the past, but neither recently nor 90%
    ("H" * 8 + "..", NO_PATTERN),                        # 80% hot, final not: short of historical
    ("HHCC" + "." * 6, NO_PATTERN),
]


@pytest.mark.parametrize("pattern,expected", PATTERNS)
def test_each_pattern_class_hot(pattern, expected):
    model = from_pattern(pattern)
    assert model.category_[0] == expected, model.reason_[0]


@pytest.mark.parametrize("pattern,expected", PATTERNS)
def test_each_pattern_class_cold_is_the_mirror(pattern, expected):
    model = from_pattern(mirror(pattern))
    assert model.category_[0] == expected.replace("hot spot", "cold spot"), model.reason_[0]


def test_the_90_percent_rule_splits_consecutive_from_persistent():
    # Flat z everywhere except one quiet period at the start: S > 0 but with ties nowhere near significant.
    assert from_pattern("." + "H" * 9).category_[0] == "persistent hot spot"      # 9 of 10 = 90%
    assert from_pattern("." * 2 + "H" * 8).category_[0] == "consecutive hot spot"  # 8 of 10 = 80%
    assert from_pattern("." + "H" * 9).trend_[0] == "no trend"


def test_share_is_a_parameter_and_counts_exactly_at_the_boundary():
    pattern = "HH..." + "H" * 5  # 7 of 10, final hot, no trend
    assert from_pattern(pattern, share=0.7).category_[0] == "persistent hot spot"
    assert from_pattern(pattern, share=0.7).trend_[0] == "no trend"
    assert from_pattern(pattern).category_[0] == "sporadic hot spot"
    # 14 of 25 is 56%, but 0.56 * 25 is 14.000000000000002 in floating point: 14 must still count.
    assert from_pattern("H" * 14 + "." * 11, share=0.56).category_[0] == "historical hot spot"
    assert from_pattern("H" * 14 + "." * 11).category_[0] == NO_PATTERN


def rising(n=12, start=2.0, step=0.3):
    return start + step * np.arange(n)


@pytest.mark.parametrize("z,expected,trend", [
    (rising(), "intensifying hot spot", "up"),
    (rising()[::-1], "diminishing hot spot", "down"),
    (2.5 + 0.1 * (-1.0) ** np.arange(12), "persistent hot spot", "no trend"),
    # Cold: z falling (more negative) means the cold cluster is strengthening, so it is *intensifying*.
    (-rising(), "intensifying cold spot", "down"),
    (-rising()[::-1], "diminishing cold spot", "up"),
    (-2.5 - 0.1 * (-1.0) ** np.arange(12), "persistent cold spot", "no trend"),
])
def test_trend_classes_hot_and_cold_are_not_mixed_up(z, expected, trend):
    model = from_series(z)
    assert model.trend_[0] == trend
    assert model.category_[0] == expected, model.reason_[0]


def test_trend_classes_allow_one_quiet_period_before_the_last():
    z = rising(10)
    p = np.full(10, SIG)
    p[4] = NOT_SIG  # 9 of 10 hot, including the final period
    model = EmergingHotSpots().fit(z[None, :], p[None, :])
    assert model.n_hot_[0] == 9 and model.category_[0] == "intensifying hot spot"


def test_trend_alpha_decides_between_intensifying_and_persistent():
    # S = 16 on 8 values with ties -> Mann-Kendall p = 0.054 (see the hand computation below).
    z = 2.0 + np.array([1, 3, 2, 3, 5, 5, 5, 4]) / 10
    assert from_series(z).category_[0] == "persistent hot spot"
    assert from_series(z, trend_alpha=0.10).category_[0] == "intensifying hot spot"


def test_final_period_decides_the_side():
    # 9 of 10 hot and then a significant cold spot: ESRI's words fit both "historical hot" and "oscillating cold";
    # we classify by the current state (documented).
    assert from_pattern("H" * 9 + "C").category_[0] == "oscillating cold spot"
    # A cold spot long ago does not stop a fresh hot spot being flagged, but it is oscillating, not new.
    assert from_pattern("C" + "." * 8 + "H").category_[0] == "oscillating hot spot"
    assert from_pattern("." * 9 + "H").category_[0] == "new hot spot"


def test_significance_threshold_and_sign():
    z = np.array([[2.0, 2.0], [2.0, 2.0], [0.0, 0.0], [-2.0, -2.0]])
    p = np.array([[0.10, 0.10], [0.11, 0.11], [0.0, 0.0], [0.05, 0.05]])
    model = EmergingHotSpots(confidence=0.90).fit(z, p)
    assert_array_equal(model.hot_periods_, [[True, True], [False, False], [False, False], [False, False]])
    assert_array_equal(model.cold_periods_, [[False, False], [False, False], [False, False], [True, True]])
    assert list(model.category_) == ["persistent hot spot", NO_PATTERN, NO_PATTERN, "persistent cold spot"]
    strict = EmergingHotSpots(confidence=0.99).fit(z, p)
    assert list(strict.category_) == [NO_PATTERN] * 4


def test_reasons_are_plain_sentences_with_the_numbers():
    model = EmergingHotSpots(unit="month").fit(np.vstack([rising(24), -rising(24)]), np.full((2, 24), SIG))
    assert model.reason_[0] == "hot in 24 of 24 months including the last; Gi* z rising (Mann-Kendall p<0.001)"
    assert model.reason_[1] == ("cold in 24 of 24 months including the last; Gi* z falling, so the cold cluster is "
                                "strengthening (Mann-Kendall p<0.001)")
    assert from_pattern("H" * 9 + ".", unit="week").reason_[0] == "hot in 9 of 10 weeks but not in the last"
    assert from_pattern("C....H..HH").reason_[0] == \
        "hot in the last period (3 of 10 periods in all) but a cold spot in 1 earlier period"
    assert from_pattern("." * 6 + "HHHH").reason_[0] == \
        "hot in each of the last 4 periods (4 of 10) and never significant before them"


def test_counts_cover_every_class():
    z = np.vstack([rising(10), -rising(10), np.full(10, 0.3)])
    p = np.vstack([np.full(10, SIG), np.full(10, SIG), np.full(10, NOT_SIG)])
    counts = EmergingHotSpots().fit(z, p).counts_
    assert list(counts) == list(CATEGORIES) and len(CATEGORIES) == 17
    assert counts["intensifying hot spot"] == counts["intensifying cold spot"] == counts[NO_PATTERN] == 1
    assert sum(counts.values()) == 3


# --- Mann-Kendall against a hand computation ------------------------------------------------------------------


def test_mann_kendall_by_hand_with_ties():
    x = [1, 3, 2, 3, 5, 5, 5, 4]
    # S = sum over i < j of sign(x_j - x_i), row by row: 7 + 3 + 5 + 4 - 1 - 1 - 1 = 16.
    s = sum(np.sign(x[j] - x[i]) for i in range(8) for j in range(i + 1, 8))
    assert s == 16
    # var S = [n(n-1)(2n+5) - sum over tie groups t(t-1)(2t+5)] / 18; ties: 3 twice, 5 three times.
    # = [8*7*21 - (2*1*9 + 3*2*11)] / 18 = (1176 - 84) / 18 = 60.6667
    var_s = (8 * 7 * 21 - (2 * 1 * 9 + 3 * 2 * 11)) / 18
    assert var_s == pytest.approx(60.666667)
    z = (s - 1) / math.sqrt(var_s)            # continuity correction: 15 / 7.78888 = 1.925823
    p = math.erfc(abs(z) / math.sqrt(2))      # two-sided normal tail, 0.05413
    assert z == pytest.approx(1.925823, abs=1e-6) and p == pytest.approx(0.05413, abs=1e-5)

    model = EmergingHotSpots().fit(np.array([x, x[::-1]], dtype=float), np.full((2, 8), NOT_SIG))
    assert_allclose(model.trend_s_, [16, -16])
    assert_allclose(model.trend_var_s_, [var_s, var_s], rtol=1e-12)
    assert_allclose(model.trend_z_, [z, -z], rtol=1e-12)
    assert_allclose(model.trend_p_, [p, p], rtol=1e-9)
    assert_allclose(model.trend_tau_, [16 / 28, -16 / 28], rtol=1e-12)
    assert list(model.trend_) == ["no trend", "no trend"]     # p = 0.054 > 0.05
    loose = EmergingHotSpots(trend_alpha=0.06).fit(np.array([x, x[::-1]], dtype=float), np.full((2, 8), NOT_SIG))
    assert list(loose.trend_) == ["up", "down"]


def test_mann_kendall_without_ties_and_on_a_constant_series():
    # Strictly increasing, n = 6: S = 15, var = 6*5*17/18 = 28.333, z = 14 / 5.32291 = 2.63012.
    model = EmergingHotSpots().fit(np.array([np.arange(6.0), np.zeros(6)]), np.full((2, 6), NOT_SIG))
    assert_allclose(model.trend_s_, [15, 0])
    assert_allclose(model.trend_var_s_[0], 6 * 5 * 17 / 18)
    assert_allclose(model.trend_z_[0], 14 / math.sqrt(6 * 5 * 17 / 18))
    assert_allclose(model.trend_tau_[0], 1.0)
    # All z equal (e.g. every period undefined): S = 0, no variance, no trend, and no crash.
    assert model.trend_z_[1] == 0 and model.trend_p_[1] == 1 and model.trend_[1] == "no trend"


# --- The rules are exclusive and exhaustive: a property test against the definitions written independently -----


def definitions(hot, cold, trend, share):
    """Each class's definition on its own, in any order; exactly one must hold."""
    n, kh, kc = len(hot), int(hot.sum()), int(cold.sum())
    last_h, last_c = bool(hot[-1]), bool(cold[-1])
    many = lambda k: k >= share * n - 1e-9  # noqa: E731
    single_final_run = lambda flags, k: k >= 1 and bool(flags[n - k:].all())  # noqa: E731
    defs = {}
    for side, this, k, m, last, stronger, weaker in [
        ("hot", hot, kh, kc, last_h, "up", "down"),
        ("cold", cold, kc, kh, last_c, "down", "up"),
    ]:
        defs[f"new {side} spot"] = last and k == 1 and m == 0
        defs[f"consecutive {side} spot"] = (last and k >= 2 and single_final_run(this, k) and m == 0
                                             and not many(k))
        defs[f"intensifying {side} spot"] = last and many(k) and trend == stronger
        defs[f"persistent {side} spot"] = last and many(k) and trend == "no trend"
        defs[f"diminishing {side} spot"] = last and many(k) and trend == weaker
        defs[f"sporadic {side} spot"] = last and not many(k) and m == 0 and not single_final_run(this, k)
        defs[f"oscillating {side} spot"] = last and not many(k) and m > 0
        defs[f"historical {side} spot"] = not last_h and not last_c and many(k)
    defs[NO_PATTERN] = not last_h and not last_c and not many(kh) and not many(kc)
    return defs


@st.composite
def panels(draw):
    n_areas = draw(st.integers(1, 6))
    n_periods = draw(st.integers(2, 30))
    states = np.array(draw(st.lists(st.sampled_from("HC."), min_size=n_areas * n_periods,
                                    max_size=n_areas * n_periods))).reshape(n_areas, n_periods)
    magnitude = np.array(draw(st.lists(st.floats(1.7, 6.0), min_size=states.size, max_size=states.size)))
    magnitude = magnitude.reshape(states.shape)
    # Quiet periods get a z of either sign, to check that the p-value, not the sign alone, makes a period count.
    z = np.where(states == "H", magnitude, np.where(states == "C", -magnitude, magnitude - 3.5))
    p = np.where(states == ".", NOT_SIG, SIG)
    share = draw(st.sampled_from([0.6, 0.75, 0.8, 0.9, 0.95, 1.0]))
    return z, p, share


@settings(max_examples=300, deadline=None)
@given(panels())
def test_every_area_gets_exactly_one_class_matching_its_definition(panel):
    z, p, share = panel
    model = EmergingHotSpots(share=share).fit(z, p)
    assert model.category_.shape == (z.shape[0],) and len(model.reason_) == z.shape[0]
    for i in range(z.shape[0]):
        hot, cold = model.hot_periods_[i], model.cold_periods_[i]
        assert_array_equal(hot, (p[i] <= 0.1) & (z[i] > 0))
        holding = [name for name, holds in definitions(hot, cold, model.trend_[i], share).items() if holds]
        assert holding == [model.category_[i]], (model.reason_[i], holding)
        assert model.category_[i] in CATEGORIES and model.reason_[i]
        category = model.category_[i]
        if category.startswith("new "):  # only the final period significant, and nothing before
            flags = hot if category in HOT_CLASSES else cold
            assert flags[-1] and flags.sum() == 1 and not (hot | cold)[:-1].any()
        if category in HOT_CLASSES[:7]:
            assert hot[-1]
        if category in COLD_CLASSES[:7]:
            assert cold[-1]


# --- The estimator contract and input checks ---------------------------------------------------------------------


def test_constructor_only_stores_and_fit_returns_self():
    model = EmergingHotSpots(confidence=2.0)  # not checked until fit
    assert model.confidence == 2.0
    with pytest.raises(ValueError, match="confidence"):
        model.fit(np.zeros((1, 3)), np.ones((1, 3)))
    good = EmergingHotSpots()
    assert good.fit(np.zeros((1, 3)), np.ones((1, 3))) is good


@pytest.mark.parametrize("z,p,message", [
    (np.zeros((2, 3)), np.ones((2, 4)), "same shape"),
    (np.zeros(3), np.ones(3), "2-D"),
    (np.zeros((2, 1)), np.ones((2, 1)), "at least 2 periods"),
    (np.array([[0.0, np.nan]]), np.ones((1, 2)), "finite"),
    (np.zeros((1, 2)), np.array([[0.5, 1.5]]), r"\[0, 1\]"),
])
def test_bad_input_is_refused(z, p, message):
    with pytest.raises(ValueError, match=message):
        EmergingHotSpots().fit(z, p)


@pytest.mark.parametrize("params", [{"share": 0.5}, {"share": 1.1}, {"trend_alpha": 0}, {"unit": ""}])
def test_bad_parameters_are_refused(params):
    with pytest.raises(ValueError):
        EmergingHotSpots(**params).fit(np.zeros((1, 3)), np.ones((1, 3)))


def test_docstring_examples_run():
    result = doctest.testmod(emerging, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


# --- Gi* per period ----------------------------------------------------------------------------------------------


def bh_by_hand(p):
    """Benjamini-Hochberg: p_(i) * m / i, then the running minimum from the largest down, capped at 1."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


@pytest.fixture
def grid_counts():
    rng = np.random.default_rng(20261125)
    lam = np.full((100, 5), 3.0)
    lam[[0, 1, 2, 10, 11, 12, 20, 21, 22], 2:] = 15.0  # a cluster in one corner from the third period
    counts = rng.poisson(lam).astype(float)
    counts[:, 1] = 0  # a period with no crime at all
    return counts


@pytest.mark.parametrize("inference", ["pseudo", "permutation-normal"])
def test_gi_star_by_period_equals_gi_star_run_on_each_period(grid_counts, inference):
    w = lat2W(10, 10)
    z, p = gi_star_by_period(grid_counts, w, seed=42, inference=inference)  # 999 permutations by default
    raw_z, raw_p = gi_star_by_period(grid_counts, w, seed=42, fdr=False, inference=inference)
    assert z.shape == p.shape == (100, 5)
    for t in [0, 2, 3, 4]:
        model = GetisOrdHotSpots(seed=42 + t, inference=inference).fit(grid_counts[:, t], w)
        assert model.fdr_["applied"] and model.inference_ == inference
        assert_array_equal(z[:, t], model.z_)
        assert_array_equal(p[:, t], model.p_adjusted_)
        unadjusted = model.p_normal_ if inference == "permutation-normal" else model.p_two_sided_
        assert_array_equal(raw_p[:, t], unadjusted)
        assert_allclose(p[:, t], bh_by_hand(unadjusted), rtol=1e-12)
    # The all-zero period: Gi* undefined, so z = 0 and p = 1 everywhere.
    assert (z[:, 1] == 0).all() and (p[:, 1] == 1).all() and (raw_p[:, 1] == 1).all()
    assert_array_equal(raw_z, z)
    # The cluster is found, and FDR can only make p larger.
    assert z[11, 3] > 3 and p[11, 3] <= 0.10
    assert (p >= raw_p - 1e-15).all()
    # The caller's weights are left as they were.
    assert w.transform == "O" and (w.sparse.diagonal() == 0).all()


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_gi_star_by_period_z_equals_esda_called_directly(grid_counts):
    z, _ = gi_star_by_period(grid_counts, lat2W(10, 10), permutations=99, seed=3)
    for t in [0, 2, 3, 4]:
        g = esda.G_Local(grid_counts[:, t], lat2W(10, 10), transform="B", permutations=0, star=True)
        assert_allclose(z[:, t], g.Zs, rtol=1e-12)


def test_gi_star_by_period_default_inference_is_the_estimators():
    default = inspect.signature(gi_star_by_period).parameters["inference"].default
    assert default == hotspots.DEFAULT_INFERENCE == GetisOrdHotSpots().inference


def test_gi_star_by_period_is_reproducible_and_uses_a_seed_per_period(grid_counts):
    w = lat2W(10, 10)
    first = gi_star_by_period(grid_counts, w, permutations=99, seed=7, fdr=False)
    again = gi_star_by_period(grid_counts, w, permutations=99, seed=7, fdr=False)
    other = gi_star_by_period(grid_counts, w, permutations=99, seed=8, fdr=False)
    assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])
    assert_array_equal(first[0], other[0])  # the z-score does not depend on the permutations
    # Period t is permuted with seed + t: period 3 of seed 7 is period 3 of a run on that column alone, seed 10.
    alone = gi_star_by_period(grid_counts[:, [3]], w, permutations=99, seed=10, fdr=False)
    assert_array_equal(first[1][:, 3], alone[1][:, 0])


@pytest.mark.filterwarnings("ignore:The weights matrix is not fully connected:UserWarning")
def test_gi_star_by_period_gives_islands_z_0_and_p_1():
    neighbours = {i: list(js) for i, js in lat2W(5, 5, rook=False).neighbors.items()}
    neighbours[25] = []
    w = W(neighbours, silence_warnings=True)
    counts = np.random.default_rng(1).poisson(4, (26, 3)).astype(float)
    counts[25] = 50  # an island with a big count: esda alone would give it a z-score and its smallest p-value
    z, p = gi_star_by_period(counts, w, permutations=99, seed=1, fdr=False)
    assert (z[25] == 0).all() and (p[25] == 1).all()
    assert np.isfinite(z).all() and (z[:25] != 0).any()


@pytest.mark.parametrize("params,message", [
    ({"permutations": 0}, "permutations must be a positive whole number"),  # no analytical fall-back
    ({"inference": "normal"}, "inference must be one of"),
    ({"seed": 2**32 - 2}, "seed \\+ period must stay below 2\\*\\*32"),
])
def test_gi_star_by_period_refuses_bad_parameters_even_when_every_period_is_constant(params, message):
    with pytest.raises(ValueError, match=message):
        gi_star_by_period(np.zeros((100, 3)), lat2W(10, 10), **params)


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_end_to_end_a_new_cluster_is_consecutive():
    rng = np.random.default_rng(7)
    lam = np.full((100, 12), 2.0)
    block = [0, 1, 2, 10, 11, 12, 20, 21, 22]
    lam[np.ix_(block, range(8, 12))] = 30.0  # the last four of twelve periods
    z, p = gi_star_by_period(rng.poisson(lam), lat2W(10, 10), seed=5)
    model = EmergingHotSpots(unit="month").fit(z, p)
    assert model.category_[11] == "consecutive hot spot"
    assert model.reason_[11] == "hot in each of the last 4 months (4 of 12) and never significant before them"
    assert model.counts_["consecutive hot spot"] >= 4


@pytest.mark.parametrize("counts,message", [
    (np.zeros((99, 3)), "100 areas"),
    (np.zeros(100), "2-D"),
    (-np.ones((100, 2)), "non-negative"),
])
def test_gi_star_by_period_refuses_bad_input(counts, message):
    with pytest.raises(ValueError, match=message):
        gi_star_by_period(counts, lat2W(10, 10))
