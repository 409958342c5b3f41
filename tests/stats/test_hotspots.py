"""Local statistics: against esda itself, hand-computed values, and planted clusters that must be found.

No database: the stats package is pure Python. Real geometry comes from the bundled LSOA file.
"""

import csv
import doctest
import gzip
import json
import math
import warnings
from collections import Counter
from pathlib import Path

import esda
import geopandas
import numpy as np
import pytest
from libpysal.weights import Queen, Rook, W, lat2W
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm
from shapely.geometry import Point, box, shape

from vcdhub.stats import hotspots, weights
from vcdhub.stats.hotspots import INFERENCES, GetisOrdHotSpots, LocalMoranClusters
from vcdhub.stats.weights import contiguity_weights

GEOGRAPHY = Path(__file__).resolve().parents[2] / "data" / "demo" / "geography"
DEMO_BOROUGHS = {"Lambeth", "Haringey", "Newham", "Brent"}  # the boroughs the demo crime data covers
QUADRANT_CODES = {"HH": 1, "LH": 2, "LL": 3, "HL": 4}


@pytest.fixture(autouse=True)
def _quiet_libpysal():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(not fully connected|island|alternative hypothesis|Gi\\*).*")
        yield


@pytest.fixture(scope="module")
def demo_lsoas() -> tuple[list[str], list]:
    """The bundled LSOA polygons of the four demo boroughs, in a shuffled (not sorted) order."""
    with (GEOGRAPHY / "london-lsoa11-ward19-borough.csv").open(newline="") as f:
        wanted = {row["LSOA11CD"] for row in csv.DictReader(f) if row["LAD19NM"] in DEMO_BOROUGHS}
    with gzip.open(GEOGRAPHY / "london-lsoa11.geojson.gz", "rt") as f:
        features = [feature for feature in json.load(f)["features"] if feature["properties"]["LSOA11CD"] in wanted]
    order = np.random.default_rng(0).permutation(len(features))
    return [features[i]["properties"]["LSOA11CD"] for i in order], [shape(features[i]["geometry"]) for i in order]


def lattice(n: int = 20) -> W:
    return lat2W(n, n, rook=False)


def poisson(mean: float, n: int = 400, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).poisson(mean, n).astype(float)


def neighbour_sets(w: W) -> dict:
    return {i: set(js) for i, js in w.neighbors.items()}


# --- weights -------------------------------------------------------------------------------------------------

def test_contiguity_weights_match_libpysal_on_real_lsoas(demo_lsoas):
    codes, polygons = demo_lsoas
    frame = geopandas.GeoDataFrame({"code": codes}, geometry=polygons)
    queen = contiguity_weights(codes, polygons)
    assert queen.id_order == codes  # the order given, not sorted
    assert neighbour_sets(queen) == neighbour_sets(Queen.from_dataframe(frame, ids=codes, use_index=False))
    rook = contiguity_weights(codes, polygons, rook=True)
    assert rook.id_order == codes
    assert neighbour_sets(rook) == neighbour_sets(Rook.from_dataframe(frame, ids=codes, use_index=False))
    assert len(codes) > 600 and queen.islands == [] and 5 < queen.mean_neighbors < 7
    assert queen.n_components == 4  # four boroughs, none touching another
    assert set(queen.weights[codes[0]]) == {1.0}  # binary


def test_contiguity_weights_report_islands_and_reject_bad_input():
    w = contiguity_weights(["b", "a", "far"], [box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])
    assert w.islands == ["far"] and w.neighbors["far"] == [] and w.neighbors["a"] == ["b"]
    # Touching where a corner of one lies mid-edge of the other, with no shared vertex, is still Queen contiguity.
    assert contiguity_weights(["a", "b"], [box(0, 0, 1, 1), box(1, 0.25, 2, 0.75)]).neighbors["a"] == ["b"]
    with pytest.raises(ValueError, match="2 codes but 1 geometries"):
        contiguity_weights(["a", "b"], [box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="unique; repeated: a"):
        contiguity_weights(["a", "a"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    with pytest.raises(ValueError, match="area b has no geometry"):
        contiguity_weights(["a", "b"], [box(0, 0, 1, 1), None])
    with pytest.raises(ValueError, match="area b has an empty or non-areal Point"):
        contiguity_weights(["a", "b"], [box(0, 0, 1, 1), Point(3, 3)])
    with pytest.raises(ValueError, match="no areas"):
        contiguity_weights([], [])


# --- against esda called directly -----------------------------------------------------------------------------

@pytest.mark.parametrize("transform", ["B", "R"])
def test_gi_star_equals_esda_on_a_lattice(transform):
    y = poisson(5)
    ours = GetisOrdHotSpots(transform=transform, seed=7).fit(y, lattice())
    theirs = esda.G_Local(y, lattice(), transform=transform, star=True, permutations=999, seed=7, n_jobs=1)
    assert_allclose(ours.z_, theirs.Zs, rtol=1e-12)
    assert_allclose(ours.p_, theirs.p_sim, rtol=1e-6)  # esda's engine returns float32
    assert ours.ids_ == list(range(400)) and ours.seed_ == 7


def test_local_moran_equals_esda_on_a_lattice():
    y = poisson(5)
    ours = LocalMoranClusters(seed=7).fit(y, lattice())
    theirs = esda.Moran_Local(y, lattice(), transformation="r", permutations=999, seed=7)
    assert_allclose(ours.I_, theirs.Is, rtol=1e-12)
    assert_allclose(ours.p_, theirs.p_sim, rtol=1e-6)
    assert_array_equal([QUADRANT_CODES[q] for q in ours.quadrant_], theirs.q)


def test_both_equal_esda_on_real_lsoa_weights(demo_lsoas):
    codes, polygons = demo_lsoas
    y = poisson(8, len(codes), seed=3)
    hot = GetisOrdHotSpots(seed=11).fit(y, contiguity_weights(codes, polygons))
    g = esda.G_Local(y, contiguity_weights(codes, polygons), transform="B", star=True, permutations=999, seed=11,
                     n_jobs=1)
    assert_allclose(hot.z_, g.Zs, rtol=1e-12)
    assert_allclose(hot.p_, g.p_sim, rtol=1e-6)
    lisa = LocalMoranClusters(seed=11).fit(dict(zip(codes, y, strict=True)), contiguity_weights(codes, polygons))
    m = esda.Moran_Local(y, contiguity_weights(codes, polygons), transformation="r", permutations=999, seed=11)
    assert_allclose(lisa.I_, m.Is, rtol=1e-12)
    assert_allclose(lisa.p_, m.p_sim, rtol=1e-6)
    assert_array_equal([QUADRANT_CODES[q] for q in lisa.quadrant_], m.q)
    assert hot.ids_ == lisa.ids_ == codes and hot.fdr_["n_tests"] == len(codes)


def normal_p_by_hand(observed, sims):
    """z and two-sided normal p from esda's permuted statistics (sims: permutations x areas), computed here."""
    sims = np.asarray(sims, dtype=float)
    z = (np.asarray(observed) - sims.mean(axis=0)) / sims.std(axis=0)
    return z, 2 * norm.sf(np.abs(z))


def test_p_normal_equals_an_independent_computation_from_esdas_permutations(demo_lsoas):
    y = poisson(5)
    y[:60] += 4
    g = esda.G_Local(y, lattice(), transform="B", star=True, permutations=999, seed=7, n_jobs=1,
                     keep_simulations=True)
    z, p = normal_p_by_hand(g.Gs, g.sim)
    hot = GetisOrdHotSpots(seed=7, inference="permutation-normal").fit(y, lattice())
    assert_allclose(hot.z_sim_, z, rtol=1e-9)
    assert_allclose(hot.p_normal_, p, rtol=1e-9)
    # esda 2.9's p_z_sim is the upper tail of |z_sim|: one side, half the two-sided p-value.
    assert_allclose(g.z_sim, z, rtol=1e-9)
    assert_allclose(g.p_z_sim, p / 2, rtol=1e-9)
    assert (p < 0.05).any() and (p > 0.5).any()  # a spread of p-values, so the comparison means something

    m = esda.Moran_Local(y, lattice(), transformation="r", permutations=999, seed=7, keep_simulations=True)
    z, p = normal_p_by_hand(m.Is, m.sim)
    lisa = LocalMoranClusters(seed=7, inference="permutation-normal").fit(y, lattice())
    assert_allclose(lisa.z_sim_, z, rtol=1e-9)
    assert_allclose(lisa.p_normal_, p, rtol=1e-9)
    assert_allclose(m.p_z_sim, p / 2, rtol=1e-9)

    codes, polygons = demo_lsoas  # and on real weights, irregular neighbour counts
    y = poisson(8, len(codes), seed=3)
    g = esda.G_Local(y, contiguity_weights(codes, polygons), transform="B", star=True, permutations=999, seed=11,
                     n_jobs=1)
    hot = GetisOrdHotSpots(seed=11, inference="permutation-normal").fit(y, contiguity_weights(codes, polygons))
    assert_allclose(hot.p_normal_, normal_p_by_hand(g.Gs, g.sim)[1], rtol=1e-9)


def test_p_normal_is_one_where_the_permuted_statistic_does_not_vary():
    # Every other area holds 1, so whatever neighbours area 27 draws, its statistic is the same: no spread.
    y = np.ones(64)
    y[27] = 5
    for transform in ("B", "R"):
        hot = GetisOrdHotSpots(seed=1, transform=transform, inference="permutation-normal").fit(y, lattice(8))
        assert hot.z_sim_[27] == 0 and hot.p_normal_[27] == 1 and hot.label_[27] == "not significant"
    for transform in ("R", "B", "D", "V"):
        lisa = LocalMoranClusters(seed=1, transform=transform, inference="permutation-normal").fit(y, lattice(8))
        assert lisa.z_sim_[27] == 0 and lisa.p_normal_[27] == 1 and lisa.label_[27] == "not significant"
    # esda's own z_sim divides rounding noise by rounding noise there: its spread is ~1e-16, not 0.
    m = esda.Moran_Local(y, lattice(8), transformation="v", permutations=999, seed=1)
    assert 0 < m.seI_sim[27] < 1e-12 and abs(m.z_sim[27]) > 1


# --- hand-computed values -------------------------------------------------------------------------------------

def test_gi_star_z_is_ord_and_getis_formula_by_hand():
    # z_i = (sum_j w_ij y_j - ybar W_i) / (s sqrt((n W_i - W_i^2) / (n - 1))), binary w with w_ii = 1,
    # W_i = number of neighbours + 1, s^2 = mean(y^2) - ybar^2 (Ord & Getis 1995, eq. 14, binary weights).
    y = poisson(5)
    w = lattice()
    n, ybar = len(y), y.mean()
    s = math.sqrt((y**2).mean() - ybar**2)
    expected = []
    for i in range(n):
        members = [i, *w.neighbors[i]]
        k = len(members)
        expected.append((y[members].sum() - ybar * k) / (s * math.sqrt((n * k - k * k) / (n - 1))))
    assert_allclose(GetisOrdHotSpots(seed=1).fit(y, w).z_, expected, rtol=1e-10)
    # Under "R" esda's binary-weights variance shrinks the z-scores (why "B" is the default).
    assert np.median(GetisOrdHotSpots(transform="R", seed=1).fit(y, w).z_ / expected) < 0.5


def test_benjamini_hochberg_known_answer():
    # Sorted 0.005, 0.01, 0.03, 0.04, 0.20 (m = 5): p * m / rank = 0.025, 0.025, 0.05, 0.05, 0.20, already
    # monotone. The island (NaN) is not a test and does not count in m.
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.20, np.nan])
    assert_allclose(hotspots._bh_adjust(p), [0.025, 0.05, 0.05, 0.025, 0.20, np.nan])
    # Step-up: 0.04 at rank 2 of 3 gives 0.06 but 0.045 at rank 3 gives 0.045, so both get 0.045.
    assert_allclose(hotspots._bh_adjust(np.array([0.001, 0.04, 0.045])), [0.003, 0.045, 0.045])


def bh_by_hand(p: np.ndarray) -> np.ndarray:
    m = len(p)
    adjusted = np.empty(m)
    running = 1.0
    for rank, i in reversed(list(enumerate(np.argsort(p, kind="stable"), start=1))):
        running = min(running, p[i] * m / rank)
        adjusted[i] = running
    return adjusted


def test_estimators_adjust_the_chosen_p_values_by_benjamini_hochberg():
    y = poisson(5)
    y[:60] += 6  # some structure, so that adjusted p-values vary
    for estimator in (GetisOrdHotSpots, LocalMoranClusters):
        pseudo = estimator(seed=2).fit(y, lattice())  # the default
        assert pseudo.inference == pseudo.inference_ == "pseudo"
        assert_allclose(pseudo.p_adjusted_, bh_by_hand(pseudo.p_two_sided_), rtol=1e-12)
        assert pseudo.fdr_ == {"applied": True, "method": "Benjamini-Hochberg", "n_tests": 400,
                               "inference": "pseudo", "smallest_p": 0.002}
        normal = estimator(seed=2, inference="permutation-normal").fit(y, lattice())
        assert normal.inference_ == "permutation-normal"
        assert_allclose(normal.p_adjusted_, bh_by_hand(normal.p_normal_), rtol=1e-12)
        assert normal.fdr_ == {"applied": True, "method": "Benjamini-Hochberg", "n_tests": 400,
                               "inference": "permutation-normal", "smallest_p": None}
        # Both p-values are always there, whichever the labels use; the same permutations give both.
        assert_array_equal(normal.p_two_sided_, pseudo.p_two_sided_)
        assert_array_equal(normal.p_normal_, pseudo.p_normal_)
    for inference in INFERENCES:
        unadjusted = GetisOrdHotSpots(seed=2, fdr=False, inference=inference).fit(y, lattice())
        chosen = unadjusted.p_normal_ if inference == "permutation-normal" else unadjusted.p_two_sided_
        assert_array_equal(unadjusted.p_adjusted_, chosen)
        assert unadjusted.fdr_["applied"] is False and unadjusted.fdr_["method"] is None


def test_two_sided_p_is_twice_esdas_when_nothing_ties():
    y = np.random.default_rng(5).gamma(2.0, 3.0, 400)  # continuous: no ties
    for model in (GetisOrdHotSpots(seed=3).fit(y, lattice()), LocalMoranClusters(seed=3).fit(y, lattice())):
        assert model.p_.max() <= 0.5  # esda's p_sim is directed: one tail
        assert_allclose(model.p_two_sided_, np.minimum(1, 2 * model.p_), rtol=1e-12)


def test_ties_count_for_the_null_unlike_esdas_p_sim():
    # 8 x 8 grid: ones, with tens in the 4 x 4 corner. The far corner (63) and its 3 neighbours are all ones,
    # the smallest total possible, so most permutations tie with it. Exactly, P(3 draws from the 63 other
    # areas, 16 tens and 47 ones, are all ones) = C(47,3) / C(63,3) = 0.4083, so two-sided p = 0.817.
    counts = np.ones((8, 8))
    counts[:4, :4] = 10
    hot = GetisOrdHotSpots(permutations=9999, seed=4).fit(counts.ravel(), lattice(8))
    exact = math.comb(47, 3) / math.comb(63, 3)
    assert hot.p_two_sided_[63] == pytest.approx(2 * exact, abs=0.04)
    assert hot.p_[63] == 1 / 10_000  # esda: the smallest p-value it can give
    assert hot.label_[63] == "not significant"
    # An interior area of ones among ones (54): C(47,8) / C(63,8) = 0.0847.
    assert hot.p_two_sided_[54] == pytest.approx(2 * math.comb(47, 8) / math.comb(63, 8), abs=0.02)
    # Local Moran ties the same way, but esda computes the observed and the permuted I in different orders,
    # so tied values differ in their last bits: equal must mean equal to rounding.
    for transform in ("R", "B"):
        lisa = LocalMoranClusters(transform=transform, permutations=9999, seed=4).fit(counts.ravel(), lattice(8))
        assert lisa.p_two_sided_[63] == pytest.approx(2 * exact, abs=0.04)
        assert lisa.label_[63] == "not significant" and lisa.quadrant_[63] == "LL"


def test_a_p_value_equal_to_the_cut_off_passes_it():
    # With 39 permutations and none as extreme as the observed value, two-sided p = 2 * 1 / 40 = 0.05 exactly.
    counts = np.ones((8, 8))
    counts[:4, :4] = 10
    hot = GetisOrdHotSpots(permutations=39, fdr=False, seed=1, inference="pseudo").fit(counts.ravel(), lattice(8))
    assert hot.p_two_sided_[9] == 0.05 and hot.label_[9] == "hot 95%"
    lisa = LocalMoranClusters(permutations=39, fdr=False, seed=1, inference="pseudo").fit(counts.ravel(), lattice(8))
    assert lisa.p_two_sided_[9] == 0.05 and lisa.label_[9] == "high-high"


# --- planted clusters ----------------------------------------------------------------------------------------

def block_mask(start: int, stop: int, n: int = 20) -> np.ndarray:
    mask = np.zeros((n, n), dtype=bool)
    mask[start:stop, start:stop] = True
    return mask.ravel()


BLOCK, INNER, NEAR = block_mask(5, 11), block_mask(6, 10), block_mask(3, 13)


@pytest.mark.parametrize("inference", INFERENCES)
def test_a_planted_high_cluster_is_hot_at_99_percent_after_fdr(inference):
    rng = np.random.default_rng(2026)
    y = rng.poisson(5, 400).astype(float)
    y[BLOCK] = rng.poisson(30, BLOCK.sum())
    hot = GetisOrdHotSpots(permutations=9999, seed=3, inference=inference).fit(y, lattice())
    assert set(hot.label_[INNER]) == {"hot 99%"}
    assert hot.fdr_["applied"] and (hot.confidence_[INNER] == 0.99).all()
    assert not any(label.startswith("hot") for label in hot.label_[~NEAR])  # hot spots stay at the cluster
    assert not any(label.startswith("cold") for label in hot.label_[BLOCK])
    lisa = LocalMoranClusters(permutations=9999, seed=3, inference=inference).fit(y, lattice())
    assert set(lisa.label_[INNER]) == {"high-high"}


@pytest.mark.parametrize("inference", INFERENCES)
def test_a_planted_low_cluster_is_low_low_and_never_hot(inference):
    rng = np.random.default_rng(2027)
    y = rng.poisson(30, 400).astype(float)
    y[BLOCK] = rng.poisson(1, BLOCK.sum())
    lisa = LocalMoranClusters(permutations=9999, seed=3, inference=inference).fit(y, lattice())
    assert set(lisa.label_[INNER]) == {"low-low"}
    assert set(lisa.quadrant_[INNER]) == {"LL"}
    assert "high-high" not in set(lisa.label_[BLOCK])
    hot = GetisOrdHotSpots(permutations=9999, seed=3, inference=inference).fit(y, lattice())
    assert set(hot.label_[INNER]) == {"cold 99%"}
    assert not any(label.startswith("hot") for label in hot.label_[BLOCK])


@pytest.mark.parametrize("inference", INFERENCES)
def test_noise_gives_no_hot_spots_after_fdr_but_does_without(inference):
    y = poisson(20, seed=9)  # a constant level plus Poisson noise: no real clusters
    for model in (GetisOrdHotSpots, LocalMoranClusters):
        assert set(model(seed=5, inference=inference).fit(y, lattice()).label_) == {"not significant"}
        # The same data without the correction: a few areas in 400 pass by chance, so the test above can fail.
        uncorrected = Counter(model(seed=5, fdr=False, inference=inference).fit(y, lattice()).label_)
        assert uncorrected["not significant"] < 395


# --- the two inferences at a realistic size: what each can and cannot find with 999 permutations ---------------

def test_at_london_scale_only_permutation_normal_can_pass_fdr_with_999_permutations():
    # 4,900 areas (London has 4,835 LSOAs), Poisson(5) counts and one busy 5 x 6 block of 30 areas at Poisson(12).
    rng = np.random.default_rng(70)
    y = rng.poisson(5, (70, 70)).astype(float)
    y[30:35, 40:46] = rng.poisson(12, (5, 6))
    y = y.ravel()
    block = np.zeros((70, 70), dtype=bool)
    block[30:35, 40:46] = True
    inner, near = np.zeros_like(block), np.zeros_like(block)
    inner[31:34, 41:45] = True
    near[29:36, 39:47] = True  # the block and the areas touching it
    block, inner, near = block.ravel(), inner.ravel(), near.ravel()
    w = lat2W(70, 70, rook=False)

    normal = GetisOrdHotSpots(seed=1, inference="permutation-normal").fit(y, w)
    assert normal.fdr_["applied"] and normal.permutations == 999
    assert set(normal.label_[inner]) == {"hot 99%"}
    assert sum(label.startswith("hot") for label in normal.label_[block]) >= 20
    assert not any(label.startswith("hot") for label in normal.label_[~near])  # and nowhere else

    pseudo = GetisOrdHotSpots(seed=1, inference="pseudo").fit(y, w)
    # The same areas are as extreme as 999 permutations can show (p at its floor, 2 / 1000) ...
    assert (pseudo.p_two_sided_[inner] == 0.002).all()
    # ... but Benjamini-Hochberg can pass a p-value of 2 / 1000 among 4,900 tests only if at least
    # 0.002 * 4,900 / 0.10 = 98 areas reach it: here about 40 in and around the block and 10 elsewhere by chance.
    at_floor = int((pseudo.p_two_sided_ == 0.002).sum())
    assert 30 < at_floor < 98 and pseudo.p_adjusted_.min() > 0.10
    assert set(pseudo.label_) == {"not significant"}


def test_permutation_normal_finds_hot_spots_in_shuffled_overdispersed_counts():
    # Why "pseudo" stays the default. Overdispersed counts (negative binomial, mean 5, like crime counts) put on the
    # 70 x 70 lattice at random: there is no spatial pattern. The permuted statistics are skewed to the right and
    # the normal tail too thin, so "permutation-normal" labels hot spots even after the correction.
    y = np.random.default_rng(102).negative_binomial(1, 1 / 6, 4900).astype(float)
    w = lat2W(70, 70, rook=False)
    normal = GetisOrdHotSpots(seed=1, inference="permutation-normal").fit(y, w)
    assert sum(label.startswith("hot") for label in normal.label_) >= 10  # 22; 7 to 22 over five such maps
    assert (normal.p_normal_ <= 0.001).mean() > 0.004  # a 0.1% tail holding 0.6% of the areas
    pseudo = GetisOrdHotSpots(seed=1, inference="pseudo").fit(y, w)
    assert set(pseudo.label_) == {"not significant"}
    assert (pseudo.p_two_sided_ <= 0.01).mean() < 0.02  # calibrated: about 1% at 1%


def test_permutation_normal_rings_one_busy_area_with_hot_spots_but_not_the_area():
    # One area with 200 crimes among Poisson(5) areas. Each area keeps its own value in the permutations, so Gi*'s
    # permutation test is about the neighbours: the busy area itself is not unusual, its neighbours are, because
    # 200 lands among someone's 8 neighbours in 8 of 399 shuffles (pseudo p about 0.02). The normal tail makes that
    # p = 1e-11 and labels the ring "hot 99%".
    y = poisson(5, seed=3)
    y[210] = 200
    ring = [189, 190, 191, 209, 211, 229, 230, 231]
    normal = GetisOrdHotSpots(seed=1, inference="permutation-normal").fit(y, lattice())
    assert set(normal.label_[ring]) == {"hot 99%"} and normal.label_[210] == "not significant"
    assert normal.z_[210] > 6  # the analytical z-score includes the area's own 200 ...
    assert abs(normal.z_sim_[210]) < 1  # ... the permutation z-score cannot
    pseudo = GetisOrdHotSpots(seed=1, inference="pseudo").fit(y, lattice())
    assert (pseudo.p_two_sided_[ring] < 0.05).all() and set(pseudo.label_) == {"not significant"}


# --- islands, inputs, side effects ----------------------------------------------------------------------------

def lattice_with_island(n: int = 5) -> W:
    neighbours = {i: list(js) for i, js in lat2W(n, n, rook=False).neighbors.items()}
    neighbours["island"] = []
    return W(neighbours, id_order=[*range(n * n), "island"], silence_warnings=True)


def test_islands_are_labelled_no_neighbours_and_are_not_tests():
    y = np.append(poisson(5, 25), 40.0)
    hot = GetisOrdHotSpots(fdr=False, seed=1).fit(y, lattice_with_island())
    assert hot.islands_ == ["island"] and hot.label_[-1] == "no neighbours" and hot.confidence_[-1] == 0
    assert np.isnan([hot.z_[-1], hot.p_[-1], hot.p_two_sided_[-1], hot.p_adjusted_[-1], hot.z_sim_[-1],
                     hot.p_normal_[-1]]).all()
    assert hot.fdr_["n_tests"] == 25 and not np.isnan(hot.p_[:-1]).any()
    lisa = LocalMoranClusters(seed=1).fit(y, lattice_with_island())
    assert lisa.label_[-1] == "no neighbours" and lisa.quadrant_[-1] == "" and np.isnan(lisa.I_[-1])
    assert lisa.fdr_["n_tests"] == 25
    # Why: esda gives an island the smallest p-value it can.
    with np.errstate(divide="ignore"):
        g = esda.G_Local(y, lattice_with_island(), transform="B", star=True, seed=1, n_jobs=1)
    assert g.p_sim[-1] == pytest.approx(1 / 1000)
    # The same through contiguity_weights.
    w = contiguity_weights(["a", "b", "far"], [box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])
    assert GetisOrdHotSpots(seed=1).fit({"a": 1, "b": 2, "far": 3}, w).label_.tolist() == \
        ["not significant", "not significant", "no neighbours"]


def test_a_mapping_is_matched_to_w_by_area_id(demo_lsoas):
    codes, polygons = demo_lsoas
    w = contiguity_weights(codes, polygons)
    y = poisson(8, len(codes), seed=4)
    by_code = {code: value for code, value in sorted(zip(codes, y, strict=True))}  # a different order
    assert_array_equal(GetisOrdHotSpots(seed=1).fit(by_code, w).z_, GetisOrdHotSpots(seed=1).fit(y, w).z_)


@pytest.mark.parametrize("estimator", [GetisOrdHotSpots, LocalMoranClusters])
@pytest.mark.parametrize("y,message", [
    (np.ones(24), "y has 24 values but w has 25 areas"),
    (np.append(np.ones(24), np.nan), "finite: 1 areas are NaN or infinite, e.g. \\[24\\]"),
    (np.append(np.ones(24), np.inf), "finite"),
    (np.ones(25), "every area has the same value"),
    (np.ones((25, 1)), "one value per area"),
    (["a"] * 25, "y must be numbers"),
    ({i: 1.0 for i in range(1, 26)}, "1 in w but not in y \\[0\\], 1 in y but not in w \\[25\\]"),
])
def test_bad_values_are_refused_clearly(estimator, y, message):
    with pytest.raises(ValueError, match=message):
        estimator(seed=1).fit(y, lattice(5))


def test_gi_star_refuses_negative_and_all_zero_values():
    with pytest.raises(ValueError, match="zero or more.*1 areas are negative"):
        GetisOrdHotSpots(seed=1).fit(np.append(np.ones(24), -1.0), lattice(5))
    with pytest.raises(ValueError, match="every area is zero"):
        GetisOrdHotSpots(seed=1).fit(np.zeros(25), lattice(5))
    # Local Moran's I is defined for any real values, such as a change in counts.
    assert LocalMoranClusters(seed=1).fit(np.arange(25.0) - 12, lattice(5)).I_.shape == (25,)


@pytest.mark.parametrize("params,message", [
    ({"permutations": 0}, "permutations"), ({"permutations": 9.5}, "permutations"),
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"n_jobs": 0}, "n_jobs"), ({"transform": "X"}, "transform"),
    ({"inference": "normal"}, "inference must be one of permutation-normal, pseudo"),
])
def test_bad_parameters_are_refused_at_fit(params, message):
    model = GetisOrdHotSpots(**params)  # the constructor only stores them
    assert all(getattr(model, k) == v for k, v in params.items())
    with pytest.raises(ValueError, match=message):
        model.fit(poisson(5, 25), lattice(5))


def test_bad_alpha_and_weights_are_refused():
    with pytest.raises(ValueError, match="alpha"):
        LocalMoranClusters(alpha=1.5).fit(poisson(5, 25), lattice(5))
    with pytest.raises(TypeError, match="libpysal.weights.W"):
        GetisOrdHotSpots().fit(poisson(5, 25), {"a": ["b"]})


def test_callers_weights_and_numpys_global_random_state_are_left_alone():
    w = lattice(10)
    before = w.sparse.toarray().copy()
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    LocalMoranClusters(seed=1).fit(poisson(5, 100), w)  # esda alone would row-standardise w
    GetisOrdHotSpots(seed=1).fit(poisson(5, 100), w)
    assert np.random.random() == expected_next
    assert w.transform == "O" and (w.sparse.toarray() == before).all()
    # A W the caller has row-standardised gives the same results as a fresh one.
    w.transform = "R"
    for transform in ("B", "R"):
        assert_array_equal(GetisOrdHotSpots(transform=transform, seed=1).fit(poisson(5, 100), w).z_,
                           GetisOrdHotSpots(transform=transform, seed=1).fit(poisson(5, 100), lattice(10)).z_)
    assert_array_equal(LocalMoranClusters(transform="B", seed=1).fit(poisson(5, 100), w).I_,
                       LocalMoranClusters(transform="B", seed=1).fit(poisson(5, 100), lattice(10)).I_)


def test_seed_makes_runs_reproducible_and_is_recorded():
    y = poisson(5)
    first, second = (GetisOrdHotSpots(seed=42).fit(y, lattice()) for _ in range(2))
    assert_array_equal(first.p_two_sided_, second.p_two_sided_)
    unseeded = GetisOrdHotSpots().fit(y, lattice())
    assert isinstance(unseeded.seed_, int) and unseeded.seed is None
    assert_array_equal(GetisOrdHotSpots(seed=unseeded.seed_).fit(y, lattice()).p_, unseeded.p_)


@pytest.mark.parametrize("module", [hotspots, weights])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
