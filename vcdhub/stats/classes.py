"""Class breaks for a choropleth map: Jenks natural breaks (Fisher's exact optimum, through jenkspy), with no
empty class.

    model = NaturalClasses(k=5).fit(counts)
    model.bounds_    # [(lower, upper), ...] of the values each class holds, lowest first
    model.class_of(v)

Jenks's optimisation groups similar values and separates dissimilar ones, which suits skewed crime counts
better than equal intervals or quantiles of tied values. The breaks are the exact optimum (the least sum of
squared deviations from the class means, Fisher 1958), computed in C by `jenkspy`: about 2 ms for London's 637
wards and 0.1 s for its 4,835 LSOAs on this project's machine. Its cost grows with the square of the number of
values, so above MAX_EXACT_VALUES the breaks are those of an evenly spaced sample of the sorted values (the
same sample for the same values), which bounds the time whatever the geography holds. Jenks and Caspall's
iterative reallocation (`mapclassify.JenksCaspall`), used before, has no limit on its loop and never ended on
some inputs (docs/decisions.md). Zero is not classified here: a map shows it as its own "none" class, and
withheld cells as "withheld", so a class can never span values that cannot be shown.
"""

import bisect
from collections.abc import Sequence

import numpy as np


class NaturalClasses:
    """Jenks natural breaks over the values given (which should exclude zeros and withheld cells).

    Parameters
    ----------
    k : int
        The most classes wanted. Fewer are made when there are fewer distinct values, so that no class is
        empty.

    Attributes
    ----------
    bounds_ : list of tuple
        (lowest, highest) value actually held by each class, lowest class first; classes never overlap.
    counts_ : list of int
        How many values each class holds (each at least one).

    Examples
    --------
    >>> model = NaturalClasses(k=3).fit([1, 2, 2, 3, 10, 11, 12, 40, 42])
    >>> model.bounds_
    [(1, 3), (10, 12), (40, 42)]
    >>> model.counts_
    [4, 3, 2]
    >>> model.class_of(11), model.class_of(41)
    (1, 2)
    >>> NaturalClasses(k=5).fit([7, 7, 7]).bounds_
    [(7, 7)]
    >>> NaturalClasses(k=5).fit([1] * 50 + [2] * 3 + [9]).bounds_  # no more classes than distinct values
    [(1, 1), (2, 2), (9, 9)]
    """

    def __init__(self, k: int = 5):
        if k < 1:
            raise ValueError("k must be at least 1")
        self.k = k

    def fit(self, values: Sequence[float]) -> "NaturalClasses":
        data = np.asarray([v for v in values if v is not None], dtype=float)
        if data.size == 0:
            self.bounds_, self.counts_, self._uppers = [], [], []
            return self
        classified = _bounded(data)
        distinct = np.unique(classified)
        k = min(self.k, distinct.size)
        if k == 1:
            uppers = [float(data.max())]
        else:
            import jenkspy

            # jenkspy returns k + 1 breaks: the lowest value, then each class's highest.
            uppers = [float(b) for b in jenkspy.jenks_breaks(classified, n_classes=k)[1:]]
        bounds, counts, kept = [], [], []
        lower_limit = -np.inf
        for upper in uppers:
            inside = data[(data > lower_limit) & (data <= upper)]
            lower_limit = upper
            if inside.size == 0:
                continue  # never show an empty class
            bounds.append((_plain(inside.min()), _plain(inside.max())))
            counts.append(int(inside.size))
            kept.append(upper)
        self.bounds_, self.counts_, self._uppers = bounds, counts, kept
        return self

    def class_of(self, value: float) -> int | None:
        """The index of the class holding `value` (None past the highest class)."""
        position = bisect.bisect_left(self._uppers, value)
        return position if position < len(self._uppers) else None


MAX_EXACT_VALUES = 5_000


def _bounded(data: np.ndarray) -> np.ndarray:
    """`data`, or above MAX_EXACT_VALUES values an evenly spaced sample of them in sorted order, ends included (so
    the lowest and highest classes still reach the extremes)."""
    if data.size <= MAX_EXACT_VALUES:
        return data
    ordered = np.sort(data)
    return ordered[np.linspace(0, ordered.size - 1, MAX_EXACT_VALUES).round().astype(int)]


def _plain(value: float):
    """Whole numbers as int (counts), others as float (rates)."""
    return int(value) if float(value).is_integer() else float(value)
