"""The "most challenged" areas: a transparent composite of how much crime an area has and how high its rate is.

    model = ChallengedAreas(weights={"count": 0.5, "rate": 0.5}, min_population=1000, top=5)
    model.fit(counts={"E05000416": 412, ...}, population={"E05000416": 13_200, ...})
    model.top_      # the five highest composites, each row with its count, rate, scores and rank
    model.reason_   # "3rd highest count (412) and 5th highest rate (31.2 per 1,000) among 620 areas"

A count alone ranks big wards first; a rate alone ranks tiny ones first, where a handful of crimes make a
high rate. The composite weighs both, and every number behind it is shown.
"""

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from scipy import stats

DEFAULT_WEIGHTS = MappingProxyType({"count": 0.5, "rate": 0.5})


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percentile_scores(values) -> np.ndarray:
    """Percentile rank from 0 (lowest) to 1 (highest): (rank - 1) / (n - 1), tied values sharing their mean rank.

    >>> percentile_scores([10, 40, 30, 20]).tolist()
    [0.0, 1.0, 0.6666666666666666, 0.3333333333333333]
    >>> percentile_scores([5, 4, 10, 5]).tolist()  # the two 5s share ranks 2 and 3
    [0.5, 0.0, 1.0, 0.5]
    """
    x = np.asarray(values, dtype=float)
    if x.size == 1:
        return np.ones(1)
    return (stats.rankdata(x, method="average") - 1) / (x.size - 1)


def z_scores(values) -> np.ndarray:
    """Standard scores (value - mean) / standard deviation (population, ddof=0); all zero if the values are equal.

    >>> z_scores([1, 2, 3]).round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    """
    x = np.asarray(values, dtype=float)
    sd = x.std()
    return np.zeros_like(x) if sd == 0 else (x - x.mean()) / sd


SCALES = {"percentile": percentile_scores, "zscore": z_scores}


class ChallengedAreas:
    """Rank areas on a weighted composite of their crime count and crime rate per resident.

    Steps, each visible in the result:

    1. rate = count / population * ``per`` (per 1,000 residents by default);
    2. areas with fewer than ``min_population`` residents are left out of the ranking and listed in
       ``excluded_`` with the reason (a few crimes among few residents give a rate that means little);
    3. each component (count, rate) is scaled across the ranked areas. ``scale="percentile"`` (default) gives
       the percentile rank, 0 for the lowest and 1 for the highest, ties sharing their mean rank: crime
       counts are heavily skewed, and on a percentile scale one extreme ward cannot swamp the other
       component, and "0.9" reads as "higher than 90% of areas". ``scale="zscore"`` gives standard scores,
       which keep how far apart areas are;
    4. composite = sum of weight x score. Weights must be non-negative with a positive sum and are
       normalised to sum to 1 (``weights_``), so {"count": 3, "rate": 1} means 75% and 25%;
    5. areas are ranked by composite, highest first; equal composites (to 12 decimal places) are ordered by
       area code, so the ranking is reproducible.

    Parameters
    ----------
    weights : mapping of component to weight
        Components are ``"count"`` and ``"rate"`` when ``fit`` gets one count per area, or
        ``"<type>_count"`` and ``"<type>_rate"`` for each crime type when it gets counts by type. Components
        left out are not used.
    min_population : int
        Areas with fewer residents are excluded from the ranking.
    top : int
        How many areas ``top_`` holds.
    per : float
        Rates are per this many residents.
    scale : {"percentile", "zscore"}

    Attributes
    ----------
    weights_ : dict of component to float
        The normalised weights, summing to 1.
    components_ : list of str
        The weighted components, in the order of ``weights``.
    ranked_ : list of dict
        Every ranked area, highest composite first: code, population, the count and rate for each crime
        type, ``<component>_score`` for each component, composite and rank (1 = most challenged).
    top_ : list of dict
        The first ``top`` rows of ``ranked_``.
    excluded_ : dict of code to str
        Areas left out of the ranking, and why.
    reason_ : dict of code to str
        For every ranked area, its position on each weighted component in plain English.
    description_ : str
        The method in one sentence, for the footnote of a published table.

    Examples
    --------
    >>> counts = {"a": 10, "b": 40, "c": 30, "d": 20, "e": 5}
    >>> population = {"a": 2000, "b": 10000, "c": 3000, "d": 4000, "e": 500}
    >>> model = ChallengedAreas(top=2).fit(counts, population)
    >>> [(row["code"], round(row["composite"], 4)) for row in model.ranked_]
    [('c', 0.8333), ('b', 0.5), ('d', 0.4167), ('a', 0.25)]
    >>> model.reason_["c"]
    '2nd highest count (30) and highest rate (10.0 per 1,000) among 4 areas'
    >>> model.excluded_["e"]
    'population 500 is under the minimum of 1,000'
    >>> [row["code"] for row in model.top_]
    ['c', 'b']
    """

    def __init__(self, weights: Mapping[str, float] = DEFAULT_WEIGHTS, min_population: int = 1000, top: int = 5,
                 per: float = 1000.0, scale: str = "percentile"):
        self.weights = weights
        self.min_population = min_population
        self.top = top
        self.per = per
        self.scale = scale

    def _check_params(self) -> dict[str, float]:
        if self.scale not in SCALES:
            raise ValueError(f"scale is one of {sorted(SCALES)}")
        if not (isinstance(self.top, int) and self.top >= 1):
            raise ValueError("top must be a positive integer")
        if not self.min_population >= 0:
            raise ValueError("min_population cannot be negative")
        if not self.per > 0:
            raise ValueError("per must be positive")
        if not isinstance(self.weights, Mapping) or not self.weights:
            raise ValueError("weights must be a non-empty mapping of component to weight")
        values = list(self.weights.values())
        if any(not isinstance(w, int | float) or not math.isfinite(w) or w < 0 for w in values):
            raise ValueError("weights must be finite and non-negative")
        total = sum(values)
        if total <= 0:
            raise ValueError("weights must have a positive sum")
        return {name: w / total for name, w in self.weights.items()}

    def fit(self, counts: Mapping[str, int] | Mapping[str, Mapping[str, int]],
            population: Mapping[str, int]) -> "ChallengedAreas":
        """Rank the areas.

        Parameters
        ----------
        counts : mapping of area code to count, or of crime type to such a mapping
            Every area, zero counts included; with several crime types, every type covers the same areas.
        population : mapping of area code to residents
            Exactly the areas in ``counts``.
        """
        weights = self._check_params()
        by_type = self._counts_by_type(counts)
        codes = self._check_population(by_type, population)
        available = [f"{t}_{what}" if t else what for t in by_type for what in ("count", "rate")]
        unknown = [name for name in weights if name not in available]
        if unknown:
            raise ValueError(f"unknown weight component(s) {unknown}; available: {available}")
        self.weights_ = weights
        self.components_ = list(weights)
        self.excluded_ = {}
        ranked = []
        for code in codes:
            people = population[code]
            if people == 0 or people < self.min_population:
                self.excluded_[code] = (f"population {people:,} is under the minimum of {self.min_population:,}"
                                        if people < self.min_population else "no residents, so no rate")
                continue
            row = {"code": code, "population": people}
            for t, values in by_type.items():
                prefix = f"{t}_" if t else ""
                row[f"{prefix}count"] = values[code]
                row[f"{prefix}rate"] = values[code] / people * self.per
            ranked.append(row)
        scale = SCALES[self.scale]
        composite = np.zeros(len(ranked))
        for name, weight in weights.items():
            scores = scale([row[name] for row in ranked]) if ranked else np.zeros(0)
            for row, score in zip(ranked, scores, strict=True):
                row[f"{name}_score"] = float(score)
            composite += weight * scores
        for row, value in zip(ranked, composite, strict=True):
            row["composite"] = float(value)
        ranked.sort(key=lambda row: (-round(row["composite"], 12), row["code"]))
        for rank, row in enumerate(ranked, start=1):
            row["rank"] = rank
        self.ranked_ = ranked
        self.top_ = ranked[:self.top]
        self.reason_ = {row["code"]: self._reason(row, ranked) for row in ranked}
        self.description_ = self._describe()
        return self

    @staticmethod
    def _counts_by_type(counts) -> dict[str, dict[str, int]]:
        """{"": counts} for one count per area, {type: counts} for counts by crime type; checked."""
        if not isinstance(counts, Mapping) or not counts:
            raise ValueError("no areas")
        nested = [isinstance(v, Mapping) for v in counts.values()]
        if any(nested) and not all(nested):
            raise ValueError("counts are either one per area or, for several crime types, a mapping per type")
        by_type = {str(t): dict(v) for t, v in counts.items()} if all(nested) else {"": dict(counts)}
        first = None
        for t, values in by_type.items():
            label = f" ({t})" if t else ""
            for code, n in values.items():
                if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
                    raise ValueError(f"count for {code}{label} must be a non-negative integer, not {n!r}")
            if first is not None and set(values) != first:
                raise ValueError(f"crime type {t!r} does not cover the same areas as the others")
            first = set(values)
        return by_type

    @staticmethod
    def _check_population(by_type, population) -> list[str]:
        codes = list(next(iter(by_type.values())))
        if not codes:
            raise ValueError("no areas")
        missing = [code for code in codes if population.get(code) is None]
        if missing:
            raise ValueError(f"no population for {len(missing)} area(s): {', '.join(missing[:5])}")
        extra = [code for code in population if code not in set(codes)]
        if extra:
            raise ValueError(f"population given for area(s) with no count: {', '.join(extra[:5])}; "
                             "give a count of 0 for an area with no crimes")
        for code in codes:
            people = population[code]
            if isinstance(people, bool) or not isinstance(people, int | np.integer) or people < 0:
                raise ValueError(f"population for {code} must be a non-negative integer, not {people!r}")
        return codes

    def _label(self, name: str) -> str:
        return name.replace("_", " ")

    def _value(self, name: str, value) -> str:
        return f"{value:,.1f} per {self.per:,g}" if name.endswith("rate") else f"{value:,}"

    def _reason(self, row: dict, ranked: list[dict]) -> str:
        parts = []
        for name, weight in self.weights_.items():
            if weight == 0:
                continue
            higher = sum(other[name] > row[name] for other in ranked)
            tied = sum(other[name] == row[name] for other in ranked) > 1
            place = "highest" if higher == 0 else f"{ordinal(higher + 1)} highest"
            parts.append(f"{'joint ' if tied else ''}{place} {self._label(name)} ({self._value(name, row[name])})")
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{listed} among {len(ranked)} areas"

    def _describe(self) -> str:
        scale = "percentile rank (0 lowest, 1 highest)" if self.scale == "percentile" else "z-score"
        terms = " + ".join(f"{w:.3g} x {scale.split(' (')[0]} of {self._label(name)}"
                           for name, w in self.weights_.items())
        return (f"Composite = {terms}, with each component's {scale} taken across the {len(self.ranked_)} ranked "
                f"areas and the weights normalised to sum to 1; rates per {self.per:,g} residents; "
                f"areas with fewer than {self.min_population:,} residents are left out ({len(self.excluded_)} here).")
