"""Import police.uk files: each file all-or-nothing, idempotent, and superseding older copies of its data.

    summary = run_import([Path("2017-07")], actor="cli:alice")

A file is parsed and checked completely before anything is written (parsing). Any bad row rejects the whole
file, and the rejection lists every bad row. A good file is written in one transaction (one_file) that first
removes the rows of any earlier file for the same kind, force and month (supersession: police.uk republishes
months), so the database never holds two copies of a month. Large PostgreSQL loads write in parallel (bulk).
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from vcdhub.audit.context import acting_as_name
from vcdhub.crime import cells
from vcdhub.crime.models import Crime, Outcome, StopSearch
from vcdhub.geography.placement import AreaResolver
from vcdhub.ingest.bulk import BULK_THRESHOLD_BYTES, BULK_WRITERS, import_in_parallel
from vcdhub.ingest.files import SourceFile, discover
from vcdhub.ingest.one_file import FileResult, finish, prepare, record_rejections
from vcdhub.ingest.parsing import parse_file
from vcdhub.ingest.recovery import recover
from vcdhub.ingest.supersession import current_sha256
from vcdhub.ingest.writers import SecondaryIndexesDropped, analyze
from vcdhub.platform import crashpoints

__all__ = ["FileResult", "ImportSummary", "parse_file", "run_import"]


@dataclass
class ImportSummary:
    files: list[FileResult]
    seconds: float

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def ok(self) -> bool:
        return self.count("rejected") == 0

    def totals(self) -> dict:
        return {
            "files": len(self.files),
            "files_imported": self.count("imported"),
            "files_unchanged": self.count("unchanged"),
            "files_rejected": self.count("rejected"),
            "rows_read": sum(f.rows_read for f in self.files),
            "rows_imported": sum(f.rows_imported for f in self.files),
            "rows_rejected": sum(f.rows_rejected for f in self.files),
            "rows_replaced": sum(f.rows_replaced for f in self.files),
            "seconds": round(self.seconds, 3),
        }

    def as_dict(self) -> dict:
        return {**self.totals(), "ok": self.ok, "details": [f.as_dict() for f in self.files]}

    def sentence(self) -> str:
        t = self.totals()
        return (f"{t['files']} files: {t['files_imported']} imported, {t['files_unchanged']} unchanged, "
                f"{t['files_rejected']} rejected. Rows: {t['rows_read']} read, {t['rows_imported']} imported, "
                f"{t['rows_rejected']} rejected, {t['rows_replaced']} replaced. {t['seconds']:.1f} s.")


def run_import(paths: list[Path], *, actor: str, force: str = "", month: str = "",
               on_file: Callable[[SourceFile], None] | None = None,
               tick: Callable[[int], None] | None = None,
               sources: list[SourceFile] | None = None, bulk: bool | None = None) -> ImportSummary:
    """Import every file under `paths`. Raises files.UsageError for a path that does not exist.

    `bulk`: None decides by size (BULK_THRESHOLD_BYTES); True or False forces it. Each file is still
    all-or-nothing in bulk mode; only the indexes are deferred, and on PostgreSQL files are written on
    BULK_WRITERS connections at once.
    """
    began = time.perf_counter()
    sources = discover(paths) if sources is None else sources
    recover()  # what an earlier load, killed before its end, left out (ingest.recovery)
    if bulk is None:
        bulk = sum(s.size for s in sources) > BULK_THRESHOLD_BYTES
    bulk = bulk and not connection.in_atomic_block
    writers = BULK_WRITERS if bulk and connection.vendor == "postgresql" else 1
    # In bulk mode the crime cells' triggers are deferred with the indexes: each file counts its own cells.
    with ExitStack() as deferred:
        if bulk:
            # The cells' key index is built with the crime table's indexes, in the same parallel run; then
            # cells.deferred ends (contexts end in reverse) and finds it there, or builds it.
            deferred.enter_context(cells.deferred())
            deferred.enter_context(SecondaryIndexesDropped(Crime, alongside=cells.key_index_sqls()))
            crashpoints.reached("load:deferred")
        run = import_in_parallel if writers > 1 else _import_all
        results = run(sources, actor=actor, force=force, month=month, on_file=on_file, tick=tick, writers=writers)
    with acting_as_name(actor):
        record_rejections(sources, results)
    summary = ImportSummary(results, time.perf_counter() - began)
    if not bulk and summary.totals()["rows_imported"] >= ANALYZE_AFTER_ROWS and not connection.in_atomic_block:
        analyze(Crime, Outcome, StopSearch)  # a bulk load analyzes as it ends (writers.SecondaryIndexesDropped)
    return summary


# An import of this many rows or more refreshes the planner's statistics as it ends: without them PostgreSQL
# estimated 1,832 rows for 366,440, and chose plans for a table a two-hundredth of its size.
ANALYZE_AFTER_ROWS = 50_000


def _import_all(sources, *, actor, force, month, on_file, tick, writers=1) -> list[FileResult]:
    """Import the files in order, checking the next file in a worker thread while this one is written.

    The worker touches no database; reading, decompressing and the columnar checks release the GIL, so
    on a machine with a free core the checks overlap the database's work.
    """
    resolver = AreaResolver.from_database()
    unchanged = current_sha256()
    results = []

    def submit(pool, source):
        return pool.submit(prepare, source, force=force, month=month, skip_sha256=unchanged, tick=tick)

    with acting_as_name(actor), ThreadPoolExecutor(max_workers=1, thread_name_prefix="vcdhub-prepare") as pool:
        upcoming = submit(pool, sources[0]) if sources else None
        for position, source in enumerate(sources):
            prepared = upcoming.result()
            upcoming = submit(pool, sources[position + 1]) if position + 1 < len(sources) else None
            if on_file:
                on_file(source)
            results.append(finish(prepared, actor=actor, resolver=resolver, force=force, month=month, tick=tick))
    return results
