"""The shared machinery of the local statistics: one significance function, one FDR step, one base estimator."""

import doctest

import esda
import numpy as np
import pytest
from libpysal.weights import lat2W
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm

from vcdhub.stats import local
from vcdhub.stats.hotspots import GetisOrdHotSpots, LocalMoranClusters
from vcdhub.stats.local import significance


def test_one_sided_pseudo_p_values_are_esdas_when_nothing_ties():
    rng = np.random.default_rng(3)
    observed, simulated = rng.normal(size=50), rng.normal(size=(50, 199))  # continuous: no ties
    for alternative in ("greater", "lesser"):
        assert_allclose(significance(observed, simulated, alternative=alternative),
                        esda.significance.calculate_significance(observed, simulated, alternative=alternative),
                        rtol=1e-12)
    two_sided = significance(observed, simulated, alternative="two-sided")
    smaller = np.minimum(significance(observed, simulated, alternative="greater"),
                         significance(observed, simulated, alternative="lesser"))
    assert_array_equal(two_sided, np.minimum(1.0, 2 * smaller))


def test_a_near_tie_counts_in_both_tails():
    # The observed value and a permuted one differ in the last bits only, as esda's two computations can.
    observed = np.array([0.3])
    simulated = np.array([[0.1 + 0.2, 0.0, 0.0, 0.0]])  # 0.30000000000000004
    assert significance(observed, simulated, alternative="greater").tolist() == [0.4]
    assert significance(observed, simulated, alternative="lesser").tolist() == [1.0]


def test_permutation_normal_tails_and_flat_permutations():
    observed = np.array([2.0, 5.0])
    simulated = np.array([[0.0, 1.0, 2.0, 3.0], [5.0, 5.0, 5.0, 5.0]])  # the second does not vary
    z = (2.0 - 1.5) / np.std([0.0, 1.0, 2.0, 3.0])
    for alternative, expected in (("two-sided", 2 * norm.sf(z)), ("greater", norm.sf(z)), ("lesser", norm.cdf(z))):
        assert_allclose(significance(observed, simulated, inference="permutation-normal", alternative=alternative),
                        [expected, 1.0], rtol=1e-12)


@pytest.mark.parametrize("estimator", [GetisOrdHotSpots, LocalMoranClusters])
def test_estimators_p_values_are_the_shared_significance_of_esdas_simulations(estimator):
    y = np.random.default_rng(1).poisson(5, 100).astype(float)
    w = lat2W(10, 10, rook=False)
    model = estimator(seed=7, permutations=199).fit(y, w)
    with local._esda_call():  # the same seed gives the same permutations again
        result, observed = model._esda(y, local._original_weights(w))
    for inference, attribute in (("pseudo", "p_two_sided_"), ("permutation-normal", "p_normal_")):
        assert_array_equal(significance(observed, result.sim.T, inference=inference), getattr(model, attribute))


@pytest.mark.parametrize("kwargs,message", [
    ({"inference": "normal"}, "inference must be one of"),
    ({"alternative": "less"}, "alternative must be one of two-sided, greater, lesser"),
    ({"simulated": np.ones((3, 5))}, "one row of permutations per observed value"),
])
def test_significance_refuses_bad_arguments(kwargs, message):
    arguments = {"observed": np.ones(2), "simulated": np.ones((2, 5)), **kwargs}
    with pytest.raises(ValueError, match=message):
        significance(**arguments)


def test_docstring_examples_run():
    result = doctest.testmod(local, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
