"""How unusual a missing-person episode's duration is, against similar episodes: Kaplan-Meier duration norms.

For a person still missing after some hours, the question is what share of similar episodes had ended by then:
"missing longer than 95% of similar episodes". Similar means the same key: a tuple such as (age group, risk grade),
the most general part first.

The share is read off a Kaplan-Meier curve (lifelines' ``KaplanMeierFitter``). Every episode is used: a closed one
ended at its duration (an event); an open one is censored at its duration so far, which says only that it lasted at
least that long. Fitting the closed episodes alone would leave out the long ones still open and so make every
duration look more unusual than it is. The curve S(t) is the estimated share of episodes still open after t hours,
the product over the event times t_i <= t of (1 - d_i / n_i), where d_i episodes ended at t_i out of the n_i still
open just before it; the share that had ended by t is 1 - S(t). An episode that ended at exactly t counts as ended
by t.

One curve is fitted per key prefix: () for all episodes, ("child",), ("child", "high") and so on. A comparison uses
the longest prefix of its key whose group has at least ``min_group`` episodes, one of them closed; a smaller group
falls back to a more general one, and the text says so. When even all episodes together are too few, the
comparison is withheld rather than made on too little.

Beyond the longest episode the curve stays at its last value: if that episode is still open, no duration reaches a
share of 1.

Examples
--------
Six episodes of adults at low risk, two still open (at 3 and 8 hours). Ended by 2 hours: 1 of 6, so S = 5/6; by 3:
1 of the 5 left ended, S = 5/6 * 4/5 = 2/3; by 5: 1 of the 3 left, S = 2/3 * 2/3 = 4/9; by 10: the last, S = 0.

>>> durations = [2, 3, 3, 5, 8, 10]
>>> ended = [True, True, False, True, False, True]
>>> norms = DurationNorms(min_group=5).fit(durations, ended, [("adult", "low")] * 6)
>>> curve = norms.curve(("adult", "low"))
>>> curve.times.tolist(), [round(s, 4) for s in curve.survival.tolist()]
([0.0, 2.0, 3.0, 5.0, 8.0, 10.0], [1.0, 0.8333, 0.6667, 0.4444, 0.4444, 0.0])
>>> result = norms.compare(6, ("adult", "low"))
>>> round(result.share_shorter, 4), result.text
(0.5556, 'missing longer than 55% of similar episodes (adult, low; 6 episodes)')
>>> norms.median_hours(())
5.0

A group too small for ``min_group`` falls back to the next more general one, which the text names. Here child and
high risk has 2 episodes, fewer than 3, and children of any risk grade have 3 (2 closed): S(4) = 2/3 * 1/2 = 1/3.

>>> keys = [("child", "high"), ("child", "high"), ("child", "low"), ("adult", "low"), ("adult", "low"),
...         ("adult", "low")]
>>> norms = DurationNorms(min_group=3).fit(durations, ended, keys)
>>> result = norms.compare(4, ("child", "high"))
>>> result.group, result.n, result.events
(('child',), 3, 2)
>>> result.text
'missing longer than 66% of similar episodes (child, any risk grade; 3 episodes; child, high has too few)'

Too few episodes altogether, and no share is given:

>>> result = DurationNorms(min_group=20).fit(durations, ended, keys).compare(4, ("child", "high"))
>>> print(result.share_shorter)
None
>>> result.text
'not enough closed episodes to compare: needs 20 episodes, at least 1 closed; there are 6, 4 closed'
"""

import math
import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from lifelines import KaplanMeierFitter

# lifelines multiplies the curve's factors as a sum of logarithms, so a survival of exactly 0.5 or 0.05 can come out
# a few units in the 16th decimal place either side. Comparisons allow for this much, so that 0.95 is 95% and 0.5
# is the median, not the step after it.
_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Curve:
    """One group's Kaplan-Meier curve: a right-continuous step function of hours.

    ``survival[i]`` is the estimated share of episodes still open after ``times[i]`` hours, holding until the next
    time. ``times`` starts at 0 with survival 1.0 and otherwise holds each distinct duration, closed or open,
    increasing; episodes that ended at 0 hours add a second point at time 0, the drop. The arrays are read-only.
    """

    times: np.ndarray
    survival: np.ndarray
    n: int
    events: int

    def at(self, hours: float) -> float:
        """S(hours): the share still open after ``hours``, an event at exactly ``hours`` included as ended."""
        return float(self.survival[np.searchsorted(self.times, hours, side="right") - 1])


@dataclass(frozen=True)
class Comparison:
    """How one duration compares with similar episodes.

    ``share_shorter`` is 1 - S(duration) on the curve of ``group``, the key prefix used (``key`` itself, or a
    shorter prefix when the group was too small); ``n`` and ``events`` are that group's episodes and closed ones.
    When no group was large enough, ``share_shorter`` and ``group`` are None, and ``n`` and ``events`` count all
    episodes. ``text`` says it in words, the percentage rounded down so that it never overstates.
    """

    duration: float
    key: tuple
    share_shorter: float | None
    group: tuple | None
    n: int
    events: int
    text: str


class DurationNorms:
    """Kaplan-Meier curves of episode durations per key prefix, to say how unusual a duration is.

    Parameters are checked when ``fit`` is called, so that an invalid one raises ``ValueError`` there.

    Parameters
    ----------
    min_group : int
        The fewest episodes, at least one of them closed, that a group needs for its own curve to be used (>= 1).
    levels : sequence of str
        The names of the key's parts, most general first; every key has one part per level. The text names a
        fallback group by them ("child, any risk grade").

    Attributes
    ----------
    curves_ : dict
        Key prefix (a tuple, () for all episodes) -> its Curve, for every prefix of every key fitted.
    n_ : int
        Number of episodes fitted.
    """

    def __init__(self, min_group: int = 20, levels: Sequence[str] = ("age group", "risk grade")):
        self.min_group, self.levels = min_group, levels

    def fit(self, durations: Sequence[float], ended: Sequence[bool], keys: Sequence[Sequence[Hashable]]
            ) -> "DurationNorms":
        """Fit one curve per key prefix: episode i lasted ``durations[i]`` hours, and ended if ``ended[i]``.

        Durations are finite numbers of hours >= 0 (an open episode's is its time missing so far); ``ended`` holds
        booleans (or 0 and 1); ``keys[i]`` is a tuple with one part per level. Invalid input raises ``ValueError``
        naming its position.
        """
        self._min_group = _min_group(self.min_group)
        self._levels = _levels(self.levels)
        durations, ended, keys = _episodes(durations, ended, keys, len(self._levels))

        members: dict[tuple, list[int]] = {}
        for position, key in enumerate(keys):
            for length in range(len(key) + 1):
                members.setdefault(key[:length], []).append(position)
        self.curves_ = {prefix: _fit_curve(durations[positions], ended[positions])
                        for prefix, positions in members.items()}
        self.n_ = len(durations)
        return self

    def curve(self, prefix: Sequence[Hashable]) -> Curve | None:
        """The curve of a key prefix, () for all episodes; None when no episode fitted has that prefix."""
        return self.curves_.get(tuple(prefix))

    def median_hours(self, prefix: Sequence[Hashable]) -> float | None:
        """The prefix's Kaplan-Meier median: the first time the survival falls to 0.5 or below.

        None when it never does (too many episodes still open) or when no episode fitted has the prefix. The group's
        size is not checked against ``min_group``: the caller can read it from ``curve(prefix).n``.
        """
        curve = self.curve(prefix)
        if curve is None:
            return None
        below = np.flatnonzero(curve.survival <= 0.5 + _TOLERANCE)
        return float(curve.times[below[0]]) if below.size else None

    def compare(self, duration: float, key: Sequence[Hashable]) -> Comparison:
        """How ``duration`` hours compares with the episodes of ``key``, or of its longest prefix large enough.

        A group is large enough with at least ``min_group`` episodes, one of them closed. When none is, not even
        all episodes together, the Comparison has ``share_shorter`` None and says how many are needed.
        """
        if not _number(duration) or not math.isfinite(duration) or duration < 0:
            raise ValueError(f"duration must be a finite number of hours >= 0, not {duration!r}")
        duration = float(duration)
        key = _key(key, len(self._levels), "key")

        for length in range(len(key), -1, -1):
            group = key[:length]
            curve = self.curves_.get(group)
            if curve is not None and curve.n >= self._min_group and curve.events >= 1:
                share = min(max(1.0 - curve.at(duration), 0.0), 1.0)
                # Rounded down, so that 0.958 reads 95%; the tolerance keeps a computed 0.9499999999999999 at 95%.
                percent = math.floor(share * 100 + _TOLERANCE)
                text = (f"missing longer than {percent}% of similar episodes "
                        f"({self._label(group)}; {_episodes_text(curve.n)}")
                if group != key:
                    text += f"; {self._label(key)} has too few"
                return Comparison(duration, key, share, group, curve.n, curve.events, text + ")")

        everyone = self.curves_.get(())
        n, events = (everyone.n, everyone.events) if everyone is not None else (0, 0)
        return Comparison(duration, key, None, None, n, events,
                          f"not enough closed episodes to compare: needs {_episodes_text(self._min_group)}, "
                          f"at least 1 closed; there are {n}, {events} closed")

    def _label(self, prefix: tuple) -> str:
        """The prefix's parts, then "any <level>" for each level it leaves open: "child, any risk grade"."""
        return ", ".join([str(part) for part in prefix] + [f"any {level}" for level in self._levels[len(prefix):]])


def _fit_curve(durations: np.ndarray, ended: np.ndarray) -> Curve:
    fitter = KaplanMeierFitter().fit(durations, event_observed=ended)
    times = fitter.survival_function_.index.to_numpy(dtype=float)
    survival = fitter.survival_function_.iloc[:, 0].to_numpy(dtype=float)
    # lifelines starts its timeline at 0 with the survival after any episodes that ended at 0 hours; the curve
    # starts from everyone still missing, so that those episodes show as a drop at 0.
    if survival[0] < 1.0:
        times, survival = np.concatenate([[0.0], times]), np.concatenate([[1.0], survival])
    times.setflags(write=False)
    survival.setflags(write=False)
    return Curve(times=times, survival=survival, n=len(durations), events=int(np.count_nonzero(ended)))


def _episodes_text(n: int) -> str:
    return f"{n} episode" if n == 1 else f"{n} episodes"


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _min_group(min_group) -> int:
    if not isinstance(min_group, numbers.Integral) or isinstance(min_group, bool) or min_group < 1:
        raise ValueError(f"min_group must be a whole number of episodes >= 1, not {min_group!r}")
    return int(min_group)


def _levels(levels) -> tuple[str, ...]:
    if isinstance(levels, str) or not isinstance(levels, Sequence) or not all(isinstance(x, str) for x in levels):
        raise ValueError(f"levels must be a sequence of names, one per part of the key, not {levels!r}")
    return tuple(levels)


def _key(key, parts: int, name: str) -> tuple:
    """The key as a tuple of plain Python values, checked to have one part per level."""
    if isinstance(key, str) or not isinstance(key, Sequence | np.ndarray) or len(key) != parts:
        raise ValueError(f"{name} must be a tuple with {parts} part(s), one per level, not {key!r}")
    key = tuple(part.item() if isinstance(part, np.generic) else part for part in key)
    try:
        hash(key)
    except TypeError:
        raise ValueError(f"{name} is {key!r}: its parts must be hashable, such as strings") from None
    return key


def _episodes(durations, ended, keys, parts: int) -> tuple[np.ndarray, np.ndarray, list[tuple]]:
    """The durations as a float array, ``ended`` as a bool array and the keys as tuples, all checked.

    A duration that is missing, negative or infinite, an ``ended`` that is not a boolean and a key of the wrong
    length are errors, named by their position.
    """
    hours = np.asarray(durations, dtype=float)
    if hours.ndim != 1:
        raise ValueError(f"durations must be a flat sequence, one number of hours per episode, not of shape "
                         f"{hours.shape}")
    if isinstance(ended, str) or isinstance(keys, str):
        raise ValueError("ended and keys must be sequences with one value per episode, not a single string")
    # Read as Python values, not through NumPy, which would turn [True, "yes"] into the strings "True" and "yes".
    flags = [flag.item() if isinstance(flag, np.generic) else flag
             for flag in (ended.tolist() if isinstance(ended, np.ndarray) else ended)]
    keys = list(keys)
    if not len(hours) == len(flags) == len(keys):
        raise ValueError(f"there are {len(hours)} durations, {len(flags)} ended flags and {len(keys)} keys: "
                         f"one of each per episode")
    missing = np.flatnonzero(np.isnan(hours))
    if missing.size:
        raise ValueError(f"durations[{missing[0]}] is missing (NaN): every episode needs its duration in hours")
    invalid = np.flatnonzero(~np.isfinite(hours) | (hours < 0))
    if invalid.size:
        raise ValueError(f"durations[{invalid[0]}] is {hours[invalid[0]]}: durations are hours missing, so must be "
                         f"finite and >= 0")
    for position, flag in enumerate(flags):
        # 0 and 1 are accepted as False and True; anything else (a string, NaN, 2) is a mistake, not a flag.
        if not (isinstance(flag, bool) or (_number(flag) and flag in (0, 1))):
            raise ValueError(f"ended[{position}] is {flag!r}: ended must be True (the episode closed) or False "
                             f"(still open)")
    closed = np.array(flags, dtype=bool)
    return hours, closed, [_key(key, parts, f"keys[{position}]") for position, key in enumerate(keys)]
