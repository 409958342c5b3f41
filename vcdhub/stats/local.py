"""What the local statistics in `vcdhub.stats.hotspots` share: permutation significance, the false discovery
rate step, and a base estimator that runs an esda local statistic.

esda runs every local statistic through one permutation engine and judges it with one significance function;
this module does the same for vcdhub's. `_LocalStatistic.fit` aligns the values with the weights, runs esda
(the observed statistic and its conditional permutations), then judges each area with `significance`,
corrects across areas with one Benjamini-Hochberg step and leaves the labels to the subclass. A subclass says
only which esda statistic it runs (`_esda`) and how it labels areas (`_describe`). Why each step is as it is
(ties, the two inferences, islands, the caller's weights) is in the notes of `vcdhub.stats.hotspots`.

>>> import numpy as np
>>> observed = np.array([3.0, 0.0])
>>> simulated = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 1.0, -1.0]])  # one row of permutations per area
>>> significance(observed, simulated, inference="pseudo", alternative="two-sided").tolist()
[0.8, 1.0]
"""

import numbers
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from libpysal.weights import W
from scipy.stats import false_discovery_control, norm

NO_NEIGHBOURS = "no neighbours"
NOT_SIGNIFICANT = "not significant"
PERMUTATION_NORMAL = "permutation-normal"
PSEUDO = "pseudo"
INFERENCES = (PERMUTATION_NORMAL, PSEUDO)
# "pseudo", not "permutation-normal": see the notes of vcdhub.stats.hotspots. gi_star_by_period uses it too.
DEFAULT_INFERENCE = PSEUDO
ALTERNATIVES = ("two-sided", "greater", "lesser")  # esda.significance's names
_EPS = 1e-12  # p-values are ratios of small integers; p * m / k can land a rounding error above a cut-off it equals
_FDR_METHOD = "Benjamini-Hochberg"
_BLOCK = 500  # areas at a time: keeps the (areas x permutations) temporaries small at 9,999 permutations


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


def _nan_at(islands: np.ndarray, values: Any) -> np.ndarray:
    """`values` as floats, NaN for the islands: they get no statistic and no p-value."""
    return np.where(islands, np.nan, np.asarray(values, dtype=float))


def _at_most(p: np.ndarray, cut: float) -> np.ndarray:
    """Where p <= cut, allowing for rounding (see _EPS); NaN (islands) never is."""
    return np.nan_to_num(p, nan=1.0) <= cut + _EPS


def _tail_counts(observed: np.ndarray, simulated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per area, the permutations >= and <= the observed statistic, a tie counting in both.

    esda computes the observed and the simulated statistic in different orders, so equal values can differ in
    the last bits (over half the ties for Local Moran on counts): equal here means equal to 1e-9 of the row's
    scale. esda.significance.calculate_significance counts only exact ties.
    """
    greater, less = (np.empty(len(observed), dtype=np.int64) for _ in range(2))
    for start in range(0, len(observed), _BLOCK):
        rows = slice(start, start + _BLOCK)
        obs, sims = observed[rows, None], simulated[rows]
        scale = np.maximum(np.abs(sims).max(axis=1, initial=0.0, keepdims=True), np.abs(obs))
        tie = np.abs(sims - obs) <= 1e-9 * scale
        greater[rows], less[rows] = ((sims > obs) | tie).sum(axis=1), ((sims < obs) | tie).sum(axis=1)
    return greater, less


def _standardised(observed: np.ndarray, simulated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z_sim = (observed - mean of the permuted statistics) / their standard deviation, and where it is undefined.

    ddof 0, as esda's ``z_sim``. Where the permuted values do not vary (every permutation gives the same
    statistic, as when all the other areas hold the same value) there is nothing to standardise by: z_sim = 0
    there, and the mask says so. "Do not vary" allows for rounding, as ties do in `_tail_counts`.
    """
    mean, sd, scale = (np.empty(len(observed)) for _ in range(3))
    for start in range(0, len(observed), _BLOCK):
        rows = slice(start, start + _BLOCK)
        sims = simulated[rows]
        mean[rows], sd[rows] = sims.mean(axis=1), sims.std(axis=1)
        scale[rows] = np.maximum(np.abs(sims).max(axis=1, initial=0.0), np.abs(observed[rows]))
    flat = sd <= 1e-9 * scale
    return np.divide(observed - mean, sd, out=np.zeros_like(observed), where=~flat), flat


def significance(observed: Sequence[float], simulated: Any, *, inference: str = DEFAULT_INFERENCE,
                 alternative: str = "two-sided") -> np.ndarray:
    """Permutation p-value of each area's observed statistic against its own permuted statistics.

    Counts tie all the time, and esda's ``p_sim`` counts a tie with the observed value only in the upper tail,
    so an area whose neighbourhood holds the smallest possible total gets esda's smallest p-value where the
    honest one can be 0.8. Here a tie counts for the null in both tails: the usual conservative permutation
    p-value (k + 1) / (R + 1), where k counts the R permutations at least as extreme.

    Parameters
    ----------
    observed : sequence of float, length n
        The statistic of each area.
    simulated : array-like of float, shape (n, R)
        Each area's statistic under R conditional permutations (esda's ``sim`` transposed).
    inference : {"pseudo", "permutation-normal"}, default "pseudo"
        "pseudo" counts permutations: p = (#{sim >= obs} + 1) / (R + 1) for "greater", (#{sim <= obs} + 1) /
        (R + 1) for "lesser", and twice the smaller of the two, at most 1, for "two-sided" (floor 2 / (R + 1)).
        "permutation-normal" takes the normal tail of z_sim = (obs - mean(sim)) / sd(sim) (ddof 0): no floor, but
        anti-conservative when the permuted statistics are skewed. It is 1 where the permutations do not vary.
    alternative : {"two-sided", "greater", "lesser"}, default "two-sided"
        The tail: both, or the observed statistic larger (smaller) than by chance.

    Returns
    -------
    ndarray of float, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> sims = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]])  # 9 permutations of one area
    >>> significance([9.0], sims, alternative="greater").tolist()  # 9 ties: (1 + 1) / 10
    [0.2]
    >>> significance([9.0], sims).tolist(), significance([9.0], sims, alternative="lesser").tolist()
    ([0.4], [1.0])
    >>> significance([9.0], sims, inference="permutation-normal").round(4).tolist()  # z_sim = 1.549
    [0.1213]
    """
    if inference not in INFERENCES:
        raise ValueError(f"inference must be one of {', '.join(INFERENCES)}, not {inference!r}")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}, not {alternative!r}")
    observed, simulated = np.asarray(observed, dtype=float), np.asarray(simulated, dtype=float)
    if observed.ndim != 1 or simulated.ndim != 2 or simulated.shape[0] != len(observed) or not simulated.shape[1]:
        raise ValueError(f"simulated must hold one row of permutations per observed value: got {simulated.shape} "
                         f"for {observed.shape}")
    if inference == PSEUDO:
        greater, less = _tail_counts(observed, simulated)
        extreme = {"two-sided": np.minimum(greater, less), "greater": greater, "lesser": less}[alternative]
        p = (extreme + 1) / (simulated.shape[1] + 1)
        return np.minimum(1.0, 2 * p) if alternative == "two-sided" else p
    z, flat = _standardised(observed, simulated)
    if alternative == "two-sided":
        tail = 2 * norm.sf(np.abs(z))
    else:
        tail = norm.sf(z) if alternative == "greater" else norm.cdf(z)
    return np.where(flat, 1.0, tail)


def _bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaN entries (islands) are not tests and stay NaN."""
    adjusted = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = false_discovery_control(p[tested], method="bh")
    return adjusted


def _correct(p: np.ndarray, fdr: bool, permutations: int, inference: str) -> tuple[np.ndarray, dict]:
    """The one false discovery rate step: adjusted p-values (unadjusted copies when not `fdr`) and the fdr_ record."""
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


class _LocalStatistic:
    """Base of the local statistics: esda's statistic and permutations, two-sided p-values, FDR, labels.

    Subclasses set `_transforms` (the weights transforms esda accepts for them) and implement `_esda` (run an
    esda local statistic that keeps its simulations, ``sim`` and ``p_sim``, and return it with the observed
    statistic its permutations test) and `_describe` (set the statistic's own attributes and say where each
    label goes); they may extend `_check_params` and `_check_values`. Parameters and the attributes set here
    are documented on the subclasses.

    Examples
    --------
    >>> import esda
    >>> import numpy as np
    >>> from libpysal.weights import lat2W
    >>> class Alike(_LocalStatistic):  # Local Moran's I, one label for "like its neighbours"
    ...     _transforms = ("R",)
    ...     def _esda(self, values, w):
    ...         lisa = esda.Moran_Local(values, w, permutations=self.permutations, keep_simulations=True,
    ...                                 n_jobs=self.n_jobs, seed=self.seed_)
    ...         return lisa, lisa.Is
    ...     def _describe(self, lisa, islands):
    ...         return [(_at_most(self.p_adjusted_, 0.05) & (lisa.Is > 0), "like its neighbours")]
    >>> values = np.ones((8, 8))
    >>> values[:4, :4] = 10
    >>> model = Alike(permutations=999, fdr=True, transform="R", seed=1, n_jobs=1, inference="pseudo")
    >>> model.fit(values.ravel(), lat2W(8, 8, rook=False)).label_[[9, 63]].tolist()
    ['like its neighbours', 'not significant']
    """

    _transforms: tuple[str, ...] = ()

    def __init__(self, *, permutations: int, fdr: bool, transform: str, seed: int | None, n_jobs: int,
                 inference: str):
        self.permutations = permutations
        self.fdr = fdr
        self.inference = inference
        self.transform = transform
        self.seed = seed
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        _check_params(self.permutations, self.seed, self.n_jobs, self.transform, self._transforms, self.inference)

    def _check_values(self, values: np.ndarray) -> None:
        """Refuse values the statistic is undefined for (after `_aligned` has checked they are finite)."""

    def _esda(self, values: np.ndarray, w: W) -> tuple[Any, np.ndarray]:
        raise NotImplementedError

    def _describe(self, result: Any, islands: np.ndarray) -> list[tuple[np.ndarray, str]]:
        raise NotImplementedError

    def fit(self, y, w: W) -> "_LocalStatistic":
        self._check_params()
        ids, values, islands = _aligned(y, w)
        self._check_values(values)
        self.seed_ = _seed(self.seed)
        with _esda_call():
            result, observed = self._esda(values, _original_weights(w))
        self.ids_ = ids
        self.islands_ = [i for i, island in zip(ids, islands, strict=True) if island]
        self._significance(np.asarray(result.p_sim, dtype=float), observed, result.sim.T, islands)
        labels = np.full(len(ids), NOT_SIGNIFICANT, dtype=object)
        for where, label in self._describe(result, islands):
            labels[where] = label
        labels[islands] = NO_NEIGHBOURS
        self.label_ = labels.astype(str)
        return self

    def _significance(self, esda_p: np.ndarray, observed: np.ndarray, simulated: np.ndarray,
                      islands: np.ndarray) -> None:
        """Set p_, p_two_sided_, z_sim_, p_normal_, inference_, p_adjusted_ and fdr_."""
        observed, simulated = np.asarray(observed, dtype=float), np.asarray(simulated, dtype=float)
        # esda's engine returns float32; put p back on its exact grid k / (R + 1) so cut-offs such as 0.05 compare.
        self.p_ = _nan_at(islands, np.rint(esda_p * (self.permutations + 1)) / (self.permutations + 1))
        self.p_two_sided_ = _nan_at(islands, significance(observed, simulated, inference=PSEUDO,
                                                          alternative="two-sided"))
        self.z_sim_ = _nan_at(islands, _standardised(observed, simulated)[0])
        self.p_normal_ = _nan_at(islands, significance(observed, simulated, inference=PERMUTATION_NORMAL,
                                                       alternative="two-sided"))
        self.inference_ = self.inference
        chosen = self.p_normal_ if self.inference == PERMUTATION_NORMAL else self.p_two_sided_
        self.p_adjusted_, self.fdr_ = _correct(chosen, self.fdr, self.permutations, self.inference)
