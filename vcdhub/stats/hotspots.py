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
  `p_two_sided_`, see `_permutation_p`;
- a Benjamini-Hochberg false discovery rate correction across the areas;
- labels ("hot 99%", "high-high", ...) that keep high and low apart;
- islands (areas with no neighbours) get no statistic, no p-value and the label "no neighbours", and
  are not counted as tests. esda gives each one a statistic that compares it with nothing and the
  smallest possible p-value, 1 / (permutations + 1). Their values stay in the data the permutations draw on;
- the caller's weights are never modified (esda sets the transform of the W it is given), and numpy's
  global random state is left as it was (without numba, esda reseeds it with `seed`).

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

import numbers
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import esda
import numpy as np
from libpysal.weights import W
from libpysal.weights.util import fill_diagonal
from scipy.stats import false_discovery_control, norm

NO_NEIGHBOURS = "no neighbours"
NOT_SIGNIFICANT = "not significant"
# esda's quadrant codes (geoda_quads=False): 1 high-high, 2 low-high, 3 low-low, 4 high-low.
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
CLUSTER_LABELS = {"HH": "high-high", "LL": "low-low", "HL": "high-low", "LH": "low-high"}
_CONFIDENCE_LEVELS = {0.99: 0.01, 0.95: 0.05, 0.90: 0.10}  # confidence: largest adjusted p-value
_EPS = 1e-12  # p-values are ratios of small integers; p * m / k can land a rounding error above a cut-off it equals
_FDR_METHOD = "Benjamini-Hochberg"
PERMUTATION_NORMAL = "permutation-normal"
PSEUDO = "pseudo"
INFERENCES = (PERMUTATION_NORMAL, PSEUDO)
# "pseudo", not "permutation-normal": see the module notes. gi_star_by_period (vcdhub.stats.emerging) uses it too.
DEFAULT_INFERENCE = PSEUDO


def _check_params(permutations: Any, seed: Any, n_jobs: Any, transform: Any, transforms: tuple[str, ...],
                  inference: Any) -> None:
    if isinstance(permutations, bool) or not isinstance(permutations, numbers.Integral) or permutations < 1:
        raise ValueError(f"permutations must be a positive whole number, not {permutations!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or not 0 <= seed < 2**32):
        raise ValueError(f"seed must be None or a whole number from 0 to 2**32 - 1, not {seed!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive whole number or -1 (all cores), not {n_jobs!r}")
    if transform not in transforms:
        raise ValueError(f"transform must be one of {', '.join(transforms)}, not {transform!r}")
    if inference not in INFERENCES:
        raise ValueError(f"inference must be one of {', '.join(INFERENCES)}, not {inference!r}")


def _aligned(y: Any, w: W) -> tuple[list, np.ndarray, np.ndarray]:
    """The values in `w.id_order`, and a mask of the islands. A mapping is matched to w by area id."""
    if not isinstance(w, W):
        raise TypeError(f"w must be a libpysal.weights.W (see vcdhub.stats.weights), not {type(w).__name__}")
    ids = list(w.id_order)
    if hasattr(y, "keys"):  # a dict or pandas Series keyed by area code
        known = set(ids)
        missing = [i for i in ids if i not in y]
        extra = [k for k in y.keys() if k not in known]
        if missing or extra:
            raise ValueError(f"y and w cover different areas: {len(missing)} in w but not in y "
                             f"{missing[:5]}, {len(extra)} in y but not in w {extra[:5]}")
        y = [y[i] for i in ids]
    try:
        values = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"y must be numbers: {exc}") from None
    if values.ndim != 1:
        raise ValueError(f"y must hold one value per area, got an array of shape {values.shape}")
    if len(values) != w.n:
        raise ValueError(f"y has {len(values)} values but w has {w.n} areas; give y as a sequence in "
                         "w.id_order or as a mapping from area id to value")
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"y must be finite: {int(bad.sum())} areas are NaN or infinite, e.g. "
                         f"{[ids[i] for i in np.flatnonzero(bad)[:5]]}")
    cardinalities = w.cardinalities
    islands = np.array([cardinalities[i] == 0 for i in ids], dtype=bool)
    return ids, values, islands


def _original_weights(w: W) -> W:
    # A shallow copy at the caller's original weights: esda sets the transform of (mutates) the W it is given,
    # and a W the caller already row-standardised would otherwise feed esda row-standardised "original" weights.
    return W(w.neighbors, w.transformations["O"], id_order=list(w.id_order), silence_warnings=True)


def _seed(seed: int | None) -> int:
    return int(np.random.SeedSequence().generate_state(1)[0]) if seed is None else int(seed)


@contextmanager
def _esda_call() -> Iterator[None]:
    state = np.random.get_state()  # without numba, esda calls np.random.seed(seed) on numpy's global generator
    try:
        # esda's z_sim divides by zero where every permutation ties (islands); we do not use z_sim.
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            # esda warns that its default will become a two-sided test; we compute the two-sided p-value ourselves.
            warnings.filterwarnings("ignore", message="The alternative hypothesis for conditional randomization",
                                    category=DeprecationWarning)
            yield
    finally:
        np.random.set_state(state)


def _permutation_p(esda_p: np.ndarray, observed: np.ndarray, simulated: np.ndarray, permutations: int,
                   islands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """esda's directed p_sim on its exact grid k / (R + 1), and the two-sided p-value with ties counted.

    esda's p_sim takes the tail the observed value falls in but counts ties with the observed value only in
    the upper tail. Counts tie often (an area whose neighbourhood holds the smallest possible total ties
    with most permutations), and then esda gives its smallest p-value where the honest one can be 0.8.
    Here a tie counts for the null in both tails, p = (min(#sim >= obs, #sim <= obs) + 1) / (R + 1), the
    usual conservative permutation p-value, doubled for two sides. esda.significance.calculate_significance
    does the same counting but only for exact ties, and esda computes the observed and the simulated
    statistic in different orders, so equal values can differ in the last bits (over half the ties for
    Local Moran on counts): equal here means equal to 1e-9 of the row's scale.
    """
    # esda's engine returns float32; put p back on its exact grid so thresholds such as 0.05 compare exactly.
    p = np.rint(np.asarray(esda_p, dtype=float) * (permutations + 1)) / (permutations + 1)
    observed, simulated = np.asarray(observed, dtype=float), np.asarray(simulated, dtype=float)
    extreme = np.empty(len(observed), dtype=np.int64)  # permutations at least as extreme, in the nearer tail
    for start in range(0, len(observed), 500):  # blocks of areas keep temporaries small at 9,999 permutations
        rows = slice(start, start + 500)
        obs, sims = observed[rows, None], simulated[rows]
        scale = np.maximum(np.abs(sims).max(axis=1, initial=0.0, keepdims=True), np.abs(obs))
        tie = np.abs(sims - obs) <= 1e-9 * scale
        extreme[rows] = np.minimum(((sims > obs) | tie).sum(axis=1), ((sims < obs) | tie).sum(axis=1))
    two_sided = np.minimum(1.0, 2 * (extreme + 1) / (permutations + 1))
    p[islands] = np.nan
    two_sided[islands] = np.nan
    return p, two_sided


def _permutation_normal_p(observed: np.ndarray, simulated: np.ndarray,
                          islands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The permutation-standardised statistic z_sim and its two-sided normal p-value, 2 * P(Z >= |z_sim|).

    z_sim = (observed - mean of the permuted statistics) / their standard deviation (ddof 0, as esda's
    ``z_sim``; esda 2.9's ``p_z_sim`` is the one-sided upper tail of |z_sim|, half of this p-value). Where the
    permuted values do not vary (every permutation gives the same statistic, as when all the other areas hold
    the same value) there is nothing to standardise by: z_sim = 0 and p = 1. "Do not vary" allows for rounding:
    a spread at most 1e-9 of the row's scale, for the reason given in `_permutation_p`.
    """
    observed, simulated = np.asarray(observed, dtype=float), np.asarray(simulated, dtype=float)
    mean, sd, scale = (np.empty(len(observed)) for _ in range(3))
    for start in range(0, len(observed), 500):  # blocks of areas, as in _permutation_p
        rows = slice(start, start + 500)
        sims = simulated[rows]
        mean[rows], sd[rows] = sims.mean(axis=1), sims.std(axis=1)
        scale[rows] = np.maximum(np.abs(sims).max(axis=1, initial=0.0), np.abs(observed[rows]))
    flat = sd <= 1e-9 * scale
    z = np.divide(observed - mean, sd, out=np.zeros_like(observed), where=~flat)
    p = np.where(flat, 1.0, 2 * norm.sf(np.abs(z)))
    z[islands], p[islands] = np.nan, np.nan
    return z, p


def _bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaN entries (islands) are not tests and stay NaN."""
    adjusted = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = false_discovery_control(p[tested], method="bh")
    return adjusted


def _correct(p: np.ndarray, fdr: bool, permutations: int, inference: str) -> tuple[np.ndarray, dict]:
    n_tests = int((~np.isnan(p)).sum())
    # BH adjusted p-values from scipy rather than esda.fdr, which returns one cut-off per alpha (so one vector
    # serves all three confidence levels) and finds it with a strict <, where BH has <=: not the same when a
    # p-value sits exactly on k * alpha / m, as permutation p-values on their k / (R + 1) grid can.
    adjusted = _bh_adjust(p) if fdr else p.copy()
    info = {"applied": bool(fdr), "method": _FDR_METHOD if fdr else None, "n_tests": n_tests,
            "inference": inference,
            # The pseudo p-value cannot go below 2 / (R + 1); the permutation-normal one has no such floor.
            "smallest_p": min(1.0, 2 / (permutations + 1)) if inference == PSEUDO else None}
    return adjusted, info


def _p_values(model: Any, esda_p: np.ndarray, observed: np.ndarray, simulated: np.ndarray,
              islands: np.ndarray) -> None:
    """Set p_, p_two_sided_, z_sim_, p_normal_, inference_, p_adjusted_ and fdr_ on a fitted estimator."""
    model.p_, model.p_two_sided_ = _permutation_p(esda_p, observed, simulated, model.permutations, islands)
    model.z_sim_, model.p_normal_ = _permutation_normal_p(observed, simulated, islands)
    model.inference_ = model.inference
    chosen = model.p_normal_ if model.inference == PERMUTATION_NORMAL else model.p_two_sided_
    model.p_adjusted_, model.fdr_ = _correct(chosen, model.fdr, model.permutations, model.inference)


class GetisOrdHotSpots:
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

    def __init__(self, *, permutations: int = 999, fdr: bool = True, transform: str = "B", seed: int | None = None,
                 n_jobs: int = 1, inference: str = DEFAULT_INFERENCE):
        self.permutations = permutations
        self.fdr = fdr
        self.inference = inference
        # "B" by default: Gi* is defined on binary weights with w_ii = 1 (Getis & Ord 1992; Ord & Getis 1995),
        # and esda's analytical variance, c * (n - c), is the binary-weights formula: under "R" its z-scores
        # come out too small (a third of Ord & Getis's general formula on a queen lattice). p-values are unchanged.
        self.transform = transform
        self.seed = seed
        self.n_jobs = n_jobs

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
        _check_params(self.permutations, self.seed, self.n_jobs, self.transform, ("B", "R"), self.inference)
        ids, values, islands = _aligned(y, w)
        if (values < 0).any():
            raise ValueError("Gi* needs values of zero or more (counts or rates); "
                             f"{int((values < 0).sum())} areas are negative")
        if values.sum() == 0:
            raise ValueError("Gi* is undefined when every area is zero: there is nothing to find hot spots in")
        if np.ptp(values) == 0:
            raise ValueError("Gi* is undefined when every area has the same value (no variation to test)")
        self.seed_ = _seed(self.seed)
        star_weights = fill_diagonal(_original_weights(w), 1.0)  # w_ii = 1 before esda applies the transform
        with _esda_call():
            g = esda.G_Local(values, star_weights, transform=self.transform, permutations=self.permutations,
                             star=True, keep_simulations=True, n_jobs=self.n_jobs, seed=self.seed_)
        self.ids_ = ids
        self.islands_ = [i for i, island in zip(ids, islands, strict=True) if island]
        self.z_ = np.where(islands, np.nan, np.asarray(g.Zs, dtype=float))
        _p_values(self, g.p_sim, g.Gs, g.sim.T, islands)
        p = np.nan_to_num(self.p_adjusted_, nan=1.0)
        self.confidence_ = np.select([p <= cut + _EPS for cut in _CONFIDENCE_LEVELS.values()],
                                     list(_CONFIDENCE_LEVELS), 0.0)
        labels = np.full(len(ids), NOT_SIGNIFICANT, dtype=object)
        for level in _CONFIDENCE_LEVELS:
            at_level = self.confidence_ == level
            labels[at_level & (self.z_ > 0)] = f"hot {level:.0%}"
            labels[at_level & (self.z_ < 0)] = f"cold {level:.0%}"
        labels[islands] = NO_NEIGHBOURS
        self.label_ = labels.astype(str)
        return self


class LocalMoranClusters:
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

    def __init__(self, *, permutations: int = 999, fdr: bool = True, transform: str = "R", seed: int | None = None,
                 n_jobs: int = 1, alpha: float = 0.05, inference: str = DEFAULT_INFERENCE):
        self.permutations = permutations
        self.fdr = fdr
        self.inference = inference
        self.transform = transform
        self.seed = seed
        self.n_jobs = n_jobs
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
        _check_params(self.permutations, self.seed, self.n_jobs, self.transform, ("R", "B", "D", "V"),
                      self.inference)
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, not {self.alpha!r}")
        ids, values, islands = _aligned(y, w)
        if np.ptp(values) == 0:
            raise ValueError("Local Moran's I is undefined when every area has the same value (zero variance)")
        self.seed_ = _seed(self.seed)
        with _esda_call():
            lisa = esda.Moran_Local(values, _original_weights(w), transformation=self.transform,
                                    permutations=self.permutations, keep_simulations=True, n_jobs=self.n_jobs,
                                    seed=self.seed_)
        self.ids_ = ids
        self.islands_ = [i for i, island in zip(ids, islands, strict=True) if island]
        self.I_ = np.where(islands, np.nan, np.asarray(lisa.Is, dtype=float))
        _p_values(self, lisa.p_sim, lisa.Is, lisa.sim.T, islands)
        self.quadrant_ = np.array([QUADRANTS[int(q)] for q in lisa.q])
        self.quadrant_[islands] = ""
        significant = np.nan_to_num(self.p_adjusted_, nan=1.0) <= self.alpha + _EPS
        labels = np.full(len(ids), NOT_SIGNIFICANT, dtype=object)
        for quadrant, label in CLUSTER_LABELS.items():
            labels[significant & (self.quadrant_ == quadrant)] = label
        labels[islands] = NO_NEIGHBOURS
        self.label_ = labels.astype(str)
        return self
