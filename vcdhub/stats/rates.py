"""Intervals for counts and proportions, as the performance report needs them.

- `wilson_interval`: the Wilson score interval for a proportion (a sanction-detection rate).
- `rate_ratio`: the ratio of two Poisson counts (this period's crimes against the baseline's) with the
  exact conditional interval: given the total n = x1 + x2, x1 is Binomial(n, p) with
  p = r t1 / (r t1 + t2); a Clopper-Pearson interval for p maps to one for the rate ratio r.
"""

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for successes/trials. Defined for trials >= 1."""
    if trials <= 0:
        raise ValueError("a rate needs at least one trial")
    if not 0 <= successes <= trials:
        raise ValueError("successes must lie between 0 and trials")
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """Exact (Clopper-Pearson) interval for a binomial proportion."""
    alpha = 1 - confidence
    low = 0.0 if successes == 0 else stats.beta.ppf(alpha / 2, successes, trials - successes + 1)
    high = 1.0 if successes == trials else stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes)
    return Interval(successes / trials, float(low), float(high))


@dataclass(frozen=True)
class RateRatio:
    current: int
    baseline: int
    ratio: float  # current rate / baseline rate; inf when the baseline is zero
    low: float
    high: float
    p_value: float  # two-sided exact test of ratio = 1

    @property
    def change_pct(self) -> float:
        return (self.ratio - 1) * 100


def rate_ratio(current: int, baseline: int, current_exposure: float = 1.0, baseline_exposure: float = 1.0,
               confidence: float = 0.95) -> RateRatio:
    """Ratio of two Poisson rates with the exact conditional (binomial) interval and test.

    Exposures are the lengths of the periods (e.g. in months), so unequal periods compare fairly.
    """
    if current < 0 or baseline < 0:
        raise ValueError("counts cannot be negative")
    if current_exposure <= 0 or baseline_exposure <= 0:
        raise ValueError("exposures must be positive")
    n = current + baseline
    scale = baseline_exposure / current_exposure
    if n == 0:
        return RateRatio(current, baseline, math.nan, 0.0, math.inf, 1.0)
    p_interval = clopper_pearson(current, n, confidence)

    def to_ratio(p: float) -> float:
        return math.inf if p >= 1 else p / (1 - p) * scale

    ratio = math.inf if baseline == 0 else (current / current_exposure) / (baseline / baseline_exposure)
    null_p = current_exposure / (current_exposure + baseline_exposure)
    p_value = stats.binomtest(current, n, null_p).pvalue
    return RateRatio(current, baseline, ratio, to_ratio(p_interval.low), to_ratio(p_interval.high), float(p_value))
