"""Local spatial statistics: Getis-Ord Gi* hot spots and Local Moran clusters, as thin wrappers over esda.

    w = contiguity_weights(codes, polygons)  # vcdhub.stats.weights
    hot = GetisOrdHotSpots(seed=20260101).fit(counts_by_code, w)
    hot.label_, hot.z_, hot.p_adjusted_, hot.fdr_

esda computes the statistics and runs the permutations. This module adds what esda leaves to its user:

- a two-sided p-value that counts ties. esda 2.9's `p_sim` is "directed", the p-value of whichever tail
  the observed value falls in (never above 0.5; esda's docs call it half the two-sided p-value and advise
  against it), and it counts permutations that tie with the observed value only in the upper tail. Counts
  tie all the time, so esda gives areas whose neighbourhood holds the smallest possible total (typically
  zeros among zeros) its smallest p-value. On 2017's weapons-possession offences in 3,745 London LSOAs,
  doubling p_sim puts 212 areas at p <= 0.01; counting ties, 44. `p_` keeps esda's value; the labels use
  `p_two_sided_`, see `vcdhub.stats.local.significance`;
- a Benjamini-Hochberg false discovery rate correction across the areas;
- labels ("hot 99%", "high-high", ...) that keep high and low apart;
- islands (areas with no neighbours) get no statistic, no p-value and the label "no neighbours", and
  are not counted as tests. esda gives each one a statistic that compares it with nothing and the
  smallest possible p-value, 1 / (permutations + 1). Their values stay in the data the permutations draw on;
- the caller's weights are never modified (esda sets the transform of the W it is given), and numpy's
  global random state is left as it was (without numba, esda reseeds it with `seed`).

Both estimators share this machinery through `vcdhub.stats.local._LocalStatistic`; each says only which esda
statistic it runs and how it labels areas.

Every area in w is a test and its value is taken as observed: leave out of w the areas the data do not
cover (a borough missing from a feed), or their zeros become cold spots.

Each estimator records `seed_`, the seed actually used, so that a published map can be reproduced exactly.
The same esda version and seed give the same permutations; installing numba changes esda's random number
generator, so record the environment too.

Resolution limit: with R permutations the smallest two-sided p-value is 2 / (R + 1), 0.002 for 999. After
the correction across m areas, an area can only reach confidence 1 - q when at least (2 / (R + 1)) * m / q
areas reach that smallest p-value: for London's 4,835 LSOAs and 999 permutations, about 970 for 99%, 190 for
95% and 100 for 90%. On 2017's violence counts in the 3,745 LSOAs the police.uk data cover, 999 permutations
find no hot or cold spot after the correction and 9,999 find 64. `fdr_["smallest_p"]` reports the floor.

Two inferences, chosen by ``inference=`` (both from the same permutations; `fdr_["inference"]` records which):

- "pseudo" (the default): the tie-aware two-sided pseudo p-value above, `p_two_sided_`. Exact under the
  permutation null, floored at 2 / (R + 1).
- "permutation-normal": z_sim = (observed - mean of the permuted statistics) / their standard deviation, and
  p = 2 * P(Z >= |z_sim|), `p_normal_`. No floor, so the correction can pass areas at 999 permutations, but
  the permuted statistics of crime counts are skewed to the right and the normal tail is far too thin. On the
  2017 counts of the four demo boroughs (660 LSOAs) shuffled at random across the areas, so that there is no
  spatial pattern at all, it labels hot spots after the correction on 40 of 40 shuffles for violence (10 areas
  a map on average), bicycle theft (13) and robbery (12), and 0.1% nominal tails hold 1.4% of the areas;
  "pseudo" labels none. One busy area among quiet ones makes its neighbours "hot 99%" and not itself (the
  area's own value is held fixed in the permutations). Use it only knowing that; docs/hot-spots.md has the
  figures. For more resolution with "pseudo", use more permutations (9,999 gives 2 / 10,000).
"""

import esda
import numpy as np
from libpysal.weights import W
from libpysal.weights.util import fill_diagonal

from vcdhub.stats.local import (
    DEFAULT_INFERENCE,
    INFERENCES,
    NO_NEIGHBOURS,
    NOT_SIGNIFICANT,
    PERMUTATION_NORMAL,
    PSEUDO,
    _at_most,
    _LocalStatistic,
    _nan_at,
)
from vcdhub.stats.local import _bh_adjust as _bh_adjust  # tests/stats check the BH step through this module

# The constants from vcdhub.stats.local stay public here, where vcdhub.places and tests/stats import them.
__all__ = ["CLUSTER_LABELS", "DEFAULT_INFERENCE", "INFERENCES", "NO_NEIGHBOURS", "NOT_SIGNIFICANT",
           "PERMUTATION_NORMAL", "PSEUDO", "QUADRANTS", "GetisOrdHotSpots", "LocalMoranClusters"]

# esda's quadrant codes (geoda_quads=False): 1 high-high, 2 low-high, 3 low-low, 4 high-low.
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
CLUSTER_LABELS = {"HH": "high-high", "LL": "low-low", "HL": "high-low", "LH": "low-high"}
_CONFIDENCE_LEVELS = {0.99: 0.01, 0.95: 0.05, 0.90: 0.10}  # confidence: largest adjusted p-value


class GetisOrdHotSpots(_LocalStatistic):
    """Getis-Ord Gi* hot and cold spots, with permutation p-values corrected for testing every area.

    Gi* (Getis & Ord 1992; Ord & Getis 1995) compares the total in each area and its neighbours, the area
    itself included, with what the study area's overall level would give; z > 0 is a hot spot, z < 0 a cold
    spot. Computed by ``esda.G_Local(star=True)``; the confidence comes from esda's permutation test, in which
    each area keeps its own value and its neighbours' values are drawn from the other areas.

    Parameters
    ----------
    permutations : int, default 999
        Conditional permutations for the pseudo p-values. The smallest two-sided p-value is
        2 / (permutations + 1); see the module notes on what that means after the correction.
    fdr : bool, default True
        Apply the Benjamini-Hochberg false discovery rate correction across areas (islands excluded).
    inference : {"pseudo", "permutation-normal"}, default "pseudo"
        Which p-value the correction and the labels use: `p_two_sided_` or `p_normal_`. "permutation-normal"
        is not floored but is anti-conservative on skewed counts; see the module notes.
    transform : {"B", "R"}, default "B"
        Weights transform passed to esda: binary or row-standardised.
    seed : int or None, default None
        Seed for esda's permutations. None draws a fresh one; either way `seed_` records the seed used.
    n_jobs : int, default 1
        Processes for esda's permutation engine (-1 for all cores). Results do not depend on it.

    Attributes
    ----------
    ids_ : list
        Area ids, in ``w.id_order``; every array below follows this order.
    z_ : ndarray
        Gi* z-scores (esda ``Zs``). NaN for islands.
    p_ : ndarray
        esda's permutation pseudo p-values (``p_sim``), for reference: directed (the tail the observed value
        falls in, at most 0.5) and ties counted in the upper tail only. NaN for islands. Not used for labels.
    p_two_sided_ : ndarray
        Two-sided permutation p-value, ties counted for the null: ``2 * (min(#sims >= G, #sims <= G) + 1) /
        (permutations + 1)``, at most 1. Equal to ``2 * p_`` when nothing ties. NaN for islands.
    z_sim_ : ndarray
        ``(G - mean(sims)) / sd(sims)``, the statistic standardised by its permutations (esda ``z_sim``); 0 where
        the permuted values do not vary. NaN for islands.
    p_normal_ : ndarray
        Two-sided normal p-value of `z_sim_`, ``2 * P(Z >= |z_sim_|)`` (twice esda's ``p_z_sim``); 1 where the
        permuted values do not vary. NaN for islands.
    inference_ : str
        The inference used, "pseudo" or "permutation-normal".
    p_adjusted_ : ndarray
        The p-value of the chosen inference (`p_two_sided_` or `p_normal_`) after the Benjamini-Hochberg
        adjustment when `fdr`, else that p-value unadjusted.
    confidence_ : ndarray
        0.99, 0.95 or 0.90 where ``p_adjusted_ <= 0.01``, ``0.05`` or ``0.10``; otherwise 0.
    label_ : ndarray of str
        "hot 99%", "hot 95%", "hot 90%", "cold 99%", "cold 95%", "cold 90%", "not significant" or
        "no neighbours"; hot or cold by the sign of `z_`.
    islands_ : list
        Ids of the areas with no neighbours.
    fdr_ : dict
        ``applied``, ``method`` ("Benjamini-Hochberg" or None), ``n_tests`` (areas tested, islands
        excluded), ``inference`` (as `inference_`) and ``smallest_p`` (the smallest p-value the inference can
        give: 2 / (permutations + 1) for "pseudo", None for "permutation-normal", which has no floor).
    seed_ : int
        The seed used.

    Examples
    --------
    An 8 x 8 grid of areas with one crime each, except a busy 4 x 4 corner with ten each:

    >>> import numpy as np
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(8, 8, rook=False)  # Queen neighbours on a lattice; ids 0..63, row by row
    >>> counts = np.ones((8, 8))
    >>> counts[:4, :4] = 10
    >>> hot = GetisOrdHotSpots(seed=1).fit(counts.ravel(), w)
    >>> hot.label_[[9, 63]].tolist()  # inside the busy corner, and the far corner
    ['hot 95%', 'not significant']
    >>> hot.fdr_
    {'applied': True, 'method': 'Benjamini-Hochberg', 'n_tests': 64, 'inference': 'pseudo', 'smallest_p': 0.002}

    Without the correction for testing 64 areas the same evidence would be called 99%:

    >>> GetisOrdHotSpots(fdr=False, seed=1).fit(counts.ravel(), w).label_[[9]].tolist()
    ['hot 99%']

    The normal tail of the permutation z-score is not floored at 2 / 1000:

    >>> normal = GetisOrdHotSpots(seed=1, inference="permutation-normal").fit(counts.ravel(), w)
    >>> round(float(normal.z_sim_[9]), 1), float(normal.p_normal_[9]) < 0.0001, str(normal.label_[9])
    (5.5, True, 'hot 99%')
    """

    _transforms = ("B", "R")

    def __init__(self, *, permutations: int = 999, fdr: bool = True, transform: str = "B", seed: int | None = None,
                 n_jobs: int = 1, inference: str = DEFAULT_INFERENCE):
        # "B" by default: Gi* is defined on binary weights with w_ii = 1 (Getis & Ord 1992; Ord & Getis 1995),
        # and esda's analytical variance, c * (n - c), is the binary-weights formula: under "R" its z-scores
        # come out too small (a third of Ord & Getis's general formula on a queen lattice). p-values are unchanged.
        super().__init__(permutations=permutations, fdr=fdr, transform=transform, seed=seed, n_jobs=n_jobs,
                         inference=inference)

    def fit(self, y, w: W) -> "GetisOrdHotSpots":
        """Compute Gi* for every area.

        Parameters
        ----------
        y : sequence of float, or mapping from area id to float
            Non-negative values (counts or rates), in ``w.id_order`` if a sequence.
        w : libpysal.weights.W
            Spatial weights, for example from `vcdhub.stats.weights.contiguity_weights`; each area joins its
            own neighbourhood with weight 1 (Gi*), replacing any self-weight. Not modified.
        """
        return super().fit(y, w)

    def _check_values(self, values: np.ndarray) -> None:
        if (values < 0).any():
            raise ValueError("Gi* needs values of zero or more (counts or rates); "
                             f"{int((values < 0).sum())} areas are negative")
        if values.sum() == 0:
            raise ValueError("Gi* is undefined when every area is zero: there is nothing to find hot spots in")
        if np.ptp(values) == 0:
            raise ValueError("Gi* is undefined when every area has the same value (no variation to test)")

    def _esda(self, values: np.ndarray, w: W) -> tuple[esda.G_Local, np.ndarray]:
        star_weights = fill_diagonal(w, 1.0)  # w_ii = 1 before esda applies the transform
        g = esda.G_Local(values, star_weights, transform=self.transform, permutations=self.permutations,
                         star=True, keep_simulations=True, n_jobs=self.n_jobs, seed=self.seed_)
        return g, g.Gs  # the permutations test G itself; z_ reports esda's analytical z-score

    def _describe(self, g: esda.G_Local, islands: np.ndarray) -> list[tuple[np.ndarray, str]]:
        self.z_ = _nan_at(islands, g.Zs)
        self.confidence_ = np.select([_at_most(self.p_adjusted_, cut) for cut in _CONFIDENCE_LEVELS.values()],
                                     list(_CONFIDENCE_LEVELS), 0.0)
        return [(where & (self.confidence_ == level), f"{side} {level:.0%}") for level in _CONFIDENCE_LEVELS
                for side, where in (("hot", self.z_ > 0), ("cold", self.z_ < 0))]


class LocalMoranClusters(_LocalStatistic):
    """Local Moran (LISA) clusters and outliers, with permutation p-values corrected for testing every area.

    Local Moran's I (Anselin 1995) compares each area's value with its neighbours' (the spatial lag), both
    measured from the study-area mean. Significant areas are labelled by quadrant: "high-high" and "low-low"
    clusters, "high-low" and "low-high" outliers. Computed by ``esda.Moran_Local``.

    Parameters
    ----------
    permutations : int, default 999
        Conditional permutations for the pseudo p-values.
    fdr : bool, default True
        Apply the Benjamini-Hochberg false discovery rate correction across areas (islands excluded).
    inference : {"pseudo", "permutation-normal"}, default "pseudo"
        Which p-value the correction and the labels use, as for `GetisOrdHotSpots`.
    transform : {"R", "B", "D", "V"}, default "R"
        Weights transform passed to esda; row-standardised makes the lag the neighbours' mean.
    seed : int or None, default None
        Seed for esda's permutations; `seed_` records the seed used.
    n_jobs : int, default 1
        Processes for esda's permutation engine (-1 for all cores). Results do not depend on it.
    alpha : float, default 0.05
        An area is labelled with its quadrant when ``p_adjusted_ <= alpha``.

    Attributes
    ----------
    ids_ : list
        Area ids, in ``w.id_order``; every array below follows this order.
    I_ : ndarray
        Local Moran's I (esda ``Is``). NaN for islands.
    p_ : ndarray
        esda's permutation pseudo p-values (``p_sim``), for reference, as for `GetisOrdHotSpots`. NaN for
        islands. Not used for labels.
    p_two_sided_ : ndarray
        Two-sided permutation p-value with ties counted, as for `GetisOrdHotSpots`. NaN for islands.
    z_sim_, p_normal_ : ndarray
        Local Moran's I standardised by its permutations and its two-sided normal p-value, as for
        `GetisOrdHotSpots`. NaN for islands.
    inference_ : str
        The inference used, "pseudo" or "permutation-normal".
    p_adjusted_ : ndarray
        The p-value of the chosen inference after the Benjamini-Hochberg adjustment when `fdr`, else unadjusted.
    quadrant_ : ndarray of str
        "HH", "LH", "LL" or "HL" (value, then neighbours' lag, above or below the mean; esda's ``q``
        1 to 4); "" for islands.
    label_ : ndarray of str
        "high-high", "low-low", "high-low" or "low-high" where significant, else "not significant";
        "no neighbours" for islands.
    islands_ : list
        Ids of the areas with no neighbours.
    fdr_ : dict
        As for `GetisOrdHotSpots`.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> import numpy as np
    >>> from libpysal.weights import lat2W
    >>> values = np.ones((8, 8))
    >>> values[:4, :4] = 10
    >>> lisa = LocalMoranClusters(seed=1).fit(values.ravel(), lat2W(8, 8, rook=False))
    >>> lisa.quadrant_[[9, 63]].tolist(), lisa.label_[[9, 63]].tolist()
    (['HH', 'LL'], ['high-high', 'not significant'])
    """

    _transforms = ("R", "B", "D", "V")

    def __init__(self, *, permutations: int = 999, fdr: bool = True, transform: str = "R", seed: int | None = None,
                 n_jobs: int = 1, alpha: float = 0.05, inference: str = DEFAULT_INFERENCE):
        super().__init__(permutations=permutations, fdr=fdr, transform=transform, seed=seed, n_jobs=n_jobs,
                         inference=inference)
        self.alpha = alpha

    def fit(self, y, w: W) -> "LocalMoranClusters":
        """Compute Local Moran's I for every area.

        Parameters
        ----------
        y : sequence of float, or mapping from area id to float
            Values, in ``w.id_order`` if a sequence. Any finite numbers; they must not all be equal.
        w : libpysal.weights.W
            Spatial weights, for example from `vcdhub.stats.weights.contiguity_weights`. Not modified.
        """
        return super().fit(y, w)

    def _check_params(self) -> None:
        super()._check_params()
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, not {self.alpha!r}")

    def _check_values(self, values: np.ndarray) -> None:
        if np.ptp(values) == 0:
            raise ValueError("Local Moran's I is undefined when every area has the same value (zero variance)")

    def _esda(self, values: np.ndarray, w: W) -> tuple[esda.Moran_Local, np.ndarray]:
        lisa = esda.Moran_Local(values, w, transformation=self.transform, permutations=self.permutations,
                                keep_simulations=True, n_jobs=self.n_jobs, seed=self.seed_)
        return lisa, lisa.Is

    def _describe(self, lisa: esda.Moran_Local, islands: np.ndarray) -> list[tuple[np.ndarray, str]]:
        self.I_ = _nan_at(islands, lisa.Is)
        self.quadrant_ = np.array([QUADRANTS[int(q)] for q in lisa.q])
        self.quadrant_[islands] = ""
        significant = _at_most(self.p_adjusted_, self.alpha)
        return [(significant & (self.quadrant_ == quadrant), label) for quadrant, label in CLUSTER_LABELS.items()]
