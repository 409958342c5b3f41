"""Emerging hot spot analysis: Gi* for each period, a Mann-Kendall trend per area, and ESRI's pattern classes.

    z, p = gi_star_by_period(counts, w, seed=20261125)   # counts: (n_areas, n_periods), oldest period first
    model = EmergingHotSpots(confidence=0.90, unit="month").fit(z, p)
    model.category_, model.reason_, model.trend_

The rules follow ArcGIS Pro's Emerging Hot Spot Analysis. Their exact wording, the order they are checked in and
every ambiguity decided here are in docs/emerging-hot-spots.md; keep the two in step.
"""

import numpy as np
import pymannkendall

HOT_CLASSES = (
    "new hot spot",
    "consecutive hot spot",
    "intensifying hot spot",
    "persistent hot spot",
    "diminishing hot spot",
    "sporadic hot spot",
    "oscillating hot spot",
    "historical hot spot",
)
COLD_CLASSES = tuple(name.replace("hot spot", "cold spot") for name in HOT_CLASSES)
NO_PATTERN = "no pattern detected"
#: Every class an area can get, hot first, then cold, then no pattern: 17 in all.
CATEGORIES = HOT_CLASSES + COLD_CLASSES + (NO_PATTERN,)

# Counting "at least 90% of n periods" in floating point: 0.56 * 25 is 14.000000000000002, and 14 of 25 must count.
_EPS = 1e-9


class EmergingHotSpots:
    """Classify each area's run of per-period Gi* results into ESRI's emerging hot and cold spot patterns.

    An area is a significant hot spot in a period when its p-value is at most ``1 - confidence`` and its Gi*
    z-score is positive, a significant cold spot when the p-value is as small and the z-score negative. Each
    area's z-scores, oldest period first, are tested for a monotonic trend with the Mann-Kendall test
    (``pymannkendall.original_test``: no correction for serial correlation). The classes, checked in this order:

    1. The final period decides the side. Hot in the final period: one of the hot classes below; cold: the
       mirror cold class; neither: historical hot, historical cold or no pattern.
    2. Significant on that side in at least ``share`` of all periods (final included): intensifying when the
       clustering grows significantly stronger (z rising for hot, z falling for cold), diminishing when it grows
       significantly weaker, persistent when there is no significant trend.
    3. Otherwise, significant on the opposite side in any earlier period: oscillating.
    4. Otherwise, significant in the final period only: new.
    5. Otherwise, significant in an unbroken run of two or more periods that ends at the final one, and never
       before that run: consecutive.
    6. Otherwise (significant on and off, never on the opposite side): sporadic.
    7. Final period not significant: historical hot if hot in at least ``share`` of periods, historical cold if
       cold in at least ``share`` of them, else no pattern detected.

    Parameters
    ----------
    confidence : float, default 0.90
        Confidence level for a period to count as significant: ``p <= 1 - confidence``. ESRI counts a bin as a
        hot or cold spot from the 90% confidence level up, hence the default. Pass FDR-adjusted p-values (as
        :func:`gi_star_by_period` returns by default) to control false discoveries within each period.
    trend_alpha : float, default 0.05
        Significance level of the two-sided Mann-Kendall test: a trend is "up" or "down" when its p-value is at
        most ``trend_alpha``. With fewer than 5 periods no series can reach p <= 0.05.
    share : float, default 0.90
        ESRI's "90 percent of the time-step intervals" rule: at least this share of periods significant makes an
        area intensifying, persistent, diminishing or historical; consecutive, sporadic and oscillating areas
        are significant in fewer. Must be in (0.5, 1] so that an area cannot be both historical hot and
        historical cold.
    unit : str, default "period"
        What one period is called in ``reason_`` ("month" gives "hot in 22 of 24 months ..."). Plural adds "s".

    Attributes
    ----------
    category_ : ndarray of str, shape (n_areas,)
        One of :data:`CATEGORIES` per area, for example ``"new hot spot"`` or ``"no pattern detected"``.
    reason_ : list of str
        A short plain-English sentence per area saying why it got its class.
    hot_periods_, cold_periods_ : ndarray of bool, shape (n_areas, n_periods)
        Significant hot (cold) spot in that period.
    n_hot_, n_cold_ : ndarray of int, shape (n_areas,)
        Number of significant hot (cold) periods.
    trend_ : ndarray of str, shape (n_areas,)
        ``"up"``, ``"down"`` or ``"no trend"``: the direction of a significant Mann-Kendall trend in the z-scores.
    trend_s_, trend_var_s_ : ndarray of float
        Mann-Kendall S and its variance under no trend, with the correction for tied values.
    trend_tau_ : ndarray of float
        Kendall's tau, S / (n (n - 1) / 2).
    trend_z_, trend_p_ : ndarray of float
        The continuity-corrected normal score (S - sign(S)) / sqrt(var S) and its two-sided p-value.
    trend_slope_ : ndarray of float
        Theil-Sen slope of the z-scores, in z units per period (descriptive; the class does not use it).
    counts_ : dict of str to int
        Number of areas in each class, for all 17 classes in :data:`CATEGORIES` order.

    Examples
    --------
    Three areas over ten months; 1.0 is not significant, 0.01 is.

    >>> import numpy as np
    >>> z = np.array([[0.5] * 9 + [3.0],                     # hot only in the final month
    ...               [2.0 + 0.2 * t for t in range(10)],     # hot throughout, growing stronger
    ...               [-2.5] * 9 + [0.3]])                    # cold for nine months, not the last
    >>> p = np.where(np.abs(z) > 1, 0.01, 1.0)
    >>> model = EmergingHotSpots(unit="month").fit(z, p)
    >>> list(model.category_)
    ['new hot spot', 'intensifying hot spot', 'historical cold spot']
    >>> model.reason_[1]
    'hot in 10 of 10 months including the last; Gi* z rising (Mann-Kendall p<0.001)'
    >>> list(model.trend_)                                   # one jump at the end is not a monotonic trend
    ['no trend', 'up', 'no trend']
    """

    def __init__(self, *, confidence: float = 0.90, trend_alpha: float = 0.05, share: float = 0.90,
                 unit: str = "period"):
        self.confidence = confidence
        self.trend_alpha = trend_alpha
        self.share = share
        self.unit = unit

    def _check_params(self) -> None:
        if not 0 < self.confidence < 1:
            raise ValueError("confidence must be in (0, 1)")
        if not 0 < self.trend_alpha < 1:
            raise ValueError("trend_alpha must be in (0, 1)")
        if not 0.5 < self.share <= 1:
            raise ValueError("share must be in (0.5, 1]")
        if not self.unit:
            raise ValueError("unit must be a non-empty word")

    def fit(self, z, p) -> "EmergingHotSpots":
        """Classify every area.

        Parameters
        ----------
        z : array-like of float, shape (n_areas, n_periods)
            Gi* z-scores, oldest period first. Must be finite.
        p : array-like of float, shape (n_areas, n_periods)
            The matching p-values in [0, 1], adjusted for multiple testing or not (the caller decides).

        Returns
        -------
        self : EmergingHotSpots
        """
        self._check_params()
        z = np.asarray(z, dtype=float)
        p = np.asarray(p, dtype=float)
        if z.ndim != 2 or z.shape != p.shape:
            raise ValueError("z and p must be 2-D arrays of the same shape (n_areas, n_periods)")
        n_areas, n_periods = z.shape
        if n_areas == 0:
            raise ValueError("no areas")
        if n_periods < 2:
            raise ValueError("need at least 2 periods for a trend")
        if not (np.isfinite(z).all() and np.isfinite(p).all()):
            raise ValueError("z and p must be finite (no NaN or inf)")
        if (p < 0).any() or (p > 1).any():
            raise ValueError("p-values must be in [0, 1]")

        # 1 - 0.90 is 0.09999999999999998: a tiny tolerance so that p = 0.10 counts at 90% confidence.
        significant = p <= (1 - self.confidence) + 1e-12
        self.hot_periods_ = significant & (z > 0)
        self.cold_periods_ = significant & (z < 0)
        self.n_hot_ = self.hot_periods_.sum(axis=1)
        self.n_cold_ = self.cold_periods_.sum(axis=1)

        tests = [pymannkendall.original_test(row, alpha=self.trend_alpha) for row in z]
        self.trend_s_ = np.array([t.s for t in tests], dtype=float)
        self.trend_var_s_ = np.array([t.var_s for t in tests], dtype=float)
        self.trend_tau_ = np.array([t.Tau for t in tests], dtype=float)
        self.trend_z_ = np.array([t.z for t in tests], dtype=float)
        self.trend_p_ = np.array([t.p for t in tests], dtype=float)
        self.trend_slope_ = np.array([t.slope for t in tests], dtype=float)
        trending = self.trend_p_ <= self.trend_alpha
        self.trend_ = np.array(["up" if up else "down" if down else "no trend" for up, down in
                                zip(trending & (self.trend_s_ > 0), trending & (self.trend_s_ < 0), strict=True)],
                               dtype=object)

        categories, reasons = [], []
        for i in range(n_areas):
            category, reason = self._classify(self.hot_periods_[i], self.cold_periods_[i], self.trend_[i],
                                              self.trend_p_[i])
            categories.append(category)
            reasons.append(reason)
        self.category_ = np.array(categories, dtype=object)
        self.reason_ = reasons
        self.counts_ = {name: categories.count(name) for name in CATEGORIES}
        return self

    def _classify(self, hot: np.ndarray, cold: np.ndarray, trend: str, trend_p: float) -> tuple[str, str]:
        """One area's class and reason, from its hot and cold periods and its trend (rules in the class docstring)."""
        n = len(hot)
        unit, units = self.unit, self.unit + "s"
        needed = self.share * n - _EPS
        mk = f"Mann-Kendall p{_format_p(trend_p)}"

        if hot[-1] or cold[-1]:
            side, other = ("hot", "cold") if hot[-1] else ("cold", "hot")
            this, opposite = (hot, cold) if hot[-1] else (cold, hot)
            k, m = int(this.sum()), int(opposite.sum())
            stronger, weaker = ("up", "down") if side == "hot" else ("down", "up")
            if k >= needed:
                head = f"{side} in {k} of {n} {units} including the last"
                if trend == stronger:
                    word = "rising" if side == "hot" else "falling"
                    note = "" if side == "hot" else ", so the cold cluster is strengthening"
                    return f"intensifying {side} spot", f"{head}; Gi* z {word}{note} ({mk})"
                if trend == weaker:
                    word = "falling" if side == "hot" else "rising"
                    note = "" if side == "hot" else ", so the cold cluster is weakening"
                    return f"diminishing {side} spot", f"{head}; Gi* z {word}{note} ({mk})"
                return f"persistent {side} spot", f"{head}; no significant trend in Gi* z ({mk})"
            if m:
                return (f"oscillating {side} spot",
                        f"{side} in the last {unit} ({k} of {n} {units} in all) but a {other} spot in {m} earlier "
                        f"{unit if m == 1 else units}")
            if k == 1:
                return f"new {side} spot", (f"{side} in the last {unit} only; not significant in the {n - 1} "
                                               f"{unit if n == 2 else units} before")
            run = _trailing_run(this)
            if run == k:
                return (f"consecutive {side} spot",
                        f"{side} in each of the last {k} {units} ({k} of {n}) and never significant before them")
            return (f"sporadic {side} spot",
                    f"{side} in the last {unit} and on and off before ({k} of {n} {units} in all, fewer than "
                    f"{self.share:.0%}); never a {other} spot")

        k_hot, k_cold = int(hot.sum()), int(cold.sum())
        if k_hot >= needed:
            return "historical hot spot", f"hot in {k_hot} of {n} {units} but not in the last"
        if k_cold >= needed:
            return "historical cold spot", f"cold in {k_cold} of {n} {units} but not in the last"
        if not (k_hot or k_cold):
            return NO_PATTERN, f"never a significant hot or cold spot in {n} {units}"
        return NO_PATTERN, (f"neither hot nor cold in the last {unit}; hot in {k_hot} and cold in {k_cold} of {n} "
                            f"{units}, fewer than {self.share:.0%} either way")


def _trailing_run(flags: np.ndarray) -> int:
    """Length of the unbroken run of True values that ends at the last position (0 if the last is False)."""
    false_at = np.flatnonzero(~flags)
    return len(flags) if false_at.size == 0 else len(flags) - 1 - int(false_at[-1])


def _format_p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"={p:.3f}"


def gi_star_by_period(counts, w, *, permutations: int = 999, seed: int | None = None, fdr: bool = True,
                      inference: str = "pseudo"):
    """Getis-Ord Gi* z-scores and p-values for each period, ready for :meth:`EmergingHotSpots.fit`.

    Each period (column) is analysed on its own by :class:`vcdhub.stats.hotspots.GetisOrdHotSpots` with its
    defaults: binary weights with each area counted in its own neighbourhood (``esda.G_Local(star=True)``), as in
    ArcGIS's Hot Spot Analysis. The z-score is the estimator's ``z_``, esda's analytical ``Zs``, which does not
    depend on the seed, so the Mann-Kendall trend is reproducible. The p-value is the estimator's ``p_adjusted_``:
    two-sided, from the permutations by the chosen ``inference``, and adjusted by Benjamini-Hochberg within the
    period when ``fdr`` (unadjusted otherwise).

    A period in which every area has the same count, in particular all zero, has no Gi* (its variance is
    zero): it gets z = 0 and p = 1 for every area, so it is never significant and adds a tie to the trend.
    Islands (areas with no neighbours) get z = 0 and p = 1 in every period for the same reason.

    Parameters
    ----------
    counts : array-like, shape (n_areas, n_periods)
        Non-negative counts (or rates), oldest period first; rows in the order of ``w.id_order``.
    w : libpysal.weights.W
        Contiguity or distance weights; each area joins its own neighbourhood with weight 1. Not modified.
    permutations : int, default 999
        Conditional permutations per period (at least 1). With "pseudo" inference the smallest p-value is
        2 / (permutations + 1); see docs/emerging-hot-spots.md for what that means after the correction.
    seed : int, optional
        Period ``t`` (0 = oldest) is permuted with seed ``seed + t``, so periods use different random draws and
        the result is reproducible. None draws a fresh seed each time.
    fdr : bool, default True
        Adjust p-values for multiple testing within each period.
    inference : {"pseudo", "permutation-normal"}, default "pseudo"
        Passed to ``GetisOrdHotSpots``: the tie-aware two-sided pseudo p-value, or the normal tail of the
        permutation z-score (no floor, but anti-conservative on skewed counts; see docs/hot-spots.md).

    Returns
    -------
    z, p : ndarray of float, shape (n_areas, n_periods)

    Examples
    --------
    >>> import numpy as np
    >>> from libpysal.weights import lat2W
    >>> counts = np.zeros((25, 3))
    >>> counts[[0, 1, 5, 6], 1:] = 40                         # a cluster in one corner from the second period
    >>> counts[:, 1:] += 1
    >>> z, p = gi_star_by_period(counts, lat2W(5, 5, rook=False), seed=1)   # queen neighbours
    >>> z.shape, float(z[0, 0]), float(p[0, 0])               # the first period is all zero: undefined
    ((25, 3), 0.0, 1.0)
    >>> bool(z[0, 2] > 3 and p[0, 2] <= 0.10)
    True
    """
    # Imported here: esda is heavy and only this helper needs it.
    from vcdhub.stats.hotspots import GetisOrdHotSpots
    from vcdhub.stats.local import _check_params

    _check_params(permutations, seed, 1, "B", ("B",), inference)  # refused even if every period is constant
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError("counts must be 2-D (n_areas, n_periods)")
    if counts.shape[0] != w.n:
        raise ValueError(f"counts has {counts.shape[0]} rows but the weights have {w.n} areas")
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise ValueError("counts must be finite and non-negative")
    n_areas, n_periods = counts.shape
    if seed is not None and seed + n_periods - 1 >= 2**32:
        raise ValueError(f"seed + period must stay below 2**32: seed {seed} with {n_periods} periods is too large")

    z = np.zeros((n_areas, n_periods))
    p = np.ones((n_areas, n_periods))
    for t in range(n_periods):
        y = counts[:, t]
        if np.ptp(y) == 0:
            continue  # constant (e.g. all zero): Gi* undefined, leave z = 0, p = 1
        model = GetisOrdHotSpots(permutations=permutations, fdr=fdr, seed=None if seed is None else seed + t,
                                 inference=inference).fit(y, w)
        defined = np.isfinite(model.z_)  # islands: NaN z and p
        z[defined, t], p[defined, t] = model.z_[defined], model.p_adjusted_[defined]
    return z, p
