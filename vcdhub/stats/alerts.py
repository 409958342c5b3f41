"""Trend alerts: is the latest month's count in an area more than its seasonal baseline leads us to expect?

For each area's monthly counts (robbery in each ward and borough, say) a Poisson regression on the months
*before* the latest one gives an expected count for the latest month; the observed count is then compared
with it. Two methods:

- ``method="poisson"`` (default): the upper-tail probability P(X >= observed) under the baseline, one test
  per area, with the Benjamini-Hochberg false discovery rate applied across areas.
- ``method="cusum"``: a Poisson CUSUM over the last few months, which accumulates smaller, sustained
  excesses that no single month would show.

    model = ExceedanceAlerts().fit({"E05000416": [12, 9, ...], ...}, months=["2021-01", ..., "2024-06"])
    model.alerts_   # one row per alerting area, most significant first
    model.reason_   # every area, in plain English, including the ones not assessed and why
    model.new_activity_  # areas too quiet to assess whose latest month is beyond chance even so

An area whose baseline is zero or tiny cannot be assessed against it (any crime is "significant" against almost
none expected), yet a jump from nothing is what an analyst most wants to see. Such an area is flagged as *new
activity* when its latest count is at least ``new_activity_min`` (5) and beyond chance against a floor: a Poisson
mean of ``min_expected`` (1 crime a month), or the area's expected count or its average month in the baseline if
higher. See ``ExceedanceAlerts``.

The baseline follows Farrington et al. (1996), "A statistical algorithm for the early detection of
outbreaks of infectious disease", JRSS A 159:547-563, and its revision by Noufaily et al. (2013), Stat Med
32:1206-1222: a log-linear trend with seasonality, a quasi-Poisson dispersion, and a trend that is dropped
unless it is significant and keeps the prediction within the baseline's range.
"""

import calendar
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TREND_ALPHA = 0.05  # Farrington: the trend stays in the baseline only if significant at the 5% level


def month_index(month: str) -> int:
    """Months since year 0 for a ``"YYYY-MM"`` string, so that month arithmetic is integer arithmetic.

    Examples
    --------
    >>> month_index("2024-01") - month_index("2023-12")
    1
    >>> month_index("2024-06") % 12  # calendar month, 0 = January
    5
    """
    match = MONTH.match(month) if isinstance(month, str) else None
    if match is None:
        raise ValueError(f"months are 'YYYY-MM' strings, not {month!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def month_label(index: int) -> str:
    """The ``"YYYY-MM"`` string for a :func:`month_index`.

    >>> month_label(month_index("2019-11"))
    '2019-11'
    """
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class PoissonFit:
    """A fitted Poisson log-linear model.

    ``cov_unscaled`` is (X'WX)^-1 at the solution; multiply it by the dispersion for quasi-Poisson standard
    errors. ``dispersion`` is Pearson's chi-squared over the residual degrees of freedom (nan when there are
    none), the usual moment estimate of phi.
    """

    coef: np.ndarray
    fitted: np.ndarray
    cov_unscaled: np.ndarray
    dispersion: float
    df_resid: int
    deviance: float
    converged: bool


def fit_poisson_glm(X, y, max_iter: int = 100, tol: float = 1e-10) -> PoissonFit:
    """Maximum-likelihood Poisson regression with a log link, by iteratively reweighted least squares.

    Each step regresses the working response z = eta + (y - mu) / mu on X with weights mu (Fisher scoring,
    which for the canonical log link is Newton's method), until the deviance stops changing.

    Parameters
    ----------
    X : array of shape (n, p)
        Design matrix, including the intercept column; must have full column rank.
    y : array of shape (n,)
        Non-negative counts.

    Examples
    --------
    With only an intercept the fitted mean is the sample mean:

    >>> fit = fit_poisson_glm(np.ones((4, 1)), [2, 4, 6, 8])
    >>> round(float(np.exp(fit.coef[0])), 6), fit.df_resid
    (5.0, 3)
    >>> round(fit.dispersion, 4)  # Pearson: (9 + 1 + 1 + 9) / 5 / 3
    1.3333
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError("X must be (n, p) and y (n,)")
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise ValueError("counts must be finite and non-negative")
    n, p = X.shape
    if np.linalg.matrix_rank(X) < p:
        raise ValueError("the design matrix does not have full column rank")
    mu = y + 0.1  # R's glm starting values for the Poisson family
    eta = np.log(mu)
    deviance = math.inf
    converged = False
    coef = np.zeros(p)
    for _ in range(max_iter):
        z = eta + (y - mu) / mu
        root_w = np.sqrt(mu)
        coef = np.linalg.lstsq(X * root_w[:, None], z * root_w, rcond=None)[0]
        # A calendar month with no crimes at all drives its coefficient towards -infinity; the clip keeps
        # the arithmetic finite (a mean of e^-30 is zero for every purpose here).
        eta = np.clip(X @ coef, -30.0, 30.0)
        mu = np.exp(eta)
        new_deviance = float(2 * np.sum(special.xlogy(y, y) - special.xlogy(y, mu) - (y - mu)))
        if abs(new_deviance - deviance) / (abs(new_deviance) + 0.1) < tol:
            deviance, converged = new_deviance, True
            break
        deviance = new_deviance
    cov = np.linalg.pinv(X.T @ (X * mu[:, None]))
    df = n - p
    dispersion = float(np.sum((y - mu) ** 2 / mu) / df) if df > 0 else math.nan
    return PoissonFit(coef, mu, cov, dispersion, df, deviance, converged)


def upper_tail(observed: int, mean: float, variance: float | None = None) -> float:
    """P(X >= observed) for a count with the given mean, Poisson or, if overdispersed, negative binomial.

    With ``variance`` None or not above ``mean`` the count is Poisson(mean). Otherwise it is the negative
    binomial with that mean and variance (size mean^2 / (variance - mean), probability mean / variance),
    the Poisson-gamma mixture that Noufaily et al. (2013) use for the improved Farrington threshold.

    Examples
    --------
    >>> round(upper_tail(3, 1.0), 6)  # 1 - e^-1 (1 + 1 + 1/2)
    0.080301
    >>> upper_tail(0, 4.0)
    1.0
    >>> upper_tail(3, 1.0, variance=2.0) > upper_tail(3, 1.0)  # overdispersion fattens the tail
    True
    """
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if variance is None or variance <= mean * (1 + 1e-9):
        return float(stats.poisson.sf(observed - 1, mean))
    size = mean * mean / (variance - mean)
    return float(stats.nbinom.sf(observed - 1, size, mean / variance))


def poisson_cusum(observed, expected, shift: float = 0.5, dispersion: float = 1.0) -> np.ndarray:
    """Upper Poisson CUSUM of counts against expected counts, in units of crimes.

    S_t = max(0, S_{t-1} + (y_t - k_t) / phi), S_0 = 0, with the reference value
    k_t = (mu1 - mu0) / ln(mu1 / mu0) for mu0 the expected count and mu1 = mu0 (1 + shift), the count the
    chart is tuned to detect. This is the log-likelihood-ratio CUSUM of mu1 against mu0 divided by
    ln(1 + shift); phi > 1 (quasi-Poisson) scales the log-likelihood down as overdispersion requires.

    Examples
    --------
    Expected 10 a month, tuned to a 50% rise: k = 5 / ln 1.5 = 12.33.

    >>> np.round(poisson_cusum([10, 15, 16, 9], [10, 10, 10, 10]), 2).tolist()
    [0.0, 2.67, 6.34, 3.01]
    """
    y = np.asarray(observed, dtype=float)
    mu0 = np.asarray(expected, dtype=float)
    if y.shape != mu0.shape:
        raise ValueError("observed and expected must have the same length")
    if shift <= 0 or dispersion <= 0:
        raise ValueError("shift and dispersion must be positive")
    k = mu0 * shift / math.log1p(shift)
    s, out = 0.0, np.empty_like(y)
    for t in range(y.size):
        s = max(0.0, s + (y[t] - k[t]) / dispersion)
        out[t] = s
    return out


@dataclass(frozen=True)
class _NoBaseline:
    """Why an area has no baseline: ``reason`` with the area's own numbers, ``group`` without them (only the
    parameters and months, the same for every area in the same case), and whether the baseline holds no crimes
    at all (``empty``: its expected count is zero)."""

    reason: str
    group: str
    empty: bool = False


@dataclass(frozen=True)
class _Baseline:
    expected: float
    variance: float  # predictive variance of the observed count
    dispersion: float  # the raw Pearson estimate (may be below 1)
    trend: float | None  # multiplicative change a year, None when the trend was dropped
    n: int  # months in the baseline


class ExceedanceAlerts:
    """Flag areas whose latest monthly count exceeds a seasonal, trend-aware baseline.

    The baseline for an area and month is a Poisson log-linear regression fitted to that area's earlier
    months only:

    - ``window=None`` (default): ``log mu = a + b * years + month-of-year effect`` over the last
      ``max_history_years`` years. Twelve month effects follow any seasonal shape, sharp December peaks
      included.
    - ``window=w``: Farrington's reduced window, the same calendar month +/- w months in each of the past
      ``max_history_years`` years, with ``log mu = a + b * years`` and no seasonal terms. It assumes
      seasonality that is smooth over 2w + 1 months, and uses no recent, possibly already rising, months.

    The trend term b is kept only if it is significant at the 5% level (quasi-Poisson Wald test) and the
    prediction it gives does not exceed the largest count in the baseline; otherwise the model is refitted
    without it (Farrington's guard against wild extrapolation).

    Overdispersion: phi is Pearson's chi-squared over the residual degrees of freedom and is used only when
    it exceeds 1. The observed count is tested against a negative binomial with the expected count as its
    mean and variance ``phi * mu + Var(mu_hat)``: the first term is the (over)dispersed Poisson variation,
    the second the uncertainty of the estimated baseline (delta method, ``baseline_uncertainty=True``),
    which matters when a month effect rests on only two or three past years. Without either term the test
    is the plain Poisson tail ``scipy.stats.poisson.sf(observed - 1, expected)``.

    Parameters
    ----------
    method : {"poisson", "cusum"}
        ``"poisson"`` tests the latest month. ``"cusum"`` runs a Poisson CUSUM over the last ``cusum_months``
        months (baseline fitted to the months before them) and alerts when it is at or above ``h`` in the
        latest month.
    alpha : float
        Alert when the p-value (the FDR-adjusted one when ``fdr``) is at most alpha.
    fdr : bool
        Adjust p-values across the assessed areas with Benjamini-Hochberg
        (``scipy.stats.false_discovery_control``). Without it, 5% of quiet areas alert by chance at 0.05.
    min_history_years : int
        Fewest past years needed: past observations of the same calendar month (``window=None``), or past
        years with data in the window. Areas with less are "not assessed".
    max_history_years : int
        Baseline length in years (Farrington's b = 5).
    window : int or None
        See above; 0 to 5 months, or None for month-of-year effects.
    trend : bool
        Allow a log-linear trend (subject to the guard above).
    min_expected : float
        Areas whose expected count (a month's, on average, for the CUSUM) is below this are "not assessed":
        a few crimes against almost none expected are significant but mean nothing. It is also the floor of
        the new-activity test.
    new_activity_min : int or None
        The fewest crimes in the latest month for "new activity" (None: never flag it). The rule: an area
        not assessed because its expected count is below ``min_expected``, or because its baseline months hold
        no crimes at all (so it has the history, but no expected count), is *new activity* when

        - its count in the latest month is at least ``new_activity_min``, and
        - P(X >= count) for X ~ Poisson(m) is at most ``alpha`` after the Benjamini-Hochberg adjustment
          (with ``fdr``) across these quiet areas only, where the floor m is the largest of ``min_expected``,
          the area's expected count and its average month in the baseline.

        The floor makes the test conservative. ``min_expected`` is a crime a month where the baseline is zero
        or nearly so; the average month keeps an ordinary count from looking new where a month-of-year
        effect estimated from two or three years comes out low (an area of 2 a month whose past Januaries
        happened to be quiet is tested against 2, not 1). The adjustment is a family of its own, so flagging
        new activity never changes the assessed areas' p-values. Areas not assessed for other reasons (too
        little history, a month without data) are never new activity: there is nothing to say what is usual
        for them. Both methods test the latest month.
    baseline_uncertainty : bool
        Add Var(mu_hat) to the variance of the test (``method="poisson"``).
    shift : float
        CUSUM: the rise to detect, as a proportion (0.5: counts 50% above expected).
    h : float
        CUSUM decision interval, in crimes: alert when S_t >= h. On the log-likelihood-ratio scale this is
        h * ln(1 + shift) (4.05 for the defaults), and the in-control average run length is at least
        exp(h * ln(1 + shift)) months (57 for the defaults); in the six months monitored from S = 0 a quiet
        area alerts much less often than that suggests.
    cusum_months : int
        CUSUM: how many months, ending with the latest, are monitored.

    Attributes
    ----------
    codes_ : list of str
        Area codes in input order.
    latest_ : str
        The month assessed.
    observed_, expected_, excess_, ratio_ : dict of code to float
        The latest month's count, its expected value, observed - expected and observed / expected; for the
        CUSUM, sums over the monitored months. nan for areas not assessed, except that the areas tested for
        new activity have the latest month's observed and expected counts (expected 0 for an empty baseline).
    p_, p_adjusted_ : dict of code to float
        P(X >= observed) and its Benjamini-Hochberg adjustment (equal to ``p_`` when ``fdr`` is False);
        for the areas tested for new activity, the same against the floor mean, adjusted among them; nan for
        the other areas not assessed and for the CUSUM.
    cusum_ : dict of code to list of float
        CUSUM statistic for each monitored month (empty for ``method="poisson"``).
    dispersion_ : dict of code to float
        Pearson estimate of phi for the latest month's baseline (used only when above 1).
    trend_ : dict of code to float or None
        Fitted change a year (1.05 = +5%) when the trend was kept, else None.
    assessed_, alert_, new_activity_ : dict of code to bool
        A new-activity area is not assessed (``assessed_`` False) and never an alert.
    reason_ : dict of code to str
        Why each area did or did not alert, or why it was not assessed, with the area's own numbers.
    not_assessed_ : dict of code to str or None
        For an area not assessed, the reason without the area's own numbers (only parameters and months), the
        same words for every area in the same case, to count areas by reason without disclosing any one
        area's counts; None for assessed areas.
    alerts_ : list of dict
        Alerting areas, most significant first (smallest adjusted p, then largest excess, then code; for the
        CUSUM largest statistic first), each with code, observed, expected, excess, ratio, p, p_adjusted,
        cusum.
    results_ : list of dict
        The same row for every area, alerting areas first, then new activity, then the other assessed areas,
        and areas not assessed last, with ``assessed``, ``alert``, ``new_activity`` and ``reason``.

    Examples
    --------
    Three years of a steady 10 a month, then 25:

    >>> months = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)] + ["2024-01"]
    >>> quiet = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10, 10] * 3
    >>> model = ExceedanceAlerts().fit({"W1": quiet + [25], "W2": quiet + [11], "W3": [0] * 36 + [1]}, months)
    >>> [row["code"] for row in model.alerts_]
    ['W1']
    >>> round(model.expected_["W1"], 2), model.observed_["W1"]
    (10.0, 25.0)
    >>> model.reason_["W3"]
    'not assessed: no crimes in the 36 baseline months, so there is no expected count to compare with'

    Nothing for three years, then 16: too quiet to assess, but new activity. Against the floor of 1 crime a
    month, P(X >= 16) = 1 - e^-1 (1 + 1 + 1/2! + ... + 1/15!):

    >>> model = ExceedanceAlerts().fit({"W4": [0] * 36 + [16], "W5": [0] * 36 + [2]}, months)
    >>> model.new_activity_, model.assessed_["W4"]
    ({'W4': True, 'W5': False}, False)
    >>> f"{model.p_['W4']:.3g}", model.not_assessed_["W4"]
    ('1.87e-14', 'no crimes in the baseline months, so there is no expected count to compare with')
    """

    def __init__(self, method: str = "poisson", alpha: float = 0.05, fdr: bool = True, min_history_years: int = 2,
                 max_history_years: int = 5, window: int | None = None, trend: bool = True,
                 min_expected: float = 1.0, baseline_uncertainty: bool = True, shift: float = 0.5, h: float = 10.0,
                 cusum_months: int = 6, new_activity_min: int | None = 5):
        self.method = method
        self.alpha = alpha
        self.fdr = fdr
        self.min_history_years = min_history_years
        self.max_history_years = max_history_years
        self.window = window
        self.trend = trend
        self.min_expected = min_expected
        self.baseline_uncertainty = baseline_uncertainty
        self.shift = shift
        self.h = h
        self.cusum_months = cusum_months
        self.new_activity_min = new_activity_min

    def _check_params(self) -> None:
        if self.method not in ("poisson", "cusum"):
            raise ValueError("method is 'poisson' or 'cusum'")
        if not 0 < self.alpha < 1:
            raise ValueError("alpha must be in (0, 1)")
        if not (isinstance(self.min_history_years, int) and self.min_history_years >= 1):
            raise ValueError("min_history_years must be a positive integer")
        if not (isinstance(self.max_history_years, int) and self.max_history_years >= self.min_history_years):
            raise ValueError("max_history_years must be an integer no smaller than min_history_years")
        if self.window is not None and not (isinstance(self.window, int) and 0 <= self.window <= 5):
            raise ValueError("window is None or an integer from 0 to 5 months")
        if not self.min_expected >= 0:
            raise ValueError("min_expected cannot be negative")
        if not (self.shift > 0 and self.h > 0):
            raise ValueError("shift and h must be positive")
        if not (isinstance(self.cusum_months, int) and self.cusum_months >= 1):
            raise ValueError("cusum_months must be a positive integer")
        if self.new_activity_min is not None and not (isinstance(self.new_activity_min, int)
                                                      and self.new_activity_min >= 1):
            raise ValueError("new_activity_min is None or a positive integer")

    def fit(self, series: Mapping[str, Sequence[int | None]], months: Sequence[str],
            latest: str | None = None) -> "ExceedanceAlerts":
        """Assess each area's ``latest`` month.

        Parameters
        ----------
        series : mapping of area code to a sequence of counts
            One count per entry of ``months``: non-negative integers, or None (or nan) for a month with no
            data, which is left out of the baseline rather than read as zero.
        months : sequence of "YYYY-MM"
            Strictly increasing; gaps are allowed.
        latest : "YYYY-MM", optional
            The month to assess (default: the last of ``months``). Later months are ignored.
        """
        self._check_params()
        if not series:
            raise ValueError("no areas")
        index = np.array([month_index(m) for m in months], dtype=int)
        if index.size == 0 or np.any(np.diff(index) <= 0):
            raise ValueError("months must be non-empty and strictly increasing")
        latest = months[-1] if latest is None else latest
        target = month_index(latest)
        if target not in set(index.tolist()):
            raise ValueError(f"latest month {latest} is not among the months")
        first = target - self.cusum_months + 1 if self.method == "cusum" else target
        targets = np.arange(first, target + 1)
        self.codes_ = list(series)
        self.latest_ = month_label(target)
        nan = math.nan
        self.observed_, self.expected_, self.excess_, self.ratio_ = {}, {}, {}, {}
        self.p_, self.p_adjusted_, self.dispersion_, self.trend_ = {}, {}, {}, {}
        self.cusum_, self.assessed_, self.alert_, self.reason_ = {}, {}, {}, {}
        self.not_assessed_, self.new_activity_ = {}, {}
        candidates = {}  # too quiet to assess: code -> (latest month's count, its expected count, baseline average)
        for code in self.codes_:
            counts = self._counts(code, series[code], len(index))
            for attr in (self.observed_, self.expected_, self.excess_, self.ratio_, self.p_, self.p_adjusted_,
                         self.dispersion_):
                attr[code] = nan
            self.trend_[code], self.cusum_[code], self.assessed_[code], self.alert_[code] = None, [], False, False
            self.not_assessed_[code], self.new_activity_[code] = None, False
            by_month = dict(zip(index.tolist(), counts, strict=True))
            observed = [by_month.get(int(t), nan) for t in targets]
            if any(math.isnan(v) for v in observed):
                self.reason_[code] = "not assessed: no count recorded for " + ", ".join(
                    month_label(int(t)) for t, v in zip(targets, observed, strict=True) if math.isnan(v))
                self.not_assessed_[code] = (f"no count recorded for {self.latest_}" if len(targets) == 1 else
                                            f"no count recorded for some of the months {month_label(int(first))} "
                                            f"to {self.latest_}")
                continue
            earliest = targets[0] - 12 * self.max_history_years - (self.window or 0)
            keep = ~np.isnan(counts) & (index < targets[0]) & (index >= earliest)
            history_index, history = index[keep], counts[keep]
            baselines = []
            for t in targets:
                baseline = self._baseline(history_index, history, int(t))
                if isinstance(baseline, _NoBaseline):
                    break
                baselines.append(baseline)
            if isinstance(baseline, _NoBaseline):
                self.reason_[code] = "not assessed: " + baseline.reason
                self.not_assessed_[code] = baseline.group
                if baseline.empty:  # every month of the same history is empty, the latest month's baseline too
                    candidates[code] = (int(observed[-1]), 0.0, 0.0)
                continue
            last = baselines[-1]
            self.dispersion_[code], self.trend_[code] = last.dispersion, last.trend
            expected = np.array([b.expected for b in baselines])
            if expected.mean() < self.min_expected * (1 - 1e-9):  # exp(log 1) may be 0.9999999999999998
                self.reason_[code] = (f"not assessed: expected count {expected.mean():.2f} is below the minimum of "
                                      f"{self.min_expected:g}")
                self.not_assessed_[code] = f"expected count below the minimum of {self.min_expected:g}"
                candidates[code] = (int(observed[-1]), last.expected, float(history.mean()))
                continue
            self.assessed_[code] = True
            self.observed_[code], self.expected_[code] = float(sum(observed)), float(expected.sum())
            self.excess_[code] = self.observed_[code] - self.expected_[code]
            self.ratio_[code] = self.observed_[code] / self.expected_[code]
            if self.method == "cusum":
                phi = max(1.0, last.dispersion) if math.isfinite(last.dispersion) else 1.0
                self.cusum_[code] = poisson_cusum(observed, expected, self.shift, phi).tolist()
            else:
                self.p_[code] = upper_tail(int(observed[0]), last.expected, last.variance)
        self._new_activity(candidates)
        self._decide(targets)
        return self

    @staticmethod
    def _counts(code: str, values: Sequence, n: int) -> np.ndarray:
        if len(values) != n:
            raise ValueError(f"{code}: {len(values)} counts for {n} months")
        out = np.array([math.nan if v is None else v for v in values], dtype=float)
        present = out[~np.isnan(out)]
        if np.any(present < 0) or np.any(present != np.round(present)) or np.any(np.isinf(present)):
            raise ValueError(f"{code}: counts must be non-negative integers (or None for a missing month)")
        return out

    def _too_little_history(self, one: str, many: str, target: int) -> str:
        """The history rule in words, without the area's own count of earlier years."""
        n = self.min_history_years
        if n == 1:
            return f"no earlier {one} before {month_label(target)}"
        return f"fewer than the {n} earlier {many} needed before {month_label(target)}"

    def _baseline(self, index: np.ndarray, y: np.ndarray, target: int) -> _Baseline | _NoBaseline:
        """The expected count for ``target`` from the history (index, y), or why there is none."""
        name = calendar.month_name[target % 12 + 1]
        if self.window is None:
            same = int(np.sum(index % 12 == target % 12))
            if same < self.min_history_years:
                return _NoBaseline(f"only {same} earlier {name} count{'s' * (same != 1)} before "
                                   f"{month_label(target)}; needs {self.min_history_years}",
                                   self._too_little_history(f"{name} count", f"{name} counts", target))
            months_present = sorted(set((index % 12).tolist()) - {target % 12})
            seasonal = np.column_stack([(index % 12 == m) for m in months_present]).astype(float) \
                if months_present else np.empty((index.size, 0))
        else:
            years_back = (target - index + self.window) // 12  # the past year each month's window belongs to
            offset = (target - index + self.window) % 12
            in_window = (offset <= 2 * self.window) & (years_back >= 1) & (years_back <= self.max_history_years)
            index, y = index[in_window], y[in_window]
            years = len(set(years_back[in_window].tolist()))
            if years < self.min_history_years:
                return _NoBaseline(f"only {years} earlier year{'s' * (years != 1)} with data within {self.window} "
                                   f"month(s) of {name} before {month_label(target)}; needs {self.min_history_years}",
                                   self._too_little_history(
                                       f"year with data within {self.window} month(s) of {name}",
                                       f"years with data within {self.window} month(s) of {name}", target))
            seasonal = np.empty((index.size, 0))
        if y.sum() == 0:
            return _NoBaseline(f"no crimes in the {index.size} baseline months, so there is no expected count to "
                               "compare with",
                               "no crimes in the baseline months, so there is no expected count to compare with",
                               empty=True)
        base = np.column_stack([np.ones(index.size), seasonal])
        years_from_target = (index - target) / 12.0
        fit = None
        if self.trend and np.ptp(years_from_target) > 0 and index.size > base.shape[1] + 1:
            with_trend = np.column_stack([base[:, :1], years_from_target, base[:, 1:]])
            if np.linalg.matrix_rank(with_trend) == with_trend.shape[1]:
                candidate = fit_poisson_glm(with_trend, y)
                phi = max(1.0, candidate.dispersion)
                se = math.sqrt(phi * candidate.cov_unscaled[1, 1])
                slope = candidate.coef[1]
                significant = 2 * stats.norm.sf(abs(slope) / se) < TREND_ALPHA if se > 0 else False
                if significant and math.exp(candidate.coef[0]) <= y.max():
                    fit = candidate
        if fit is None:
            if np.linalg.matrix_rank(base) < base.shape[1]:
                why = "the baseline model cannot be estimated from these months"
                return _NoBaseline(why, why)
            fit = fit_poisson_glm(base, y)
        if fit.df_resid < 1:
            return _NoBaseline(f"too few baseline months ({index.size}) to estimate the baseline and its dispersion",
                               "too few baseline months to estimate the baseline and its dispersion")
        # The target's covariates are all zero except the intercept (years from target = 0, and the target's
        # calendar month is the reference level), so the prediction is exp(intercept).
        expected = math.exp(fit.coef[0])
        phi = max(1.0, fit.dispersion)
        variance = phi * expected
        if self.baseline_uncertainty:
            variance += expected * expected * phi * fit.cov_unscaled[0, 0]
        trend = math.exp(fit.coef[1]) if fit.coef.size > base.shape[1] else None
        return _Baseline(expected, variance, fit.dispersion, trend, int(index.size))

    def _new_activity(self, candidates: dict[str, tuple[int, float, float]]) -> None:
        """Flag "new activity" among the areas too quiet to assess (rule in the class docstring).

        Each candidate's latest count is tested against a Poisson mean of max(min_expected, expected, the
        baseline's average month). The p-values are adjusted (Benjamini-Hochberg, when ``fdr``) among the
        candidates only, so the assessed areas' adjustment is unchanged.
        """
        if not candidates:
            return
        codes = list(candidates)
        means = {code: max(self.min_expected, *candidates[code][1:]) for code in codes}
        raw = np.array([upper_tail(candidates[code][0], means[code]) for code in codes])
        adjusted = stats.false_discovery_control(raw, method="bh") if self.fdr else raw
        for code, p, q in zip(codes, raw.tolist(), adjusted.tolist(), strict=True):
            observed, expected, _ = candidates[code]
            self.observed_[code], self.expected_[code] = float(observed), float(expected)
            self.p_[code], self.p_adjusted_[code] = float(p), float(q)
            if self.new_activity_min is None or observed < self.new_activity_min:
                continue
            test = f"p = {p:.2g}, adjusted p = {q:.2g}" if self.fdr else f"p = {p:.2g}"
            against = f"{observed} crimes in {self.latest_} against {expected:.2f} expected"
            if q <= self.alpha:
                self.new_activity_[code] = True
                self.reason_[code] = (f"new activity: {against}, below the minimum of {self.min_expected:g}; "
                                      f"beyond chance even against {means[code]:.2g} expected ({test}, at most "
                                      f"{self.alpha:g})")
            else:
                self.reason_[code] += (f"; {against} is not beyond chance against {means[code]:.2g} expected "
                                       f"({test}, above {self.alpha:g}), so not new activity")

    def _decide(self, targets: np.ndarray) -> None:
        assessed = [c for c in self.codes_ if self.assessed_[c]]
        if self.method == "poisson" and assessed:
            raw = np.array([self.p_[c] for c in assessed])
            adjusted = stats.false_discovery_control(raw, method="bh") if self.fdr else raw
            for code, value in zip(assessed, adjusted, strict=True):
                self.p_adjusted_[code] = float(value)
        for code in assessed:
            observed, expected = self.observed_[code], self.expected_[code]
            what = (f"{observed:.0f} crimes against {expected:.1f} expected "
                    f"({self.excess_[code]:+.1f}, {self.ratio_[code]:.2f}x)")
            if self.method == "cusum":
                path = self.cusum_[code]
                what = f"{what} over {month_label(int(targets[0]))} to {self.latest_}"
                self.alert_[code] = path[-1] >= self.h
                if self.alert_[code]:
                    start = max(i for i in range(len(path)) if path[i] >= self.h and (i == 0 or path[i - 1] < self.h))
                    self.reason_[code] = (f"alert: CUSUM {path[-1]:.1f} >= h = {self.h:g} since "
                                          f"{month_label(int(targets[start]))}; {what}")
                else:
                    self.reason_[code] = f"no alert: CUSUM {path[-1]:.1f} < h = {self.h:g}; {what}"
                continue
            p, q = self.p_[code], self.p_adjusted_[code]
            self.alert_[code] = bool(q <= self.alpha and observed > expected)
            test = f"p = {p:.2g}, FDR-adjusted p = {q:.2g}" if self.fdr else f"p = {p:.2g}"
            verdict = "<=" if q <= self.alpha else ">"
            label = "alert" if self.alert_[code] else "no alert"
            self.reason_[code] = f"{label}: {what}; {test} {verdict} {self.alpha:g}"
        rows = [self._row(code) for code in self.codes_]
        if self.method == "cusum":
            def order(row):
                return (not row["alert"], not row["new_activity"], not row["assessed"],
                        -(row["cusum"] if row["assessed"] else 0.0),
                        row["p_adjusted"] if row["new_activity"] else 1.0,
                        -(row["excess"] if row["assessed"] else 0.0), row["code"])
        else:
            def order(row):
                return (not row["alert"], not row["new_activity"], not row["assessed"],
                        row["p_adjusted"] if row["assessed"] or row["new_activity"] else 1.0,
                        -(row["excess"] if row["assessed"] else 0.0), row["code"])
        self.results_ = sorted(rows, key=order)
        self.alerts_ = [row for row in self.results_ if row["alert"]]

    def _row(self, code: str) -> dict:
        return {"code": code, "observed": self.observed_[code], "expected": self.expected_[code],
                "excess": self.excess_[code], "ratio": self.ratio_[code], "p": self.p_[code],
                "p_adjusted": self.p_adjusted_[code], "cusum": self.cusum_[code][-1] if self.cusum_[code] else math.nan,
                "assessed": self.assessed_[code], "alert": self.alert_[code],
                "new_activity": self.new_activity_[code], "reason": self.reason_[code]}
