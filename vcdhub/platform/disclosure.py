"""The one disclosure policy: what a user sees of counts and other aggregates.

Two questions, answered here and nowhere else:

1. **Which records a count covers** (`countable`). A user who reads records counts exactly the records they
   may see, so a list, a map, the counts API and an analysis agree, and no count reveals a record its reader
   could not open. A user who reads aggregates only (authority members, users with no role, partner
   accounts) counts the open, OFFICIAL records: sensitive record types are never in the open aggregate
   channel, whoever asks.
2. **How exact a figure may be** (`Disclosure`). Aggregate-only readers get small cells withheld (1 to
   VCDHUB_MIN_CELL - 1; zero is shown, there is nobody to identify), and a total is shown as "at least N"
   whenever a cell is withheld, so a withheld cell cannot be worked out as the total minus the cells shown.

The map, the counts API, the places pages, the performance page and the authority's report all ask this
module. Withholding alone does not stop differencing between two filters (X+Y minus Y): counts that come with
their records' key sums (the crime cells' counts API and map) are perturbed for aggregate-only readers first
(cell key perturbation: docs/disclosure.md).
"""

from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl
from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from vcdhub.access.choices import Sensitivity
from vcdhub.access.policy import marking_visibility_q
from vcdhub.platform.permissions import reads_records
from vcdhub.stats.perturbation import CellKeyPerturbation, PerturbationTable


def open_records(queryset: QuerySet) -> QuerySet:
    """The records of the open aggregate channel: OFFICIAL only. Outputs that every role reads or that are
    stored and shared (place runs, the performance page, equality, the authority's report) count these, so
    no sensitive record type is counted where its records would be hidden."""
    return queryset.filter(sensitivity=Sensitivity.OFFICIAL)


def countable(queryset: QuerySet, user) -> QuerySet:
    """The records `user`'s counts may cover (see the module docstring)."""
    if reads_records(user):
        return queryset.restrict(user)
    return open_records(queryset)


def countable_cells(cells: QuerySet, user, record_model) -> QuerySet | None:
    """`countable` for a table of counts of `record_model`'s records that keeps their owning unit and marking
    as columns (such as crime.CrimeCell): the cells of exactly the records `countable` would count. None when
    only the rows can say (the user holds a grant to single records): count `countable(rows)` then."""
    if reads_records(user):
        q = marking_visibility_q(user, record_model)
        return None if q is None else cells.filter(q)
    return open_records(cells)


@lru_cache(maxsize=1)
def _perturbation_table(path: str, max_noise: int, seed: int) -> PerturbationTable:
    if path:  # a ptable in the ONS package's format: columns pcv, ckey, pvalue
        frame = pl.read_csv(path, columns=["pcv", "ckey", "pvalue"])
        return PerturbationTable.from_columns(frame["pcv"], frame["ckey"], frame["pvalue"])
    return PerturbationTable.balanced(max_noise, seed=seed)


def perturbation_table() -> PerturbationTable:
    """The configured ptable (docs/disclosure.md): VCDHUB_PTABLE, or one built from
    VCDHUB_PERTURBATION_MAX_NOISE and VCDHUB_PERTURBATION_SEED."""
    return _perturbation_table(settings.VCDHUB_PTABLE, settings.VCDHUB_PERTURBATION_MAX_NOISE,
                               settings.VCDHUB_PERTURBATION_SEED)


@dataclass(frozen=True)
class Disclosure:
    """How exact the figures shown to one reader may be. `minimum` None: exact (the reader reads records).

    `perturbation`: for aggregate-only readers, counts that come with their records' key sums are perturbed
    (cell key perturbation, stats.perturbation) before small ones are withheld, so that differences between
    tables do not give withheld counts back.
    """

    minimum: int | None = None
    perturbation: PerturbationTable | None = field(default=None, compare=False, repr=False)

    @classmethod
    def for_user(cls, user) -> "Disclosure":
        return cls() if reads_records(user) else cls.aggregate_only()

    @classmethod
    def aggregate_only(cls) -> "Disclosure":
        """The protected view, for outputs made for aggregate-only readers (the authority's report)."""
        return cls(settings.VCDHUB_MIN_CELL, perturbation_table())

    @property
    def protects(self) -> bool:
        return self.minimum is not None

    @property
    def perturbs(self) -> bool:
        return self.perturbation is not None

    def perturbed(self, counts: dict, key_sums: dict) -> dict:
        """Each count with its cell key noise (counts are unchanged for a reader who is not protected)."""
        if not self.perturbs or not counts:
            return dict(counts)
        keys = list(counts)
        ckp = CellKeyPerturbation(self.perturbation).fit([counts[k] for k in keys], [key_sums[k] for k in keys])
        return {k: int(v) for k, v in zip(keys, ckp.perturbed_, strict=True)}

    def count(self, queryset: QuerySet, **cells: Q | None) -> dict[str, int]:
        """Counts of `queryset`'s records, one per named cell (a condition, or None for every record), in one
        query: exact, or perturbed for a reader who gets perturbation (from the records' keys)."""
        counts = {name: Count("pk", filter=q) for name, q in cells.items()}
        if not self.perturbs:
            return queryset.aggregate(**counts)
        keys = {f"{name}__key": Sum("record_key", filter=q) for name, q in cells.items()}
        rows = queryset.aggregate(**counts, **keys)
        return self.perturbed({name: rows[name] for name in cells}, {name: rows[f"{name}__key"] or 0 for name in cells})

    def count_by(self, queryset: QuerySet, field_name: str) -> dict:
        """Counts of `queryset`'s records by the value of one field, exact or perturbed as `count`."""
        grouped = queryset.order_by().values(field_name)
        if not self.perturbs:
            return dict(grouped.annotate(n=Count("pk")).values_list(field_name, "n"))
        rows = list(grouped.annotate(n=Count("pk"), k=Sum("record_key")).values_list(field_name, "n", "k"))
        return self.perturbed({v: n for v, n, _ in rows}, {v: k for v, _, k in rows})

    def counts_by(self, queryset: QuerySet, field_name: str, **cells: Q | None) -> dict:
        """Named counts (as `count`) for each value of one field: {value: {name: n}}, in one query, exact or
        perturbed cell by cell."""
        grouped = queryset.order_by().values(field_name)
        counts = {name: Count("pk", filter=q) for name, q in cells.items()}
        if not self.perturbs:
            return {row[field_name]: {name: row[name] for name in cells} for row in grouped.annotate(**counts)}
        keys = {f"{name}__key": Sum("record_key", filter=q) for name, q in cells.items()}
        rows = list(grouped.annotate(**counts, **keys))
        flat = {(row[field_name], name): row[name] for row in rows for name in cells}
        noisy = self.perturbed(flat, {(row[field_name], name): row[f"{name}__key"] or 0
                                      for row in rows for name in cells})
        return {row[field_name]: {name: noisy[(row[field_name], name)] for name in cells} for row in rows}

    def is_small(self, n) -> bool:
        """A count this reader may not see: from 1 to minimum - 1."""
        return self.minimum is not None and isinstance(n, int | float) and not isinstance(n, bool) \
            and 0 < n < self.minimum

    def cell(self, n):
        """The count, or None when withheld."""
        return None if self.is_small(n) else n

    def cells(self, counts: dict) -> tuple[dict, bool]:
        """Every cell as this reader may see it, and whether any was withheld."""
        shown = {key: self.cell(n) for key, n in counts.items()}
        return shown, any(shown[key] is None and counts[key] is not None for key in counts)

    def total(self, total, *, any_withheld: bool, shown_sum: int | None = None) -> tuple[int | None, int | None]:
        """(exact total or None, "at least" figure or None). With any cell withheld the exact total would give
        the withheld cells back by subtraction, so only a lower bound is shown: the cells shown, plus one for
        each withheld cell is not added (a bound must not reveal how many were withheld beyond one)."""
        if any_withheld:
            return None, max(shown_sum or 0, 1)
        return self.cell(total), None

    def count_text(self, n) -> str:
        if n is None:
            return f"fewer than {self.minimum}" if self.minimum else "—"
        return f"{n:,}"

    def total_text(self, total, at_least) -> str:
        if total is None and at_least is not None:
            return f"at least {at_least:,}"
        return self.count_text(total)
