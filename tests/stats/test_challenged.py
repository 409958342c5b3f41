"""The most challenged areas: a small hand-made borough whose composite is worked out by hand."""

import doctest

import numpy as np
import pytest

from vcdhub.stats import challenged
from vcdhub.stats.challenged import ChallengedAreas, ordinal, percentile_scores, z_scores

# Four wards to rank and one too small to rank. Rates per 1,000: a 5.0, b 4.0, c 10.0, d 5.0 (e 10.0).
COUNTS = {"a": 10, "b": 40, "c": 30, "d": 20, "e": 5}
POPULATION = {"a": 2000, "b": 10_000, "c": 3000, "d": 4000, "e": 500}


def test_docstring_examples_run():
    result = doctest.testmod(challenged)
    assert result.attempted >= 8 and result.failed == 0


def test_composite_by_hand():
    model = ChallengedAreas().fit(COUNTS, POPULATION)
    rows = {row["code"]: row for row in model.ranked_}
    # Counts 10, 40, 30, 20 -> percentile ranks (rank - 1) / 3: a 0, b 1, c 2/3, d 1/3.
    assert {c: rows[c]["count_score"] for c in rows} == pytest.approx({"a": 0, "b": 1, "c": 2 / 3, "d": 1 / 3})
    # Rates 5, 4, 10, 5: b lowest (0), a and d share ranks 2 and 3 (2.5 -> 0.5), c highest (1).
    assert {c: rows[c]["rate_score"] for c in rows} == pytest.approx({"a": 0.5, "b": 0, "c": 1, "d": 0.5})
    # Composite 0.5 x count score + 0.5 x rate score: a 0.25, b 0.5, c 0.8333, d 0.4167.
    assert [(r["code"], r["rank"]) for r in model.ranked_] == [("c", 1), ("b", 2), ("d", 3), ("a", 4)]
    assert [r["composite"] for r in model.ranked_] == pytest.approx([5 / 6, 0.5, 5 / 12, 0.25])
    assert rows["c"] == {"code": "c", "population": 3000, "count": 30, "rate": 10.0,
                         "count_score": pytest.approx(2 / 3), "rate_score": 1.0, "composite": pytest.approx(5 / 6),
                         "rank": 1}
    assert model.weights_ == {"count": 0.5, "rate": 0.5} and model.components_ == ["count", "rate"]


def test_reasons_in_plain_english():
    model = ChallengedAreas().fit(COUNTS, POPULATION)
    assert model.reason_ == {
        "c": "2nd highest count (30) and highest rate (10.0 per 1,000) among 4 areas",
        "b": "highest count (40) and 4th highest rate (4.0 per 1,000) among 4 areas",
        "d": "3rd highest count (20) and joint 2nd highest rate (5.0 per 1,000) among 4 areas",
        "a": "4th highest count (10) and joint 2nd highest rate (5.0 per 1,000) among 4 areas",
    }
    assert "0.5 x percentile rank of count + 0.5 x percentile rank of rate" in model.description_
    # Large numbers keep their thousands separators; a zero weight leaves its component out of the reason.
    big = ChallengedAreas(weights={"count": 1, "rate": 0}, min_population=0).fit(
        {"x": 1412, "y": 3}, {"x": 120_000, "y": 1000})
    assert big.reason_["x"] == "highest count (1,412) among 2 areas"


def test_weights_are_normalised_and_ties_go_by_code():
    model = ChallengedAreas(weights={"count": 3, "rate": 1}).fit(COUNTS, POPULATION)
    assert model.weights_ == {"count": 0.75, "rate": 0.25}
    # b: 0.75 x 1 + 0.25 x 0 = 0.75; c: 0.75 x 2/3 + 0.25 x 1 = 0.75 -> a tie, broken by code.
    assert [(r["code"], r["composite"]) for r in model.ranked_] == [
        ("b", pytest.approx(0.75)), ("c", pytest.approx(0.75)), ("d", pytest.approx(0.375)),
        ("a", pytest.approx(0.125))]
    # Scaling the weights changes nothing; nor does the order the areas come in.
    same = ChallengedAreas(weights={"count": 0.3, "rate": 0.1}).fit(dict(reversed(COUNTS.items())), POPULATION)
    assert [r["code"] for r in same.ranked_] == ["b", "c", "d", "a"]
    assert same.weights_ == pytest.approx(model.weights_)


def test_count_alone_and_rate_alone():
    by_count = ChallengedAreas(weights={"count": 1}).fit(COUNTS, POPULATION)
    assert [r["code"] for r in by_count.ranked_] == ["b", "c", "d", "a"]
    assert "rate_score" not in by_count.ranked_[0]
    by_rate = ChallengedAreas(weights={"rate": 1}).fit(COUNTS, POPULATION)
    assert [r["code"] for r in by_rate.ranked_] == ["c", "a", "d", "b"]  # a and d tie on rate: by code


def test_small_populations_are_excluded_and_listed():
    model = ChallengedAreas(min_population=2500).fit(COUNTS, POPULATION)
    assert model.excluded_ == {"a": "population 2,000 is under the minimum of 2,500",
                               "e": "population 500 is under the minimum of 2,500"}
    assert [r["code"] for r in model.ranked_] == ["c", "b", "d"]
    # With no minimum the tiny ward, 10.0 per 1,000 like c, is ranked; a ward with no residents cannot be.
    everyone = ChallengedAreas(min_population=0).fit({**COUNTS, "z": 0}, {**POPULATION, "z": 0})
    assert "e" in {r["code"] for r in everyone.ranked_} and everyone.excluded_ == {"z": "no residents, so no rate"}


def test_top_holds_the_first_rows():
    model = ChallengedAreas(top=2).fit(COUNTS, POPULATION)
    assert model.top_ == model.ranked_[:2] and [r["code"] for r in model.top_] == ["c", "b"]
    assert len(ChallengedAreas(top=10).fit(COUNTS, POPULATION).top_) == 4


def test_several_crime_types_are_separate_components():
    counts = {"robbery": {"a": 10, "b": 40, "c": 30, "d": 20}, "knife": {"a": 8, "b": 2, "c": 4, "d": 6}}
    population = {"a": 2000, "b": 10_000, "c": 3000, "d": 4000}
    model = ChallengedAreas(weights={"robbery_count": 1, "knife_rate": 1}).fit(counts, population)
    rows = {r["code"]: r for r in model.ranked_}
    # Knife rates per 1,000: a 4.0, b 0.2, c 1.333, d 1.5 -> scores a 1, b 0, c 1/3, d 2/3.
    assert rows["a"]["knife_rate"] == pytest.approx(4.0) and rows["a"]["robbery_count"] == 10
    assert {c: rows[c]["knife_rate_score"] for c in rows} == pytest.approx({"a": 1, "b": 0, "c": 1 / 3, "d": 2 / 3})
    # Composites: a (0 + 1)/2 = 0.5, b 0.5, c (2/3 + 1/3)/2 = 0.5, d (1/3 + 2/3)/2 = 0.5: a four-way tie, by code.
    assert [r["code"] for r in model.ranked_] == ["a", "b", "c", "d"]
    assert model.reason_["d"] == ("3rd highest robbery count (20) and 2nd highest knife rate (1.5 per 1,000) "
                                  "among 4 areas")
    with pytest.raises(ValueError, match="unknown weight"):
        ChallengedAreas().fit(counts, population)  # "count" and "rate" need a crime type here


def test_z_scores_by_hand():
    model = ChallengedAreas(scale="zscore").fit(COUNTS, POPULATION)
    rows = {r["code"]: r for r in model.ranked_}
    # Counts 10, 40, 30, 20: mean 25, sd sqrt(125) = 11.180; rates 5, 4, 10, 5: mean 6, sd sqrt(5.5) = 2.345.
    assert rows["b"]["count_score"] == pytest.approx(15 / np.sqrt(125))
    assert rows["c"]["rate_score"] == pytest.approx(4 / np.sqrt(5.5))
    assert rows["c"]["composite"] == pytest.approx(0.5 * 5 / np.sqrt(125) + 0.5 * 4 / np.sqrt(5.5))
    assert [r["code"] for r in model.ranked_] == ["c", "b", "d", "a"]
    assert z_scores([3, 3]).tolist() == [0.0, 0.0]


def test_scales_and_ordinals():
    assert percentile_scores([7]).tolist() == [1.0]
    assert percentile_scores([1, 1, 1]).tolist() == [0.5, 0.5, 0.5]
    assert [ordinal(n) for n in (1, 2, 3, 11, 12, 13, 22, 111, 123)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "22nd", "111th", "123rd"]


@pytest.mark.parametrize("counts,population,message", [
    ({"a": -1, "b": 2}, {"a": 2000, "b": 2000}, "non-negative integer"),
    ({"a": 1.5, "b": 2}, {"a": 2000, "b": 2000}, "non-negative integer"),
    ({"a": 1, "b": 2}, {"a": 2000}, "no population for 1 area"),
    ({"a": 1, "b": 2}, {"a": 2000, "b": None}, "no population"),
    ({"a": 1}, {"a": 2000, "b": 3000}, "no count"),
    ({"a": 1}, {"a": -5}, "population for a must be"),
    ({}, {}, "no areas"),
    ({"x": {"a": 1}, "y": 2}, {"a": 2000}, "either one per area"),
    ({"x": {"a": 1}, "y": {"b": 2}}, {"a": 2000, "b": 2000}, "same areas"),
])
def test_invalid_inputs_raise_clear_errors(counts, population, message):
    with pytest.raises(ValueError, match=message):
        ChallengedAreas().fit(counts, population)


@pytest.mark.parametrize("params,message", [
    ({"weights": {"count": 0, "rate": 0}}, "positive sum"),
    ({"weights": {"count": -1, "rate": 2}}, "non-negative"),
    ({"weights": {"count": float("nan")}}, "finite"),
    ({"weights": {}}, "non-empty"),
    ({"weights": {"harm": 1}}, "unknown weight"),
    ({"top": 0}, "top"),
    ({"min_population": -1}, "min_population"),
    ({"scale": "minmax"}, "scale"),
    ({"per": 0}, "per"),
])
def test_invalid_parameters_raise_at_fit(params, message):
    model = ChallengedAreas(**params)  # the constructor only stores them
    with pytest.raises(ValueError, match=message):
        model.fit(COUNTS, POPULATION)


def test_estimator_contract():
    model = ChallengedAreas(top=3)
    assert model.top == 3 and model.weights == {"count": 0.5, "rate": 0.5}
    assert not [name for name in vars(model) if name.endswith("_")]
    assert model.fit(COUNTS, POPULATION) is model
