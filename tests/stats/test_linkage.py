"""stats.linkage.PersonLinker against people.synthetic's populations, whose truth is known."""

import doctest

import pytest

from vcdhub.people.matching import given_forms, linkage_columns
from vcdhub.people.synthetic import make_population
from vcdhub.stats import linkage
from vcdhub.stats.linkage import PersonLinker


def test_the_examples_run():
    result = doctest.testmod(linkage)
    assert result.attempted and not result.failed


@pytest.fixture(scope="module")
def population():
    return make_population(3000, seed=11)


@pytest.fixture(scope="module")
def fitted(population):
    return PersonLinker(0.9).fit(linkage_columns(population.records))


def test_pairs_found_on_a_known_population_are_nearly_all_true(population, fitted):
    truth = population.true_pairs()
    found = {(p.left, p.right) for p in fitted.pairs_}
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision >= 0.99 and recall >= 0.9, (precision, recall)  # bench/people.py measures it at 100,000


def test_a_record_with_one_error_is_nearly_always_found(population, fitted):
    """One error (a typo, a nickname, a moved address) leaves enough to match on; two may not."""
    found = {(p.left, p.right) for p in fitted.pairs_}
    by_source = {r["source_id"]: r for r in population.records}
    single = [(a, b) for a, b in population.true_pairs()
              if len(set(by_source[a]["errors"]) | set(by_source[b]["errors"])) == 1]
    assert len(single) > 100
    assert sum(pair in found for pair in single) / len(single) >= 0.97


def test_clusters_are_the_connected_pairs_and_evidence_names_the_strongest_comparison(fitted):
    members = {source for cluster in fitted.clusters_ for source in cluster}
    assert members == {s for p in fitted.pairs_ for s in (p.left, p.right)}
    for pair in fitted.pairs_[:50]:
        assert 0.9 <= pair.probability <= 1
        strongest = max(pair.evidence, key=lambda e: e[2])
        assert pair.driver == f"{strongest[0]}: {strongest[1]}"


def test_the_same_records_give_the_same_pairs(population, fitted):
    again = PersonLinker(0.9).fit(linkage_columns(population.records))
    assert [(p.left, p.right) for p in again.pairs_] == [(p.left, p.right) for p in fitted.pairs_]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        PersonLinker(1.5)
    with pytest.raises(ValueError, match="unique"):
        PersonLinker().fit(linkage_columns([{"source_id": "a"}, {"source_id": "a"}]))
    assert PersonLinker().fit(linkage_columns([{"source_id": "only"}])).pairs_ == []


def test_nicknames_go_both_ways():
    assert "jonathan" in given_forms("jon") and "jon" in given_forms("jonathan")
    assert given_forms("") == []
