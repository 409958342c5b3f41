"""Map classes (stats.classes): every class holds values, classes never overlap, each value's class holds it, the
breaks are Jenks's optimum (checked against every possible split of small inputs), and any input ends: mapclassify's
JenksCaspall, used before, looped for ever on tied counts and on some rates."""

import itertools
import signal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcdhub.stats import classes
from vcdhub.stats.classes import NaturalClasses


def _within(seconds: int):
    def stop(*_):
        raise TimeoutError("classification did not end")

    signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)


def _fit(values, k):
    _within(10)
    try:
        return NaturalClasses(k=k).fit(values)
    finally:
        signal.alarm(0)


def _assert_partition(model, values, k):
    assert 1 <= len(model.bounds_) <= min(k, len(set(values)))
    assert all(n > 0 for n in model.counts_) and sum(model.counts_) == len(values)
    assert all(hi < lo for (_, hi), (lo, _) in zip(model.bounds_, model.bounds_[1:], strict=False))
    for v in values:
        low, high = model.bounds_[model.class_of(v)]
        assert low <= v <= high


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=300), st.integers(1, 7))
def test_classes_hold_every_value_once_and_end_on_ties(values, k):
    _assert_partition(_fit(values, k), values, k)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.floats(0.01, 50, allow_nan=False).map(lambda v: round(v, 2)), min_size=1, max_size=200),
       st.integers(1, 7))
def test_classes_of_rates_hold_every_value_once_and_end(values, k):
    _assert_partition(_fit(values, k), values, k)


def test_the_rates_that_hung_the_choropleth_get_their_classes():
    # Rates per 1,000 of one borough's wards: JenksCaspall never ended on these with five classes.
    rates = [0.1, 1.32, 0.53, 1.27, 0.48, 5.44, 0.1, 2.86]
    model = _fit(rates, 5)
    _assert_partition(model, rates, 5)
    assert len(model.bounds_) == 5


def _within_class_squares(groups) -> float:
    return sum(float(((np.asarray(g) - np.mean(g)) ** 2).sum()) for g in groups)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.integers(1, 60), min_size=2, max_size=11), st.integers(2, 4))
def test_the_breaks_are_the_optimum_of_every_contiguous_split(values, k):
    """Independently: try every way of cutting the sorted values into k runs (ties kept together) and take the
    least sum of squared deviations from each run's mean; the model's classes reach that least sum."""
    distinct = sorted(set(values))
    k = min(k, len(distinct))
    best = min(_within_class_squares([[v for v in values if lo <= v <= hi] for lo, hi in zip(
        [distinct[0], *[distinct[c] for c in cuts]], [*[distinct[c - 1] for c in cuts], distinct[-1]], strict=True)])
        for cuts in itertools.combinations(range(1, len(distinct)), k - 1))
    model = _fit(values, k)
    found = _within_class_squares([[v for v in values if lo <= v <= hi] for lo, hi in model.bounds_])
    assert found == pytest.approx(best, abs=1e-9)


def test_many_values_are_classified_from_a_bounded_sample_that_keeps_the_extremes(monkeypatch):
    monkeypatch.setattr(classes, "MAX_EXACT_VALUES", 50)
    values = list(np.random.default_rng(7).lognormal(3, 1, 2_000).round() + 1)
    model = _fit(values, 5)
    _assert_partition(model, values, 5)
    assert model.bounds_[0][0] == min(values) and model.bounds_[-1][1] == max(values)


def test_a_skewed_count_map_gets_five_classes_that_never_mix_far_apart_values_with_near_ones():
    values = [3, 4, 4, 5, 6, 30, 31, 33, 35, 90, 95, 100, 250, 260, 900]
    model = NaturalClasses(k=5).fit(values)
    assert model.bounds_ == [(3, 6), (30, 35), (90, 100), (250, 260), (900, 900)]
