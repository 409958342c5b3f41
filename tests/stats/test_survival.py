"""stats.survival against Kaplan-Meier curves worked out by hand, its fallbacks, every invalid input, and properties."""

import doctest
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcdhub.stats import survival
from vcdhub.stats.survival import Comparison, DurationNorms


def test_the_examples_run():
    result = doctest.testmod(survival)
    assert result.attempted >= 10 and not result.failed


# Values by hand ------------------------------------------------------------------------------------------

# Six episodes; the two at 5 and 10 hours are still open (censored).
DURATIONS = [2, 3, 3, 5, 8, 10]
ENDED = [True, True, True, False, True, False]
KEY = ("child", "high")
# Product-limit: S(t) = product over event times t_i <= t of (1 - d_i / n_i), n_i = still open just before t_i.
#   t = 2:  n = 6, d = 1           S = 5/6
#   t = 3:  n = 5, d = 2           S = 5/6 * (1 - 2/5) = 5/6 * 3/5 = 1/2
#   t = 5:  n = 3, d = 0 (open)    S = 1/2
#   t = 8:  n = 2, d = 1           S = 1/2 * (1 - 1/2) = 1/4
#   t = 10: n = 1, d = 0 (open)    S = 1/4, and 1/4 from there on: the longest episode is still open.
BY_HAND = [(0, 1), (2, 5 / 6), (3, 1 / 2), (5, 1 / 2), (8, 1 / 4), (10, 1 / 4)]


def hand_norms(min_group: int = 6) -> DurationNorms:
    return DurationNorms(min_group=min_group).fit(DURATIONS, ENDED, [KEY] * 6)


def test_the_curve_is_the_product_limit_worked_by_hand():
    norms = hand_norms()
    assert norms.n_ == 6
    # The same six episodes in the groups (), ("child",) and ("child", "high").
    assert set(norms.curves_) == {(), ("child",), KEY}
    for prefix in norms.curves_:
        curve = norms.curve(prefix)
        assert curve.times.tolist() == [t for t, _ in BY_HAND]
        assert curve.survival == pytest.approx([s for _, s in BY_HAND], abs=1e-12)
        assert curve.n == 6 and curve.events == 4


def test_compare_reads_one_minus_the_curve():
    norms = hand_norms()
    # 1 - S: between 2 and 3 hours 1 - 5/6 = 1/6; between 3 and 8, 1/2; from 8 on, 3/4.
    for hours, share in [(1, 0), (2.5, 1 / 6), (4, 1 / 2), (7.99, 1 / 2), (9, 3 / 4)]:
        result = norms.compare(hours, KEY)
        assert result.share_shorter == pytest.approx(share, abs=1e-12)
        assert (result.group, result.n, result.events, result.key) == (KEY, 6, 4, KEY)
        assert result.duration == float(hours)
    # 1/6 = 16.7% and 3/4 = 75%.
    assert norms.compare(2.5, KEY).text == "missing longer than 16% of similar episodes (child, high; 6 episodes)"
    assert norms.compare(9, KEY).text == "missing longer than 75% of similar episodes (child, high; 6 episodes)"


def test_an_episode_that_ended_at_exactly_the_duration_counts_as_ended():
    norms = hand_norms()
    # Right-continuous: S(3) = 1/2 counts both episodes that ended at 3 hours; just before, S = 5/6.
    assert norms.compare(3, KEY).share_shorter == pytest.approx(1 / 2, abs=1e-12)
    assert norms.compare(np.nextafter(3.0, 0.0), KEY).share_shorter == pytest.approx(1 / 6, abs=1e-12)
    assert norms.compare(2, KEY).share_shorter == pytest.approx(1 / 6, abs=1e-12)
    assert norms.compare(8, KEY).share_shorter == pytest.approx(3 / 4, abs=1e-12)
    assert norms.compare(3, KEY).text == "missing longer than 50% of similar episodes (child, high; 6 episodes)"


def test_a_duration_of_zero_and_one_beyond_the_longest_episode():
    norms = hand_norms()
    assert norms.compare(0, KEY).share_shorter == 0.0
    assert norms.compare(0, KEY).text == "missing longer than 0% of similar episodes (child, high; 6 episodes)"
    # The longest episode (10 hours) is still open, so the curve stays at 1/4: never more than 75% shorter.
    assert norms.compare(10, KEY).share_shorter == pytest.approx(3 / 4, abs=1e-12)
    assert norms.compare(1e6, KEY).share_shorter == pytest.approx(3 / 4, abs=1e-12)
    # Had it ended, every episode would have ended by 10 hours: S(10) = 1/4 * (1 - 1/1) = 0.
    closed = DurationNorms(min_group=6).fit(DURATIONS, ENDED[:-1] + [True], [KEY] * 6)
    assert closed.compare(9.5, KEY).share_shorter == pytest.approx(3 / 4, abs=1e-12)
    assert closed.compare(10, KEY).share_shorter == 1.0
    assert closed.compare(1e6, KEY).text == "missing longer than 100% of similar episodes (child, high; 6 episodes)"


def test_an_open_episode_tied_with_a_closed_one_is_still_at_risk_then():
    # 2, 3, 3+, 5, 8+, 10 (+ open): at 3 hours 5 are at risk, the open one among them, and 1 ended.
    #   t = 2: 5/6;  t = 3: 5/6 * (1 - 1/5) = 2/3;  t = 5: n = 3, 2/3 * (1 - 1/3) = 4/9;  t = 8: 4/9;  t = 10: 0
    norms = DurationNorms(min_group=1).fit(DURATIONS, [True, True, False, True, False, True], [KEY] * 6)
    assert norms.curve(()).survival == pytest.approx([1, 5 / 6, 2 / 3, 4 / 9, 4 / 9, 0], abs=1e-12)
    assert norms.compare(6, KEY).share_shorter == pytest.approx(5 / 9, abs=1e-12)


def test_the_percentage_is_rounded_down():
    norms = DurationNorms(min_group=24).fit(range(1, 25), [True] * 24, [KEY] * 24)
    # 24 episodes ended at 1, 2, ..., 24 hours: S(23) = 1/24, so 23/24 = 95.83% had ended; it reads 95%, not 96%.
    assert norms.compare(23, KEY).share_shorter == pytest.approx(23 / 24, abs=1e-12)
    assert norms.compare(23, KEY).text.startswith("missing longer than 95% of similar episodes")
    # Exactly 95% stays 95%, whichever way the floating point falls: 20 ended at 1, ..., 20; S(19) = 1/20.
    norms = DurationNorms(min_group=20).fit(range(1, 21), [True] * 20, [KEY] * 20)
    assert norms.compare(19, KEY).text.startswith("missing longer than 95% of similar episodes")
    assert norms.compare(18.5, KEY).text.startswith("missing longer than 90% of similar episodes")


def test_the_median():
    # The hand sample: S(3) = 1/2 is the first value <= 0.5.
    assert hand_norms().median_hours(KEY) == 3.0
    # Six ended at 1, ..., 6: S(3) = 1/2 exactly (lifelines computes it as 0.5000000000000001 and says 4).
    assert DurationNorms(min_group=1).fit(range(1, 7), [True] * 6, [KEY] * 6).median_hours(()) == 3.0
    # Half still open at the end: the curve never falls below 3/4, so there is no median.
    never = DurationNorms(min_group=1).fit([1, 2, 3, 4], [True, False, False, False], [KEY] * 4)
    assert never.curve(()).survival[-1] == pytest.approx(3 / 4) and never.median_hours(()) is None
    assert hand_norms().median_hours(("adult",)) is None


def test_episodes_that_ended_at_zero_hours_drop_the_curve_at_zero():
    # 0, 0+, 2: at 0 hours 3 are at risk and 1 ended: S(0) = 2/3; at 2, the last at risk ended: S = 0.
    norms = DurationNorms(min_group=1).fit([0, 0, 2], [True, False, True], [KEY] * 3)
    curve = norms.curve(KEY)
    assert curve.times.tolist() == [0.0, 0.0, 2.0]
    assert curve.survival == pytest.approx([1, 2 / 3, 0], abs=1e-12)
    assert norms.compare(0, KEY).share_shorter == pytest.approx(1 / 3, abs=1e-12)


def test_curves_are_read_only_and_unknown_prefixes_have_none():
    norms = hand_norms()
    curve = norms.curve(["child"])  # a list is as good as a tuple
    assert curve is norms.curves_[("child",)]
    with pytest.raises(ValueError):
        curve.survival[0] = 0.5
    with pytest.raises(AttributeError):
        curve.n = 7
    assert norms.curve(("adult",)) is None and norms.curve(("child", "low")) is None


# Groups and fallback -------------------------------------------------------------------------------------

# Children at high risk: 2 episodes; children at low risk: 3, all still open; adults at low risk: 4.
GROUPED_DURATIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9]
GROUPED_ENDED = [True, True, False, False, False, True, True, True, False]
GROUPED_KEYS = [("child", "high")] * 2 + [("child", "low")] * 3 + [("adult", "low")] * 4


def grouped(min_group: int) -> DurationNorms:
    return DurationNorms(min_group=min_group).fit(GROUPED_DURATIONS, GROUPED_ENDED, GROUPED_KEYS)


def test_every_prefix_has_its_own_curve():
    norms = grouped(3)
    counts = {prefix: (curve.n, curve.events) for prefix, curve in norms.curves_.items()}
    assert counts == {(): (9, 5), ("child",): (5, 2), ("adult",): (4, 3), ("child", "high"): (2, 2),
                      ("child", "low"): (3, 0), ("adult", "low"): (4, 3)}
    # Children: 1, 2, 3+, 4+, 5+. S(1) = 4/5, S(2) = 4/5 * 3/4 = 3/5, and 3/5 after that.
    assert norms.curve(("child",)).survival == pytest.approx([1, 4 / 5, 3 / 5, 3 / 5, 3 / 5, 3 / 5], abs=1e-12)


def test_a_small_group_falls_back_to_a_more_general_one_and_says_so():
    norms = grouped(3)
    # Children at high risk are 2, fewer than 3: children of any risk grade (5, 2 ended) instead; S(2) = 3/5.
    result = norms.compare(2, ("child", "high"))
    assert (result.group, result.n, result.events) == (("child",), 5, 2)
    assert result.share_shorter == pytest.approx(2 / 5, abs=1e-12)
    assert result.text == ("missing longer than 40% of similar episodes (child, any risk grade; 5 episodes; "
                           "child, high has too few)")
    # Adults at low risk are 4 with 3 ended: their own curve.
    assert norms.compare(2, ("adult", "low")).group == ("adult", "low")


def test_a_group_with_no_closed_episode_falls_back_too():
    # Children at low risk are 3, enough for min_group 3, but none has ended: the children's curve is used.
    result = grouped(3).compare(10, ("child", "low"))
    assert result.group == ("child",) and result.share_shorter == pytest.approx(2 / 5, abs=1e-12)
    assert result.text.endswith("(child, any risk grade; 5 episodes; child, low has too few)")


def test_a_group_never_seen_falls_back_to_all_episodes():
    norms = grouped(5)
    # Children (5) are enough for 5, adults (4) are not: adults at high risk fall back to all nine episodes.
    result = norms.compare(2, ("adult", "high"))
    assert (result.group, result.n, result.events) == ((), 9, 5)
    # All: 1, 2, 3+, ..., 5+, 6, 7, 8, 9+. S(2) = 8/9 * 7/8 = 7/9.
    assert result.share_shorter == pytest.approx(2 / 9, abs=1e-12)
    assert result.text == ("missing longer than 22% of similar episodes (any age group, any risk grade; 9 episodes; "
                           "adult, high has too few)")
    assert norms.compare(2, ("child", "high")).group == ("child",)


def test_nothing_large_enough_withholds_the_comparison():
    result = grouped(10).compare(5, ("child", "high"))
    assert result == Comparison(5.0, ("child", "high"), None, None, 9, 5,
                                "not enough closed episodes to compare: needs 10 episodes, at least 1 closed; "
                                "there are 9, 5 closed")
    # Enough episodes, but none has ended.
    open_only = DurationNorms(min_group=2).fit([1, 2, 3], [False, False, False], [KEY] * 3)
    result = open_only.compare(5, KEY)
    assert result.share_shorter is None and result.group is None and (result.n, result.events) == (3, 0)
    assert result.text == ("not enough closed episodes to compare: needs 2 episodes, at least 1 closed; "
                           "there are 3, 0 closed")


def test_no_episodes_at_all():
    norms = DurationNorms().fit([], [], [])
    assert norms.n_ == 0 and norms.curves_ == {}
    assert norms.curve(()) is None and norms.median_hours(()) is None
    result = norms.compare(3, KEY)
    assert result.share_shorter is None and (result.n, result.events) == (0, 0)
    assert result.text == ("not enough closed episodes to compare: needs 20 episodes, at least 1 closed; "
                           "there are 0, 0 closed")


def test_one_episode_is_singular_and_levels_name_the_fallback():
    norms = DurationNorms(min_group=1, levels=("force", "age group", "risk grade")).fit(
        [4.0], [True], [("met", "adult", "low")])
    assert norms.compare(5, ("met", "adult", "low")).text == (
        "missing longer than 100% of similar episodes (met, adult, low; 1 episode)")
    assert norms.compare(3, ("met", "child", "low")).text == (
        "missing longer than 0% of similar episodes (met, any age group, any risk grade; 1 episode; "
        "met, child, low has too few)")


def test_fit_returns_self_and_the_constructor_only_stores():
    norms = DurationNorms(min_group=0, levels="age group")  # invalid, but only checked by fit
    assert (norms.min_group, norms.levels) == (0, "age group") and not hasattr(norms, "curves_")
    norms = DurationNorms(min_group=2)
    assert norms.fit(DURATIONS, ENDED, [KEY] * 6) is norms
    # NumPy input, 0/1 flags and NumPy strings in the keys are as good as lists, booleans and str.
    same = DurationNorms(min_group=2).fit(np.array(DURATIONS), np.array(ENDED, dtype=int),
                                          np.array([KEY] * 6))
    assert set(same.curves_) == set(norms.curves_)
    assert same.compare(4, KEY) == norms.compare(4, KEY)


# Invalid input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("durations", "ended", "keys", "message"), [
    ([1, 2], [True], [KEY] * 2, "2 durations, 1 ended flags and 2 keys"),
    ([1, 2], [True, False], [KEY], "2 durations, 2 ended flags and 1 keys"),
    ([1, -0.5], [True, False], [KEY] * 2, r"durations\[1\] is -0.5"),
    ([math.nan, 1], [True, False], [KEY] * 2, r"durations\[0\] is missing \(NaN\)"),
    ([1, math.inf], [True, False], [KEY] * 2, r"durations\[1\] is inf"),
    ([1, 2], [True, "yes"], [KEY] * 2, r"ended\[1\] is"),
    ([1, 2], [1, 2], [KEY] * 2, r"ended\[1\] is 2"),
    ([1, 2], [1.0, math.nan], [KEY] * 2, r"ended\[1\] is nan"),
    ([1, 2], [True, False], [KEY, ("child",)], r"keys\[1\] must be a tuple with 2 part\(s\)"),
    ([1, 2], [True, False], [KEY, "child"], r"keys\[1\] must be a tuple"),
    ([1, 2], [True, False], [KEY, ("child", ["high"])], r"keys\[1\] is .*hashable"),
    ([1, 2], [True, False], "ab", "not a single string"),
    ([1, 2], "10", [KEY] * 2, "not a single string"),
    ([[1, 2]], [True], [KEY], "flat sequence"),
])
def test_fit_rejects_invalid_episodes(durations, ended, keys, message):
    with pytest.raises(ValueError, match=message):
        DurationNorms(min_group=1).fit(durations, ended, keys)


@pytest.mark.parametrize(("min_group", "levels"), [(0, ("age group", "risk grade")), (-3, ("a", "b")),
                                                   (2.5, ("a", "b")), (True, ("a", "b")), (5, "age group"),
                                                   (5, ("age group", 2))])
def test_fit_rejects_invalid_parameters(min_group, levels):
    with pytest.raises(ValueError):
        DurationNorms(min_group=min_group, levels=levels).fit(DURATIONS, ENDED, [KEY] * 6)


@pytest.mark.parametrize(("duration", "key"), [(-1, KEY), (math.nan, KEY), (math.inf, KEY), (True, KEY),
                                               ("3", KEY), (3, ("child",)), (3, "ch"), (3, ("a", "b", "c"))])
def test_compare_rejects_an_invalid_duration_or_key(duration, key):
    with pytest.raises(ValueError):
        hand_norms().compare(duration, key)


# Properties ----------------------------------------------------------------------------------------------

episodes = st.lists(st.tuples(st.integers(0, 12).map(float) | st.floats(0, 50), st.booleans(),
                              st.tuples(st.sampled_from(["child", "adult"]), st.sampled_from(["low", "high"]))),
                    max_size=40)
PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True, database=None)


def fitted(episodes, min_group: int) -> DurationNorms:
    return DurationNorms(min_group=min_group).fit([d for d, _, _ in episodes], [e for _, e, _ in episodes],
                                                  [k for _, _, k in episodes])


@PROPERTIES
@given(episodes, st.integers(1, 6), st.tuples(st.sampled_from(["child", "adult", "elder"]),
                                              st.sampled_from(["low", "high"])),
       st.lists(st.integers(0, 14).map(float) | st.floats(0, 60), min_size=1, max_size=20))
def test_the_share_never_falls_as_the_duration_grows_and_stays_in_0_1(episodes, min_group, key, hours):
    norms = fitted(episodes, min_group)
    results = [norms.compare(h, key) for h in sorted(hours)]
    # The group chosen depends on the key only, never on the duration.
    assert len({(r.group, r.n, r.events) for r in results}) == 1
    shares = [r.share_shorter for r in results]
    if results[0].group is None:
        assert shares == [None] * len(shares)
        return
    assert all(0.0 <= s <= 1.0 for s in shares)
    assert all(a <= b for a, b in zip(shares, shares[1:], strict=False))
    for r in results:
        assert key[:len(r.group)] == r.group and r.n >= min_group and r.events >= 1
        percent = int(r.text.split("% ")[0].rsplit(" ", 1)[1])
        assert r.share_shorter * 100 - 1 - 1e-6 < percent <= r.share_shorter * 100 + 1e-6  # never overstates


@PROPERTIES
@given(episodes, st.lists(st.integers(0, 14).map(float) | st.floats(0, 60), min_size=1, max_size=10))
def test_the_share_is_the_product_limit_over_all_episodes(episodes, hours):
    # An independent product-limit in exact fractions, over all episodes (the group ()).
    norms = fitted(episodes, 1)
    if not any(e for _, e, _ in episodes):
        assert norms.compare(0, ("child", "low")).share_shorter is None
        return
    for h in hours:
        s = Fraction(1)
        for t in sorted({d for d, e, _ in episodes if e and d <= h}):
            at_risk = sum(1 for d, _, _ in episodes if d >= t)
            ended = sum(1 for d, e, _ in episodes if e and d == t)
            s *= 1 - Fraction(ended, at_risk)
        result = norms.compare(h, ("elder", "low"))  # never seen: falls back to ()
        assert result.group == () and result.share_shorter == pytest.approx(float(1 - s), abs=1e-9)
