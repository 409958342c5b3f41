"""Disproportionality: rates per head by group, their ratio to a reference group, and the relative rate
index across the stages of a process (search -> arrest), so a reader sees where disparity is added.

    table = DisparityTable(reference="White", min_count=10).fit(groups)
    table.rows_   # one dict per group: rate per 1,000 with its exact interval, ratio to the reference, ...
"""

import math
from dataclasses import dataclass

from scipy import stats

from vcdhub.stats.rates import rate_ratio, wilson_interval


def poisson_rate_interval(count: int, exposure: float, per: float = 1000.0, confidence: float = 0.95):
    """Exact (Garwood) interval for a Poisson rate count/exposure, scaled per `per` of exposure."""
    alpha = 1 - confidence
    low = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    scale = per / exposure
    return count * scale, low * scale, high * scale


@dataclass
class GroupCounts:
    group: str
    population: int | None  # None where no denominator exists
    searches: int
    arrests: int
    finds: int


class DisparityTable:
    """Rates, ratios to the reference group and stage-by-stage relative rate indexes.

    Parameters: `reference` (the comparison group), `min_count` (fewer searches than this: marked too
    small to say anything), `per` (rates per this many people).
    """

    def __init__(self, reference: str = "White", min_count: int = 10, per: float = 1000.0, confidence: float = 0.95):
        self.reference = reference
        self.min_count = min_count
        self.per = per
        self.confidence = confidence

    def fit(self, groups: list[GroupCounts]) -> "DisparityTable":
        by_name = {g.group: g for g in groups}
        ref = by_name.get(self.reference)
        self.rows_ = []
        for g in groups:
            row = {"group": g.group, "population": g.population, "searches": g.searches, "arrests": g.arrests,
                   "finds": g.finds, "too_small": g.searches < self.min_count, "note": ""}
            if g.population:
                rate, low, high = poisson_rate_interval(g.searches, g.population, self.per, self.confidence)
                row.update(rate=rate, rate_low=low, rate_high=high)
            else:
                row.update(rate=None, rate_low=None, rate_high=None, note="no population denominator")
            if g.searches:
                arrest = wilson_interval(g.arrests, g.searches, self.confidence)
                find = wilson_interval(g.finds, g.searches, self.confidence)
                row.update(arrest_rate=arrest.estimate * 100, arrest_low=arrest.low * 100,
                           arrest_high=arrest.high * 100, find_rate=find.estimate * 100, find_low=find.low * 100,
                           find_high=find.high * 100)
            else:
                row.update(arrest_rate=None, arrest_low=None, arrest_high=None, find_rate=None, find_low=None,
                           find_high=None)
            row.update(self._versus_reference(g, ref))
            self.rows_.append(row)
        return self

    def _versus_reference(self, g: GroupCounts, ref: GroupCounts | None) -> dict:
        empty = {"ratio": None, "ratio_low": None, "ratio_high": None, "rri_search": None, "rri_arrest": None,
                 "rri_find": None}
        if ref is None or g.group == self.reference:
            return {**empty, "ratio": 1.0 if g.group == self.reference else None,
                    "rri_search": 1.0 if g.group == self.reference else None,
                    "rri_arrest": 1.0 if g.group == self.reference else None,
                    "rri_find": 1.0 if g.group == self.reference else None}
        result = dict(empty)
        if g.population and ref.population and ref.searches:
            rr = rate_ratio(g.searches, ref.searches, g.population, ref.population, self.confidence)
            result.update(ratio=rr.ratio, ratio_low=rr.low, ratio_high=rr.high, rri_search=rr.ratio)
        if g.searches and ref.searches and ref.arrests:
            # Each stage's rate uses the previous stage as its base: arrests per search, not per head.
            result["rri_arrest"] = (g.arrests / g.searches) / (ref.arrests / ref.searches)
        if g.searches and ref.searches and ref.finds:
            result["rri_find"] = (g.finds / g.searches) / (ref.finds / ref.searches)
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in result.items()}
