"""stats.harm against values worked out by hand, every invalid input, and properties any harm score must have."""

import doctest
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcdhub.stats import harm
from vcdhub.stats.harm import HarmScore, HarmTerm, decay


def test_the_examples_run():
    result = doctest.testmod(harm)
    assert result.attempted >= 8 and not result.failed


# decay ---------------------------------------------------------------------------------------------------


def test_decay_halves_every_half_life():
    # 0.5 ** (0 / 365) = 1, 0.5 ** (365 / 365) = 0.5, 0.5 ** (730 / 365) = 0.25, 0.5 ** (15 / 30) = 1 / sqrt(2)
    assert decay(0, 365) == 1.0 and decay(365, 365) == 0.5 and decay(730, 365) == 0.25
    assert decay(15, 30) == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert type(decay(365, 365)) is float
    assert decay(np.array([0.0, 30.0, 90.0]), 30).tolist() == [1.0, 0.5, 0.125]  # 0.5 ** (90 / 30) = 1 / 8


@pytest.mark.parametrize(("age", "half_life"), [(-1, 365), (math.nan, 365), ([0, -0.5], 365), (10, 0), (10, -30),
                                                (10, math.nan), (10, math.inf)])
def test_decay_rejects_a_negative_or_missing_age_and_a_half_life_that_is_not_positive_and_finite(age, half_life):
    with pytest.raises(ValueError):
        decay(age, half_life)


# Values by hand ------------------------------------------------------------------------------------------


def test_three_violent_offences_a_year_apart():
    # 365 * (0.5 ** 0 + 0.5 ** 1 + 0.5 ** 2) = 365 * (1 + 0.5 + 0.25) = 365 * 1.75 = 638.75
    model = HarmScore({"violence": 365}, half_life_days=365).fit(["violence"] * 3, [0, 365, 730])
    assert model.score_ == 638.75
    assert model.terms_ == [HarmTerm("violence", 3, 365.0, 1.75, 638.75, 0.0, 730.0)]
    assert model.frequency_ == 3 and model.recency_days_ == 0.0
    assert model.unweighted_ == {} and model.outside_window_ == 0


def test_a_shorter_half_life_decays_faster():
    # Half-life 30: 100 * 0.5 ** (15 / 30) + 100 * 0.5 ** (45 / 30) = 100 * (2 ** -0.5 + 2 ** -1.5)
    #             = 70.71067811865476 + 35.35533905932738 = 106.06601717798213
    model = HarmScore({"robbery": 100}, half_life_days=30).fit(["robbery", "robbery"], [15, 45])
    assert model.score_ == pytest.approx(106.06601717798213, rel=1e-12)
    (term,) = model.terms_
    assert term.decayed_count == pytest.approx(2 ** -0.5 + 2 ** -1.5, rel=1e-12)
    assert term.newest_age_days == 15.0 and term.oldest_age_days == 45.0
    # The default half-life is a year: the same events weigh 100 * (0.5 ** (15 / 365) + 0.5 ** (45 / 365)).
    default = HarmScore({"robbery": 100}).fit(["robbery", "robbery"], [15, 45])
    assert default.score_ == pytest.approx(100 * (0.5 ** (15 / 365) + 0.5 ** (45 / 365)), rel=1e-12)


def test_terms_are_ordered_by_contribution_and_carry_their_arithmetic():
    weights = {"robbery": 365, "burglary": 120, "theft": 10, "drugs": 0}
    # Given in neither contribution nor alphabetical order, so that the ordering is the model's own.
    categories = ["theft", "drugs", "robbery", "sighting", "burglary", "burglary"]
    ages = [365, 10, 730, 3, 0, 365]
    model = HarmScore(weights, half_life_days=365).fit(categories, ages)
    # burglary: 120 * (1 + 0.5) = 180; robbery: 365 * 0.25 = 91.25; theft: 10 * 0.5 = 5; drugs: 0 * anything = 0.
    assert [term.category for term in model.terms_] == ["burglary", "robbery", "theft", "drugs"]
    burglary, robbery, theft, drugs = model.terms_
    assert burglary == HarmTerm("burglary", 2, 120.0, 1.5, 180.0, 0.0, 365.0)
    assert robbery == HarmTerm("robbery", 1, 365.0, 0.25, 91.25, 730.0, 730.0)
    assert theft == HarmTerm("theft", 1, 10.0, 0.5, 5.0, 365.0, 365.0)
    assert drugs.count == 1 and drugs.weight == 0.0 and drugs.contribution == 0.0
    assert drugs.decayed_count == pytest.approx(0.5 ** (10 / 365), rel=1e-15)  # weighted at 0 is still counted
    # 180 + 91.25 + 5 + 0 = 276.25; the sighting has no weight and adds nothing.
    assert model.score_ == 276.25
    assert model.frequency_ == 5 and model.recency_days_ == 0.0
    assert model.unweighted_ == {"sighting": 1}
    with pytest.raises(AttributeError):
        burglary.count = 3  # frozen


def test_equal_contributions_are_ordered_by_category():
    # arson: 120 * 0.5 ** 0 = 120; assault: 240 * 0.5 ** 1 = 120. A tie, given assault first.
    model = HarmScore({"assault": 240, "arson": 120}, half_life_days=365).fit(["assault", "arson"], [365, 0])
    assert [(term.category, term.contribution) for term in model.terms_] == [("arson", 120.0), ("assault", 120.0)]


def test_the_window_leaves_out_older_events_whatever_their_category():
    categories = ["violence", "violence", "violence", "violence", "sighting", "sighting"]
    ages = [0, 365, 366, 1000, 400, 10]
    model = HarmScore({"violence": 100}, half_life_days=365, window_days=365).fit(categories, ages)
    # Kept: violence at 0 and at 365 (exactly the window's age): 100 * (1 + 0.5) = 150.
    # Left out: violence at 366 and 1000, and the sighting at 400, which is not also counted as unweighted.
    assert model.score_ == 150.0
    assert model.outside_window_ == 3 and model.unweighted_ == {"sighting": 1}
    assert model.frequency_ == 2 and model.terms_[0].oldest_age_days == 365.0
    # Without a window the same events weigh 100 * (1 + 0.5 + 0.5 ** (366 / 365) + 0.5 ** (1000 / 365)).
    everything = HarmScore({"violence": 100}, half_life_days=365).fit(categories, ages)
    assert everything.score_ == pytest.approx(100 * (1.5 + 0.5 ** (366 / 365) + 0.5 ** (1000 / 365)), rel=1e-12)
    assert everything.outside_window_ == 0 and everything.unweighted_ == {"sighting": 2}
    # A window of 0 days keeps only what happened on the as-of date: 100 * 1.
    today = HarmScore({"violence": 100}, window_days=0).fit(categories, ages)
    assert today.score_ == 100.0 and today.outside_window_ == 5 and today.frequency_ == 1


def test_unweighted_categories_add_nothing_and_are_counted_apart():
    categories = ["sighting", "violence", "stop and search", "sighting", "violence"]
    ages = [1, 100, 2, 3, 50]
    model = HarmScore({"violence": 365}, half_life_days=365).fit(categories, ages)
    # Only the two violent offences count: 365 * (0.5 ** (100 / 365) + 0.5 ** (50 / 365)).
    assert model.score_ == pytest.approx(365 * (0.5 ** (100 / 365) + 0.5 ** (50 / 365)), rel=1e-12)
    assert model.unweighted_ == {"sighting": 2, "stop and search": 1}
    assert model.frequency_ == 2
    assert model.recency_days_ == 50.0  # the sighting a day ago is newer but not counted


def test_no_counted_events_score_zero():
    for categories, ages in (([], []), (np.array([], dtype=str), np.array([]))):
        model = HarmScore({"violence": 365}).fit(categories, ages)
        assert model.score_ == 0.0 and type(model.score_) is float
        assert model.terms_ == [] and model.frequency_ == 0 and model.recency_days_ is None
        assert model.unweighted_ == {} and model.outside_window_ == 0
    only_unweighted = HarmScore({"violence": 365}).fit(["sighting"], [5])
    assert only_unweighted.score_ == 0.0 and only_unweighted.terms_ == [] and only_unweighted.recency_days_ is None
    assert only_unweighted.unweighted_ == {"sighting": 1}


def test_numpy_input_gives_the_same_plain_python_results():
    weights = {"violence": np.float64(365), "theft": np.int64(10)}
    from_arrays = HarmScore(weights, window_days=np.float64(800)).fit(
        np.array(["violence", "theft", "sighting", "violence"]), np.array([0, 365, 2, 900]))
    from_lists = HarmScore({"violence": 365, "theft": 10}, window_days=800).fit(
        ["violence", "theft", "sighting", "violence"], [0.0, 365.0, 2.0, 900.0])
    # 365 * 1 + 10 * 0.5 = 370; the violence at 900 days is outside the window.
    assert from_arrays.score_ == from_lists.score_ == 370.0
    assert from_arrays.terms_ == from_lists.terms_
    assert type(from_arrays.score_) is float and type(from_arrays.frequency_) is int
    assert type(from_arrays.outside_window_) is int and type(from_arrays.recency_days_) is float
    assert all(type(category) is str for category in from_arrays.unweighted_)
    for term in from_arrays.terms_:
        assert type(term.category) is str and type(term.count) is int
        assert all(type(value) is float for value in (term.weight, term.decayed_count, term.contribution,
                                                      term.newest_age_days, term.oldest_age_days))


def test_fitting_again_replaces_the_results():
    model = HarmScore({"violence": 365}, window_days=100)
    model.fit(["violence", "sighting", "violence"], [0, 1, 500])
    assert model.fit(["violence"], [365]) is model
    assert model.unweighted_ == {} and model.outside_window_ == 1 and model.frequency_ == 0 and model.score_ == 0.0


# Invalid input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("parameters", "message"), [
    ({"weights": ["violence"]}, "weights must map"),
    ({"weights": None}, "weights must map"),
    ({"weights": {"violence": -1}}, "weight of 'violence'"),
    ({"weights": {"violence": math.nan}}, "weight of 'violence'"),
    ({"weights": {"violence": math.inf}}, "weight of 'violence'"),
    ({"weights": {"violence": "365"}}, "weight of 'violence'"),
    ({"weights": {"violence": True}}, "weight of 'violence'"),
    ({"half_life_days": 0}, "half_life_days"),
    ({"half_life_days": -365}, "half_life_days"),
    ({"half_life_days": math.nan}, "half_life_days"),
    ({"half_life_days": math.inf}, "half_life_days"),
    ({"half_life_days": "365"}, "half_life_days"),
    ({"half_life_days": None}, "half_life_days"),
    ({"window_days": -1}, "window_days"),
    ({"window_days": math.nan}, "window_days"),
    ({"window_days": math.inf}, "window_days"),
    ({"window_days": "30"}, "window_days"),
])
def test_invalid_parameters_are_refused_when_fitting(parameters, message):
    arguments = {"weights": {"violence": 365}} | parameters
    weights = arguments.pop("weights")
    model = HarmScore(weights, **arguments)  # scikit-learn style: the constructor only stores them
    with pytest.raises(ValueError, match=message):
        model.fit(["violence"], [0])


@pytest.mark.parametrize(("categories", "ages", "message"), [
    (["violence"] * 3, [0, 10, -1], r"ages_days\[2\] is -1\.0"),
    (["violence"] * 3, [0, math.nan, 5], r"ages_days\[1\] is missing"),
    (["violence"] * 2, [None, 5], r"ages_days\[0\] is missing"),
    (["violence"] * 2, [5, math.inf], r"ages_days\[1\] is inf"),
    (np.array(["violence"] * 2), np.array([3.0, -0.5]), r"ages_days\[1\] is -0\.5"),
    (["violence", "theft"], [0, 1, 2], "2 categories but 3 ages"),
    (["violence"] * 3, [0, 1], "3 categories but 2 ages"),
    (["violence"] * 2, [[0, 1]], "flat sequence"),
    (["violence"], 5, "flat sequence"),
    ("violence", [0] * 8, "not a single string"),
])
def test_invalid_events_are_refused_naming_what_is_wrong(categories, ages, message):
    with pytest.raises(ValueError, match=message):
        HarmScore({"violence": 365, "theft": 10}).fit(categories, ages)


# Properties ----------------------------------------------------------------------------------------------

CATEGORIES = ["violence", "theft", "drugs", "sighting"]  # "sighting" is never weighted
events = st.lists(st.tuples(st.sampled_from(CATEGORIES), st.floats(0, 5000)), max_size=40)
weights = st.dictionaries(st.sampled_from(CATEGORIES[:3]), st.floats(0, 3650))
half_lives = st.floats(1, 2000)
windows = st.none() | st.floats(0, 5000)
PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def score(events, weights, half_life, window) -> HarmScore:
    return HarmScore(weights, half_life_days=half_life, window_days=window).fit(
        [category for category, _ in events], [age for _, age in events])


@PROPERTIES
@given(events, weights, half_lives, windows)
def test_the_score_is_the_sum_of_each_events_decayed_weight(events, weights, half_life, window):
    model = score(events, weights, half_life, window)
    counted = [(c, a) for c, a in events if c in weights and (window is None or a <= window)]
    expected = sum(weights[c] * 0.5 ** (a / half_life) for c, a in counted)
    assert model.score_ == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert model.score_ == math.fsum(term.contribution for term in model.terms_)
    assert model.frequency_ == len(counted) == sum(term.count for term in model.terms_)
    assert model.frequency_ + sum(model.unweighted_.values()) + model.outside_window_ == len(events)
    assert model.recency_days_ == (min(a for _, a in counted) if counted else None)
    keys = [(-term.contribution, term.category) for term in model.terms_]
    assert keys == sorted(keys) and len({term.category for term in model.terms_}) == len(model.terms_)


@PROPERTIES
@given(events, weights, half_lives, windows, st.data())
def test_the_score_is_additive_over_a_split_of_the_events(events, weights, half_life, window, data):
    split = data.draw(st.integers(0, len(events)))
    whole = score(events, weights, half_life, window)
    first, rest = score(events[:split], weights, half_life, window), score(events[split:], weights, half_life, window)
    assert whole.score_ == pytest.approx(first.score_ + rest.score_, rel=1e-9, abs=1e-9)
    assert whole.frequency_ == first.frequency_ + rest.frequency_
    assert whole.outside_window_ == first.outside_window_ + rest.outside_window_
    assert Counter(whole.unweighted_) == Counter(first.unweighted_) + Counter(rest.unweighted_)
    counts = Counter({term.category: term.count for term in first.terms_})
    counts.update({term.category: term.count for term in rest.terms_})
    assert {term.category: term.count for term in whole.terms_} == counts


@PROPERTIES
@given(events.filter(bool), weights, half_lives, windows, st.data())
def test_the_score_never_increases_when_an_event_ages(events, weights, half_life, window, data):
    which = data.draw(st.integers(0, len(events) - 1))
    older = data.draw(st.floats(0, 5000))
    before = score(events, weights, half_life, window).score_
    aged = [(c, a + older) if i == which else (c, a) for i, (c, a) in enumerate(events)]
    after = score(aged, weights, half_life, window).score_
    assert after <= before * (1 + 1e-12) + 1e-12


@PROPERTIES
@given(events, weights, half_lives, windows, st.floats(0, 100))
def test_scaling_every_weight_scales_the_score(events, weights, half_life, window, k):
    scaled = score(events, {c: k * w for c, w in weights.items()}, half_life, window)
    assert scaled.score_ == pytest.approx(k * score(events, weights, half_life, window).score_, rel=1e-9, abs=1e-9)


def test_an_event_a_half_life_older_weighs_exactly_half():
    # The strict form of the property above: 365 * 0.5 ** (100 / 365) against 365 * 0.5 ** (465 / 365).
    newer = HarmScore({"violence": 365}).fit(["violence"], [100]).score_
    older = HarmScore({"violence": 365}).fit(["violence"], [465]).score_
    assert older == pytest.approx(newer / 2, rel=1e-12) and older < newer
