"""A recency-frequency-gravity harm score over one person's events (crimes and intelligence).

Each event has a category (an offence type, or a kind of intelligence) and an age: the days between it and the
as-of date. Its contribution is its category's weight times a decay factor that halves every half-life:

    contribution = weight[category] * 0.5 ** (age_days / half_life_days)

and the score is the sum of the contributions. The three parts of recency-frequency-gravity are all in it: more
events add more (frequency), graver categories add more (gravity), and newer events add more (recency).

The weights are in days of custody, as in the Cambridge Crime Harm Index (Sherman, Neyroud and Neyroud (2016),
"The Cambridge Crime Harm Index: measuring total harm from crime based on sentencing guidelines", Policing 10(3):
171-183): each offence weighs the starting-point sentence for a first offender, so a robbery weighs hundreds of
days and a shoplifting a few. The caller supplies the weights; this module holds none.

Events are sorted into three groups, each event into exactly one:

- **counted**: inside the window, in a weighted category. Only these add to the score;
- **unweighted**: inside the window, in a category the weights leave out. They add nothing, and are reported
  (``unweighted_``) so that the caller can tell the user which categories the score does not see;
- **outside the window**: older than ``window_days``, whatever their category (``outside_window_``).

Examples
--------
A violent offence today, one a year ago and one two years ago, weighing 365 days each, on a one-year half-life:
365 * (1 + 0.5 + 0.25) = 638.75.

>>> harm = HarmScore({"violence": 365, "theft": 10}).fit(["violence", "violence", "violence"], [0, 365, 730])
>>> harm.score_
638.75
>>> harm.frequency_, harm.recency_days_
(3, 0.0)

Terms come one per weighted category present, the largest contribution first; a category without a weight adds
nothing and is counted apart, as is an event older than the window:

>>> harm = HarmScore({"violence": 365, "theft": 10}, window_days=1000).fit(
...     ["theft", "violence", "sighting", "violence"], [0, 365, 30, 2000])
>>> [(t.category, t.count, t.contribution) for t in harm.terms_]
[('violence', 1, 182.5), ('theft', 1, 10.0)]
>>> harm.score_, harm.unweighted_, harm.outside_window_
(192.5, {'sighting': 1}, 1)
"""

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


def decay(age_days, half_life_days: float):
    """The share of an event's weight left after ``age_days``: ``0.5 ** (age_days / half_life_days)``.

    A float for a single age; for an array of ages, an array of factors.

    Examples
    --------
    >>> decay(0, 365), decay(365, 365), decay(730, 365)
    (1.0, 0.5, 0.25)
    >>> decay([0, 30, 60], 30).tolist()
    [1.0, 0.5, 0.25]
    """
    half_life = _half_life(half_life_days)
    ages = np.asarray(age_days, dtype=float)
    if np.any(np.isnan(ages)) or np.any(ages < 0):
        raise ValueError(f"ages must be numbers of days >= 0, not {age_days!r}")
    factors = np.power(0.5, ages / half_life)
    return float(factors) if factors.ndim == 0 else factors


@dataclass(frozen=True)
class HarmTerm:
    """One weighted category's part of a harm score.

    ``decayed_count`` is the sum of the events' decay factors (the count, had every event happened on the as-of
    date); ``contribution`` is ``weight * decayed_count``. Ages are in days before the as-of date.
    """

    category: str
    count: int
    weight: float
    decayed_count: float
    contribution: float
    newest_age_days: float
    oldest_age_days: float


class HarmScore:
    """Recency-frequency-gravity harm score: the sum of the events' weights, each decayed by its age.

    Parameters are checked when ``fit`` is called, so that an invalid one raises ``ValueError`` there.

    Parameters
    ----------
    weights : mapping
        Category -> weight in days of custody (a finite number >= 0). Events in other categories add nothing.
    half_life_days : float
        Days after which an event counts for half as much (a finite number > 0).
    window_days : float or None
        Events older than this many days are left out (an event exactly this old is kept); None keeps all.

    Attributes
    ----------
    score_ : float
        The sum of the counted events' contributions.
    terms_ : list of HarmTerm
        One per weighted category present, by contribution (largest first), then category.
    unweighted_ : dict
        Category -> number of events inside the window whose category has no weight.
    outside_window_ : int
        Number of events older than ``window_days``, whatever their category.
    frequency_ : int
        Number of counted events (inside the window, in a weighted category).
    recency_days_ : float or None
        Age of the newest counted event; None when no event is counted.
    """

    def __init__(self, weights: Mapping[str, float], *, half_life_days: float = 365.0,
                 window_days: float | None = None):
        self.weights, self.half_life_days, self.window_days = weights, half_life_days, window_days

    def fit(self, categories: Sequence[str], ages_days: Sequence[float]) -> "HarmScore":
        """Score the events: ``categories[i]`` and ``ages_days[i]`` are the i-th event's category and age.

        Lists or NumPy arrays. Ages are days before the as-of date: finite and >= 0 (a missing, negative or
        infinite age raises ``ValueError`` naming its position), one per category.
        """
        weights = _weights(self.weights)
        half_life = _half_life(self.half_life_days)
        window = _window(self.window_days)
        categories, ages = _events(categories, ages_days)

        inside = np.ones(len(ages), dtype=bool) if window is None else ages <= window
        weighted = np.array([category in weights for category in categories], dtype=bool)
        counted = inside & weighted
        factors = decay(ages, half_life)

        self.outside_window_ = int(np.count_nonzero(~inside))
        self.unweighted_ = {}
        for position in np.flatnonzero(inside & ~weighted):
            self.unweighted_[categories[position]] = self.unweighted_.get(categories[position], 0) + 1

        by_category: dict = {}
        for position in np.flatnonzero(counted):
            by_category.setdefault(categories[position], []).append(position)
        terms = []
        for category, positions in by_category.items():
            decayed_count = float(np.sum(factors[positions]))
            terms.append(HarmTerm(category=category, count=len(positions), weight=weights[category],
                                  decayed_count=decayed_count, contribution=weights[category] * decayed_count,
                                  newest_age_days=float(np.min(ages[positions])),
                                  oldest_age_days=float(np.max(ages[positions]))))
        self.terms_ = sorted(terms, key=lambda term: (-term.contribution, str(term.category)))
        self.score_ = math.fsum(term.contribution for term in self.terms_)
        self.frequency_ = int(np.count_nonzero(counted))
        self.recency_days_ = float(np.min(ages[counted])) if self.frequency_ else None
        return self


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _weights(weights) -> dict:
    if not isinstance(weights, Mapping):
        raise ValueError(f"weights must map each category to its weight in days of custody, not {weights!r}")
    checked = {}
    for category, weight in weights.items():
        if not _number(weight) or not math.isfinite(weight) or weight < 0:
            raise ValueError(f"the weight of {category!r} must be a finite number of days >= 0, not {weight!r}")
        checked[category] = float(weight)
    return checked


def _half_life(half_life_days) -> float:
    if not _number(half_life_days) or not math.isfinite(half_life_days) or half_life_days <= 0:
        raise ValueError(f"half_life_days must be a finite number of days > 0, not {half_life_days!r}")
    return float(half_life_days)


def _window(window_days) -> float | None:
    if window_days is None:
        return None
    if not _number(window_days) or not math.isfinite(window_days) or window_days < 0:
        raise ValueError(f"window_days must be a finite number of days >= 0, or None for no window, "
                         f"not {window_days!r}")
    return float(window_days)


def _events(categories, ages_days) -> tuple[list, np.ndarray]:
    """The categories as a list of plain Python values and the ages as a 1-D float array, both checked.

    An age that is missing, negative or infinite is an error, named by its position.
    """
    if isinstance(categories, str):
        raise ValueError("categories must be a sequence with one category per event, not a single string")
    categories = [c.item() if isinstance(c, np.generic) else c for c in categories]
    ages = np.asarray(ages_days, dtype=float)
    if ages.ndim != 1:
        raise ValueError(f"ages_days must be a flat sequence with one age per event, not of shape {ages.shape}")
    if len(categories) != len(ages):
        raise ValueError(f"there are {len(categories)} categories but {len(ages)} ages: one of each per event")
    missing = np.flatnonzero(np.isnan(ages))
    if missing.size:
        raise ValueError(f"ages_days[{missing[0]}] is missing (NaN): every event needs its age in days")
    invalid = np.flatnonzero(~np.isfinite(ages) | (ages < 0))
    if invalid.size:
        raise ValueError(f"ages_days[{invalid[0]}] is {ages[invalid[0]]}: ages are days before the as-of date, "
                         f"so must be finite and >= 0")
    return categories, ages
