"""Whether a series of counts (one per month) is trending: the Mann-Kendall test, with Sen's slope.

Mann-Kendall asks whether later values tend to be larger (or smaller) than earlier ones, counting every pair, so
one outlying month does not make a trend; it assumes no serial correlation. Sen's slope is the median of the
pairwise slopes: the typical change per step. `pymannkendall.original_test` does both; this wraps it in the
fit/attribute contract and words the answer.

Examples
--------
>>> trend = MonthlyTrend().fit([3, 4, 4, 6, 7, 9, 10, 12])
>>> trend.direction_, round(trend.slope_, 4)  # the median of the 28 pairwise slopes
('increasing', 1.3095)
>>> MonthlyTrend().fit([5, 5, 5, 5, 5, 5]).direction_
'no trend'
>>> MonthlyTrend().fit([4, 9]).direction_  # too short to say
'too few months'
"""

import math

import numpy as np
import pymannkendall


class MonthlyTrend:
    """Mann-Kendall trend of a count series.

    Parameters
    ----------
    alpha : float
        The significance level.
    min_steps : int
        The fewest values the test is run on; fewer give ``direction_ == "too few months"``.

    Attributes
    ----------
    direction_ : str
        "increasing", "decreasing", "no trend" (not significant) or "too few months".
    p_ : float or None
        The test's p-value.
    tau_ : float or None
        Kendall's tau.
    slope_ : float or None
        Sen's slope, per step.
    """

    def __init__(self, alpha: float = 0.05, min_steps: int = 6):
        self.alpha = alpha
        self.min_steps = min_steps

    def fit(self, counts) -> "MonthlyTrend":
        values = np.asarray(list(counts), dtype=float)
        if values.ndim != 1 or not np.all(np.isfinite(values)):
            raise ValueError("counts must be a flat series of finite numbers")
        self.direction_, self.p_, self.tau_, self.slope_ = "too few months", None, None, None
        if len(values) < self.min_steps:
            return self
        if np.all(values == values[0]):
            self.direction_, self.p_, self.tau_, self.slope_ = "no trend", 1.0, 0.0, 0.0
            return self
        result = pymannkendall.original_test(values, alpha=self.alpha)
        self.p_, self.tau_ = float(result.p), float(result.Tau)
        self.slope_ = round(float(result.slope), 6) if not math.isnan(result.slope) else None
        self.direction_ = {"increasing": "increasing", "decreasing": "decreasing"}.get(result.trend, "no trend")
        return self

    @property
    def text_(self) -> str:
        if self.direction_ in ("increasing", "decreasing"):
            return f"{self.direction_} (Mann-Kendall p = {self.p_:.3f}; about {self.slope_:+.1f} a month)"
        if self.direction_ == "no trend":
            return "no significant trend" + (f" (Mann-Kendall p = {self.p_:.3f})" if self.p_ is not None else "")
        return f"too few months to test (needs {self.min_steps})"
