"""How concentrated crime is across areas: how few areas hold a given share, the Lorenz curve, the Gini.

    model = Concentration(share=0.20).fit({"E05000416": 120, "E05000417": 30, "E05000418": 0})
    model.areas_needed_, model.gini_, model.ranked_
"""

import numpy as np


class Concentration:
    """Rank areas by count and find the fewest that hold `share` of all crimes.

    Every area belongs in the input, zero counts included: leaving out the areas with no crime makes
    crime look less concentrated than it is. Ties are broken by area code, so results are reproducible.
    """

    def __init__(self, share: float = 0.20):
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        self.share = share

    def fit(self, counts: dict[str, int]) -> "Concentration":
        if not counts:
            raise ValueError("no areas")
        if any(n < 0 for n in counts.values()):
            raise ValueError("counts cannot be negative")
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        values = np.array([n for _, n in ranked], dtype=float)
        self.total_ = int(values.sum())
        cumulative = np.cumsum(values) / self.total_ if self.total_ else np.zeros_like(values)
        self.ranked_ = [(code, int(n), float(c)) for (code, n), c in zip(ranked, cumulative, strict=True)]
        # The first position where the running share reaches the target (a tiny tolerance for float sums).
        self.areas_needed_ = int(np.searchsorted(cumulative, self.share - 1e-12) + 1) if self.total_ else 0
        # Lorenz curve over areas sorted from least to most crime: (share of areas, share of crime).
        ascending = np.sort(values)
        n = len(ascending)
        self.lorenz_ = (np.arange(n + 1) / n, np.concatenate([[0.0], np.cumsum(ascending) / self.total_])
                        if self.total_ else np.zeros(n + 1))
        # Gini = 1 - 2 * area under the Lorenz curve (trapezoids), the usual discrete definition.
        x, y = self.lorenz_
        self.gini_ = float(1 - np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]))) if self.total_ else 0.0
        return self
