"""Cell key perturbation: the method the Office for National Statistics used to protect Census 2021 tables.

Each record holds a random record key (0 to 255). A table cell's key is the sum of its records' keys, modulo
256; the noise added to the cell is looked up in a perturbation table (the "ptable") by the cell's count and
its key. So the same records always give the same noise, however the cell is asked for, while two cells that
differ by one record get unrelated noise: subtracting one published table from another no longer gives an
exact count, and asking again gives the same answer, so averaging does not remove the noise.

The ONS package `cell-key-perturbation` applies the method to microdata (one row per record). vcdhub counts
from pre-aggregated cells that carry their records' key sums (crime.cells), so this module applies the same
rule to (count, key sum) pairs; `tests/stats/test_perturbation.py` checks it against the package, table for
table. Its ptable format (columns pcv, ckey, pvalue) is used here too.
"""

from dataclasses import dataclass

import numpy as np

KEY_RANGE = 256  # record keys and cell keys 0..255, as the ONS package's default
MAX_PCV = 750  # counts above this reuse the ptable's last CYCLE rows, as the ONS package does
CYCLE = 250


@dataclass(frozen=True)
class PerturbationTable:
    """The noise for each perturbation cell value (pcv, 1 to max_pcv) and cell key (0 to key_range - 1).

    `pvalues[pcv, ckey]`; row 0 is unused, since an empty cell is never perturbed (it has no records, so no
    key, and nothing to hide).
    """

    pvalues: np.ndarray

    @property
    def max_pcv(self) -> int:
        return self.pvalues.shape[0] - 1

    @property
    def key_range(self) -> int:
        return self.pvalues.shape[1]

    @classmethod
    def from_columns(cls, pcv, ckey, pvalue) -> "PerturbationTable":
        """From the ONS package's ptable columns. Every (pcv, ckey) from (1, 0) to (max, max) must be given."""
        pcv, ckey, pvalue = (np.asarray(v, dtype=np.int64) for v in (pcv, ckey, pvalue))
        if pcv.min() < 1 or ckey.min() < 0:
            raise ValueError("pcv starts at 1 and ckey at 0")
        table = np.zeros((pcv.max() + 1, ckey.max() + 1), dtype=np.int64)
        seen = np.zeros_like(table, dtype=bool)
        table[pcv, ckey] = pvalue
        seen[pcv, ckey] = True
        if not seen[1:].all():
            raise ValueError("the ptable must give a pvalue for every pcv and every cell key")
        if (np.arange(table.shape[0])[:, None] + table < 0)[1:].any():
            raise ValueError("a pvalue may not make a count negative")
        return cls(table)

    @classmethod
    def balanced(cls, max_noise: int, *, seed: int, max_pcv: int = MAX_PCV,
                 key_range: int = KEY_RANGE) -> "PerturbationTable":
        """A ptable whose noise for a count n is spread evenly over -m..m, m = min(max_noise, n), with mean
        exactly zero over the cell keys (so totals are unbiased), shuffled differently for each count.

        A count of 1 or 2 may be shown as 0, so a zero does not prove an area had no records.

        >>> table = PerturbationTable.balanced(2, seed=7)
        >>> table.pvalues.shape
        (751, 256)
        >>> int(table.pvalues[1:].sum(axis=1).max()), int(abs(table.pvalues).max())
        (0, 2)
        >>> sorted(set(table.pvalues[1].tolist()))
        [-1, 0, 1]
        """
        if max_noise < 0:
            raise ValueError("max_noise must be at least 0")
        rng = np.random.default_rng(seed)
        table = np.zeros((max_pcv + 1, key_range), dtype=np.int64)
        for pcv in range(1, max_pcv + 1):
            m = min(max_noise, pcv)
            values = np.arange(-m, m + 1)
            whole = key_range // len(values) * len(values)
            row = np.zeros(key_range, dtype=np.int64)  # the keys left over get no noise, keeping the mean 0
            row[:whole] = np.tile(values, key_range // len(values))
            table[pcv] = rng.permutation(row)
        return cls(table)

    def columns(self) -> dict[str, np.ndarray]:
        """The ptable as the ONS package's columns (pcv, ckey, pvalue)."""
        pcv, ckey = np.meshgrid(np.arange(1, self.max_pcv + 1), np.arange(self.key_range), indexing="ij")
        return {"pcv": pcv.ravel(), "ckey": ckey.ravel(), "pvalue": self.pvalues[1:].ravel()}


class CellKeyPerturbation:
    """Perturb counts by their cell keys.

    Parameters
    ----------
    table : PerturbationTable

    Attributes
    ----------
    cell_keys_ : ndarray
        Each cell's key: its records' key sum modulo the table's key range.
    noise_ : ndarray
        The noise added to each cell (0 for an empty cell).
    perturbed_ : ndarray
        The counts with their noise: never negative.

    Examples
    --------
    >>> table = PerturbationTable.balanced(2, seed=7)
    >>> ckp = CellKeyPerturbation(table).fit([0, 3, 3, 900], [0, 10, 10, 12345])
    >>> int(ckp.perturbed_[0]), bool(ckp.perturbed_[1] == ckp.perturbed_[2])  # no records: 0; same records, same noise
    (0, True)
    >>> bool(abs(ckp.perturbed_ - [0, 3, 3, 900]).max() <= 2)
    True
    """

    def __init__(self, table: PerturbationTable):
        self.table = table

    def fit(self, counts, key_sums) -> "CellKeyPerturbation":
        counts = np.asarray(counts, dtype=np.int64)
        key_sums = np.asarray(key_sums, dtype=np.int64)
        if counts.shape != key_sums.shape:
            raise ValueError("counts and key_sums must have the same shape")
        if (counts < 0).any():
            raise ValueError("counts cannot be negative")
        table = self.table
        self.cell_keys_ = key_sums % table.key_range
        start = table.max_pcv - CYCLE + 1  # counts beyond the table reuse its last CYCLE rows
        pcv = np.where(counts <= table.max_pcv, counts, (counts - 1) % CYCLE + start)
        self.noise_ = np.where(counts > 0, table.pvalues[pcv, self.cell_keys_], 0)
        self.perturbed_ = counts + self.noise_
        return self
