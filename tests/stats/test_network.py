"""stats.network against values worked out by hand."""

import doctest

import pytest

from vcdhub.stats import network
from vcdhub.stats.network import NetworkMeasures


def test_the_examples_run():
    result = doctest.testmod(network)
    assert result.attempted and not result.failed


def test_a_star_centre_lies_on_every_path_between_its_leaves():
    # Centre c with leaves 1..4: every one of the C(4, 2) = 6 leaf pairs' shortest paths passes through c, and
    # (n - 1)(n - 2) / 2 = 6 pairs exclude c, so c's normalised betweenness is 6 / 6 = 1; leaves lie on none.
    measures = NetworkMeasures().fit(["c", "1", "2", "3", "4"], [("c", leaf) for leaf in "1234"])
    assert measures.betweenness_["c"] == 1.0 and measures.betweenness_["1"] == 0.0
    assert measures.degree_ == {"c": 4, "1": 1, "2": 1, "3": 1, "4": 1}
    assert measures.degree_centrality_["c"] == 1.0 and measures.degree_centrality_["1"] == 0.25


def test_two_triangles_joined_by_a_bridge_are_two_communities_and_the_bridge_brokers():
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")]
    measures = NetworkMeasures().fit("abcxyz", edges)
    assert sorted(map(sorted, measures.communities_)) == [["a", "b", "c"], ["x", "y", "z"]]
    # By hand: of the 10 pairs without c, the 6 from {a, b} to {x, y, z} all pass through c (and then x).
    assert measures.betweenness_["c"] == pytest.approx(6 / 10)
    again = NetworkMeasures().fit("abcxyz", edges)
    assert again.community_ == measures.community_  # seeded: the same groups every time


def test_an_empty_or_edgeless_network_has_no_error():
    assert NetworkMeasures().fit([], []).communities_ == []
    measures = NetworkMeasures().fit(["a", "b"], [])
    assert measures.community_ == {"a": 1, "b": 2} and measures.betweenness_ == {"a": 0.0, "b": 0.0}
