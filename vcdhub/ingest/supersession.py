"""Supersession: a republished kind, force and month replaces exactly those rows, and a file whose content
(SHA-256) the database already holds is not imported again."""

from django.db import connection

from vcdhub.crime.choices import Kind
from vcdhub.crime.models import CrimeFlags, ImportBatch
from vcdhub.ingest.writers import delete_where, where_clause
from vcdhub.platform.months import parse_month

FORCE_COLUMN = {Kind.STREET: "reported_by", Kind.OUTCOMES: "reported_by", Kind.STOP_AND_SEARCH: "force"}


def current_batch(sha256: str) -> ImportBatch | None:
    """The batch that holds this content now, if any; a superseded copy does not count."""
    return ImportBatch.objects.filter(sha256=sha256, superseded_by__isnull=True).first()


def current_sha256() -> frozenset[str]:
    return frozenset(ImportBatch.objects.filter(superseded_by__isnull=True).values_list("sha256", flat=True))


def _batches_holding(kind: str, *, exclude: int) -> dict[tuple[str, str], list[int]] | None:
    """For each (force, month), the earlier batches of this kind that brought rows for it; None if that is not
    known.

    A batch's periods are worked out from its own rows, and every row has a batch, so a period that no
    batch lists has no rows. A batch without periods (made by hand) means: do not rely on this.
    """
    holding: dict[tuple[str, str], list[int]] = {}
    for pk, periods in ImportBatch.objects.filter(kind=kind).exclude(pk=exclude).values_list("pk", "periods"):
        if not periods:
            return None
        for force, month in periods:
            holding.setdefault((force, month), []).append(pk)
    return holding


def delete_periods(batch: ImportBatch, model, periods) -> int:
    """Delete the rows earlier files brought for `periods`, in the caller's transaction; returns how many.

    The rows are found through the batches that hold them (the batch key's index), so no index on force and
    month is needed: such an index cost every bulk load a build and served no other query. A file written in
    blocks calls this once for each period as it first meets it, never twice for one period: the second call
    would delete the rows its own earlier blocks wrote.
    """
    table = model._meta.db_table
    force_column = FORCE_COLUMN[batch.kind]
    replaced = 0
    holding = _batches_holding(batch.kind, exclude=batch.pk)
    for force, month in periods:
        batches = None if holding is None else holding.get((force, month))
        if holding is not None and not batches:
            continue  # no earlier file has rows here: skip a DELETE that would find nothing
        conditions = {force_column: force, "month": parse_month(month).isoformat()}
        if batches:
            conditions["batch_id"] = batches
        if batch.kind == Kind.STREET:
            where, params = where_clause(conditions)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {CrimeFlags._meta.db_table} WHERE crime_id IN "  # noqa: S608
                               f"(SELECT id FROM {table} WHERE {where})", params)
        replaced += delete_where(table, conditions)
    return replaced


def mark_superseded(batch: ImportBatch, periods) -> None:
    """Mark the current batches that `periods` (all the periods of `batch`'s file) wholly cover as
    superseded by `batch`."""
    covered = {tuple(p) for p in periods}
    for old in ImportBatch.objects.filter(kind=batch.kind, superseded_by__isnull=True).exclude(pk=batch.pk):
        if {tuple(p) for p in old.periods} <= covered:
            old.superseded_by = batch
            old.save(update_fields=["superseded_by"])
