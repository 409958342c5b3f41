"""Control charts for monthly counts: which months are special-cause variation, not routine noise.

    chart = CChart().fit([31, 28, 35, 30, 62, 29])
    chart.centre_, chart.upper_, chart.lower_, chart.signals_  # signals_: indexes outside the limits
"""

import numpy as np

# Scaling of the moving range to three-sigma limits for individuals: 3 / d2 with d2 = 1.128 for the
# mean moving range, and 3 / 0.954 for the median moving range (Wheeler), which one wild month cannot inflate.
XMR_FACTOR = 2.66
XMR_MEDIAN_FACTOR = 3.145


class CChart:
    """c-chart: counts of events in equal opportunity periods, limits centre +/- k * sqrt(centre)."""

    def __init__(self, sigma: float = 3.0):
        self.sigma = sigma

    def fit(self, counts) -> "CChart":
        values = np.asarray(counts, dtype=float)
        if values.size == 0 or np.any(values < 0):
            raise ValueError("a c-chart needs one or more non-negative counts")
        self.values_ = values
        self.centre_ = float(values.mean())
        spread = self.sigma * np.sqrt(self.centre_)
        self.upper_ = self.centre_ + spread
        self.lower_ = max(0.0, self.centre_ - spread)
        self.signals_ = [int(i) for i in np.flatnonzero((values > self.upper_) | (values < self.lower_))]
        return self


class XmRChart:
    """Individuals and moving range chart: limits mean +/- 2.66 * mean moving range, or with
    `moving_range="median"`, median +/- 3.145 * median moving range, which one wild point can neither widen
    nor shift."""

    def __init__(self, moving_range: str = "mean"):
        if moving_range not in ("mean", "median"):
            raise ValueError("moving_range is 'mean' or 'median'")
        self.moving_range = moving_range

    def fit(self, values) -> "XmRChart":
        x = np.asarray(values, dtype=float)
        if x.size < 2:
            raise ValueError("an XmR chart needs two or more values")
        self.values_ = x
        ranges = np.abs(np.diff(x))
        if self.moving_range == "median":
            self.centre_ = float(np.median(x))
            self.moving_range_, factor = float(np.median(ranges)), XMR_MEDIAN_FACTOR
        else:
            self.centre_ = float(x.mean())
            self.moving_range_, factor = float(ranges.mean()), XMR_FACTOR
        self.upper_ = self.centre_ + factor * self.moving_range_
        self.lower_ = self.centre_ - factor * self.moving_range_
        self.signals_ = [int(i) for i in np.flatnonzero((x > self.upper_) | (x < self.lower_))]
        return self
