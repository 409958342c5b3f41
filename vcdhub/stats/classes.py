"""Class breaks for a choropleth map: Jenks natural breaks (mapclassify, PySAL), with no empty class.

    model = NaturalClasses(k=5).fit(counts)
    model.bounds_    # [(lower, upper), ...] of the values each class holds, lowest first
    model.class_of(v)

Jenks's optimisation groups similar values and separates dissimilar ones, which suits skewed crime counts
better than equal intervals or quantiles of tied values. The method is Jenks and Caspall's (1971) iterative
reallocation (`mapclassify.JenksCaspall`), deterministic and fast: the exact Fisher-Jenks optimum in
mapclassify is pure Python without numba, and took 2.6 s for London's 637 wards and 147 s for its 4,835
LSOAs on this project's machine. Zero is not classified here: a map shows it as its
own "none" class, and withheld cells as "withheld", so a class can never span values that cannot be shown.
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
    >>> NaturalClasses(k=5).fit([1] * 50 + [2] * 3 + [9]).bounds_  # ties: fewer classes, never a hang
    [(1, 1), (2, 9)]
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
        distinct = np.unique(data)
        k = min(self.k, distinct.size)
        k = _starting_classes(data, k)
        if k == 1:
            uppers = [float(distinct[-1])]
        else:
            import mapclassify

            uppers = [float(b) for b in mapclassify.JenksCaspall(data, k=k).bins]
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


def _starting_classes(data: np.ndarray, k: int) -> int:
    """The most classes, up to `k`, whose starting quantiles are all distinct and all hold values.

    JenksCaspall starts from quantiles, which collapse when values tie (counts of 1 and 2, say); it then still
    iterates over `k` classes, some empty, whose median is NaN, and its loop (which has no limit) never ends.
    From distinct, non-empty quantile classes every class keeps at least the values equal to its own median,
    so none empties and the loop ends."""
    from mapclassify.classifiers import bin1d, quantile

    while k > 1:
        cuts = quantile(data, k)
        if len(cuts) == k and len(np.unique(cuts)) == k:
            _, counts = bin1d(data, cuts)
            if (np.asarray(counts) > 0).all():
                return k
        k -= 1
    return 1


def _plain(value: float):
    """Whole numbers as int (counts), others as float (rates)."""
    return int(value) if float(value).is_integer() else float(value)
