"""Import police.uk files: each file all-or-nothing, idempotent, and superseding older copies of its data.

    summary = run_import([Path("2017-07")], actor="cli:alice")

A file is parsed and checked completely before anything is written. Any bad row rejects the whole
file, and the rejection lists every bad row. A good file is written in one transaction that first
removes the rows of any earlier file for the same kind, force and month (police.uk republishes months),
so the database never holds two copies of a month.
"""

import contextvars
import csv
import hashlib
import io
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl
from django.db import connection, connections, transaction
from django.utils import timezone

from vcdhub.audit.context import acting_as
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.crime.choices import Kind
from vcdhub.crime.forces import force_name
from vcdhub.crime.models import Crime, CrimeFlags, ImportBatch, Outcome, StopSearch
from vcdhub.crime.policeuk import (
    STOP_SEARCH,
    ParsedRow,
    RowContext,
    Schema,
    describe_header_mismatch,
    detect_schema,
    police_month,
)
from vcdhub.geography.placement import UNPLACED, AreaResolver
from vcdhub.ingest.files import SourceFile, UnreadableFile, discover
from vcdhub.ingest.sources.policeuk import columnar
from vcdhub.ingest.writers import (
    SecondaryIndexesDropped,
    bulk_insert,
    bulk_insert_frame,
    delete_where,
    ensure_indexes,
)
from vcdhub.platform.months import parse_month
from vcdhub.platform.rowerrors import RowError

MAX_ERRORS_KEPT = 1000  # per file; the count of bad rows is always exact
MODEL_FOR_KIND = {Kind.STREET: Crime, Kind.OUTCOMES: Outcome, Kind.STOP_AND_SEARCH: StopSearch}
FORCE_COLUMN = {Kind.STREET: "reported_by", Kind.OUTCOMES: "reported_by", Kind.STOP_AND_SEARCH: "force"}
STOP_SEARCH_NAME = re.compile(r"^(\d{4}-\d{2})-(.+)-stop-and-search\.csv(\.gz)?$")

csv.field_size_limit(1_000_000)  # longer fields are caught by the length checks, with a line number


@dataclass
class FileResult:
    name: str
    source: str
    status: str  # imported | unchanged | rejected
    kind: str = ""
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rows_replaced: int = 0
    periods: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    batch_id: int | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["errors"] = [e.as_dict() for e in self.errors]
        return data


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


@dataclass
class ParsedFile:
    """A checked file: rows from the row parser, or a whole frame from the columnar fast path."""

    schema: Schema
    rows: list[ParsedRow]
    rows_read: int
    ctx: RowContext
    frame: pl.DataFrame | None = None

    def periods(self) -> list[tuple[str, str]]:
        if self.frame is not None:
            return sorted(self.frame.select("reported_by", "period_month").unique().rows())
        return sorted({row.period for row in self.rows})


def _decode(data: bytes) -> tuple[str | None, list[RowError]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    errors = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line[exc.start:exc.start + 1]
            errors.append(RowError(number, None, f"byte 0x{bad.hex()} at position {exc.start + 1} is not UTF-8; "
                                                 "police.uk files are UTF-8 (was it saved as Latin-1?)"))
            if len(errors) >= MAX_ERRORS_KEPT:
                break
    return None, errors


def _file_context(schema: Schema, name: str, force: str, month: str, errors: list[RowError]) -> RowContext:
    if schema is not STOP_SEARCH:
        return RowContext()
    match = STOP_SEARCH_NAME.match(name)
    month = month or (match.group(1) if match else "")
    # Stored as the force's name, as street rows carry it, so one force filter serves every kind of record.
    force = force_name(force or (match.group(2) if match else ""))
    longest = StopSearch._meta.get_field("force").max_length
    if not force or not month:
        errors.append(RowError(None, None, "stop-and-search files carry no force or month column: name the file "
                                           "YYYY-MM-<force>-stop-and-search.csv or pass --force and --month"))
    elif len(force) > longest:
        errors.append(RowError(None, None, f"the force name is {len(force)} characters, more than the {longest} "
                                           "allowed"))
    else:
        try:
            police_month(month)
        except ValueError as exc:
            errors.append(RowError(None, None, str(exc)))
    return RowContext(force=force, month=month)


def parse_file(
    source: SourceFile, data: bytes, *, force: str = "", month: str = "", tick: Callable[[int], None] | None = None
) -> tuple[ParsedFile | None, int, int, list[RowError]]:
    """Check every row of a file. Returns (parsed or None, rows read, rows rejected, errors)."""
    text, errors = _decode(data)
    if text is None:
        return None, 0, len(errors), errors
    if not text.strip():
        return None, 0, 0, [RowError(None, None, "the file is empty")]
    # strict: a quote left open must be an error, not a field that silently swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        return None, 0, 0, [RowError(1, None, f"header cannot be read as CSV ({exc})")]
    schema = detect_schema(header)
    if schema is None:
        return None, 0, 0, [RowError(1, None, describe_header_mismatch(header))]
    ctx = _file_context(schema, source.name, force, month, errors)
    if errors:
        return None, 0, 0, errors
    frame = columnar.parse_clean(text, schema, ctx)
    if frame is not None:
        if tick:
            tick(frame.height)
        return ParsedFile(schema, [], frame.height, ctx, frame), frame.height, 0, []
    width = len(schema.header)
    parse = schema.parse
    rows: list[ParsedRow] = []
    bad_lines: set[int] = set()
    rows_read = 0
    kept: list[RowError] = []
    while True:
        line = reader.line_num + 1  # where the next record starts; a quoted field may carry it over more lines
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The CSV structure itself is broken here (e.g. an unclosed quote); later lines cannot be trusted.
            kept.append(RowError(line, None, f"CSV cannot be read past here ({exc}; is a quote left open?)"
                                 if reader.line_num > line else f"CSV cannot be read past here ({exc})"))
            bad_lines.add(line)
            break
        rows_read += 1
        if tick and rows_read % 10_000 == 0:
            tick(10_000)
        if len(fields) != width:
            if not fields:
                rows_read -= 1  # a blank line, e.g. at the end of a hand-edited file
                continue
            bad_lines.add(line)
            if len(kept) < MAX_ERRORS_KEPT:
                kept.append(RowError(line, None, f"{len(fields)} fields, expected {width}"))
            continue
        row_errors: list[RowError] = []
        parsed = parse(fields, line, ctx, row_errors)
        if parsed is None:
            bad_lines.add(line)
            room = MAX_ERRORS_KEPT - len(kept)
            if room > 0:
                kept.extend(row_errors[:room])
        elif not bad_lines:
            rows.append(parsed)  # once a file is rejected, stop keeping good rows
    if tick:
        tick(rows_read % 10_000)
    if not kept and rows_read == 0:
        kept.append(RowError(None, None, "the file has a header but no rows"))
    if kept:
        return None, rows_read, len(bad_lines), kept
    return ParsedFile(schema, rows, rows_read, ctx), rows_read, 0, []


def _place(rows: list[ParsedRow], resolver: AreaResolver) -> list[tuple]:
    places = [resolver.by_code.get(r.lsoa_code, UNPLACED) if r.lsoa_code else UNPLACED for r in rows]
    by_point = [i for i, r in enumerate(rows) if places[i] is UNPLACED and r.lon is not None]
    if by_point:
        found = resolver.by_points([rows[i].lon for i in by_point], [rows[i].lat for i in by_point])
        for i, place in zip(by_point, found, strict=True):
            places[i] = place
    return places


def _place_frame(frame: pl.DataFrame, resolver: AreaResolver) -> pl.DataFrame:
    """The frame with lsoa_id, ward_id and borough_id: by LSOA code, else by point, as _place does."""
    placed = frame.join(resolver.code_frame(), on="lsoa_code", how="left", maintain_order="left")
    by_point = placed.select(
        pl.arg_where(pl.col("lsoa_id").is_null() & pl.col("longitude").is_not_null())).to_series()
    if by_point.len():
        points = placed[by_point]
        found = resolver.by_points(points["longitude"].to_list(), points["latitude"].to_list())
        for position, name in enumerate(("lsoa_id", "ward_id", "borough_id")):
            values = pl.Series([place[position] for place in found], dtype=pl.Int64)
            placed = placed.with_columns(placed[name].scatter(by_point, values))
    return placed


def _periods_held(kind: str, *, exclude: int) -> set[tuple[str, str]] | None:
    """Every (force, month) that earlier files of this kind brought rows for; None if that is not known.

    A batch's periods are worked out from its own rows, and every row has a batch, so a period that no
    batch lists has no rows. A batch without periods (made by hand) means: do not rely on this.
    """
    held: set[tuple[str, str]] = set()
    for periods in ImportBatch.objects.filter(kind=kind).exclude(pk=exclude).values_list("periods", flat=True):
        if not periods:
            return None
        held.update((force, month) for force, month in periods)
    return held


def _write(parsed: ParsedFile, source: SourceFile, sha256: str, actor: str, started, resolver) -> FileResult:
    schema = parsed.schema
    model = MODEL_FOR_KIND[schema.kind]
    table = model._meta.db_table
    periods = parsed.periods()
    force_column = FORCE_COLUMN[schema.kind]
    result = FileResult(source.name, source.source, "imported", kind=schema.kind, rows_read=parsed.rows_read,
                        periods=[list(p) for p in periods])
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=source.name[:255], source=source.source[:1024], sha256=sha256, kind=schema.kind,
            force=periods[0][0], month=parse_month(periods[0][1]), periods=[list(p) for p in periods],
            rows=parsed.rows_read, imported_by=actor, started_at=started, finished_at=timezone.now(),
        )
        held = _periods_held(schema.kind, exclude=batch.pk)
        for force, month in periods:
            if held is not None and (force, month) not in held:
                continue  # no earlier file has rows here: skip a DELETE that would scan the table for nothing
            month_iso = parse_month(month).isoformat()
            if schema.kind == Kind.STREET:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {CrimeFlags._meta.db_table} WHERE crime_id IN "  # noqa: S608
                        f"(SELECT id FROM {table} WHERE reported_by = %s AND month = %s)", [force, month_iso])
            result.rows_replaced += delete_where(table, {force_column: force, "month": month_iso})
        covered = {tuple(p) for p in periods}
        for old in ImportBatch.objects.filter(kind=schema.kind, superseded_by__isnull=True).exclude(pk=batch.pk):
            if {tuple(p) for p in old.periods} <= covered:
                old.superseded_by = batch
                old.save(update_fields=["superseded_by"])
        columns = (*schema.columns, "lsoa_id", "ward_id", "borough_id", "batch_id")
        batch_id = batch.pk
        if parsed.frame is not None:
            frame = _place_frame(parsed.frame, resolver).with_columns(batch_id=pl.lit(batch_id, dtype=pl.Int64))
            result.rows_imported = bulk_insert_frame(table, frame.select(columns))
        else:
            places = _place(parsed.rows, resolver)
            result.rows_imported = bulk_insert(table, columns, (
                (*row.values, *place, batch_id) for row, place in zip(parsed.rows, places, strict=True)))
        batch.finished_at = timezone.now()
        batch.save(update_fields=["finished_at"])
        record_event(EntryKind.IMPORT, "import", batch, reason=f"imported {source.source}", detail={
            "sha256": sha256, "kind": schema.kind, "periods": result.periods, "rows": result.rows_imported,
            "rows_replaced": result.rows_replaced})
    result.batch_id = batch.pk
    return result


@dataclass
class PreparedFile:
    """A file read, hashed and checked, with no database access: safe to make in a worker thread."""

    source: SourceFile
    started: object
    sha256: str = ""
    parsed: ParsedFile | None = None
    rejected: FileResult | None = None


def prepare(source: SourceFile, *, force: str = "", month: str = "", skip_sha256: frozenset[str] = frozenset(),
            tick: Callable[[int], None] | None = None) -> PreparedFile:
    """Read and check one file. A file whose sha256 is in `skip_sha256` is not parsed (it is unchanged)."""
    prepared = PreparedFile(source, timezone.now())
    try:
        data = source.read()
    except UnreadableFile as exc:
        prepared.rejected = FileResult(source.name, source.source, "rejected", errors=[RowError(None, None, str(exc))])
        return prepared
    prepared.sha256 = hashlib.sha256(data).hexdigest()
    if prepared.sha256 in skip_sha256:
        return prepared
    parsed, rows_read, rows_rejected, errors = parse_file(source, data, force=force, month=month, tick=tick)
    if parsed is None:
        prepared.rejected = FileResult(source.name, source.source, "rejected", rows_read=rows_read,
                                       rows_rejected=rows_rejected, errors=errors)
    prepared.parsed = parsed
    return prepared


def finish(prepared: PreparedFile, *, actor: str, resolver: AreaResolver, force: str = "", month: str = "",
           tick: Callable[[int], None] | None = None) -> FileResult:
    """Write a prepared file, unless the database already holds it (checked now, not when it was prepared)."""
    if prepared.rejected is not None:
        return prepared.rejected
    current = ImportBatch.objects.filter(sha256=prepared.sha256, superseded_by__isnull=True).first()
    if current is not None:
        source = prepared.source
        return FileResult(source.name, source.source, "unchanged", kind=current.kind, rows_read=current.rows,
                          periods=current.periods, batch_id=current.pk)
    if prepared.parsed is None:  # skipped as unchanged when prepared, but its batch has since been superseded
        prepared = prepare(prepared.source, force=force, month=month, tick=tick)
        return finish(prepared, actor=actor, resolver=resolver, force=force, month=month, tick=tick)
    return _write(prepared.parsed, prepared.source, prepared.sha256, actor, prepared.started, resolver)


def _current_sha256() -> frozenset[str]:
    return frozenset(ImportBatch.objects.filter(superseded_by__isnull=True).values_list("sha256", flat=True))


# A load bigger than this (compressed bytes, about 18 months of a large force's street files) runs in bulk
# mode: the crime table's secondary indexes are dropped for the load and built again at the end.
BULK_THRESHOLD_BYTES = 50 * 1024 * 1024


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
    if not connection.in_atomic_block:  # index DDL cannot run inside a caller's transaction on SQLite
        ensure_indexes(Crime)  # an earlier bulk load that was killed may have left them dropped
    if bulk is None:
        bulk = sum(s.size for s in sources) > BULK_THRESHOLD_BYTES
    bulk = bulk and not connection.in_atomic_block
    writers = BULK_WRITERS if bulk and connection.vendor == "postgresql" else 1
    with SecondaryIndexesDropped(Crime) if bulk else nullcontext():
        run = _import_in_parallel if writers > 1 else _import_all
        results = run(sources, actor=actor, force=force, month=month, on_file=on_file, tick=tick, writers=writers)
    return ImportSummary(results, time.perf_counter() - began)


# PostgreSQL connections writing files at once in a bulk load: each COPY keeps one server process busy.
BULK_WRITERS = 2


def _record_rejection(source: SourceFile, result: FileResult) -> None:
    record_event(EntryKind.IMPORT, "import_rejected", object_type="file", object_id=source.name[:64],
                 reason=f"rejected {source.source}",
                 detail={"rows_rejected": result.rows_rejected, "errors": [e.as_dict() for e in result.errors[:20]]})


def _import_all(sources, *, actor, force, month, on_file, tick, writers=1) -> list[FileResult]:
    """Import the files in order, checking the next file in a worker thread while this one is written.

    The worker touches no database; reading, decompressing and the columnar checks release the GIL, so
    on a machine with a free core the checks overlap the database's work.
    """
    resolver = AreaResolver.from_database()
    unchanged = _current_sha256()
    results = []

    def submit(pool, source):
        return pool.submit(prepare, source, force=force, month=month, skip_sha256=unchanged, tick=tick)

    with acting_as(actor), ThreadPoolExecutor(max_workers=1, thread_name_prefix="vcdhub-prepare") as pool:
        upcoming = submit(pool, sources[0]) if sources else None
        for position, source in enumerate(sources):
            prepared = upcoming.result()
            upcoming = submit(pool, sources[position + 1]) if position + 1 < len(sources) else None
            if on_file:
                on_file(source)
            results.append(finish(prepared, actor=actor, resolver=resolver, force=force, month=month, tick=tick))
            if results[-1].status == "rejected":
                _record_rejection(source, results[-1])
    return results


def _conflict_keys(prepared: PreparedFile) -> set:
    """What two files must not write at the same time: the same content, or the same kind, force and month."""
    keys: set = {("sha256", prepared.sha256)} if prepared.sha256 else set()
    if prepared.parsed is not None:
        keys |= {(prepared.parsed.schema.kind, *period) for period in prepared.parsed.periods()}
    return keys


def _import_in_parallel(sources, *, actor, force, month, on_file, tick, writers) -> list[FileResult]:
    """Bulk loads on PostgreSQL: files are checked here, in order, and written by `writers` threads, each on
    its own connection and in its own transaction per file, as in a sequential import.

    Order still decides: a file waits while an earlier file with the same content or the same kind, force
    and month is unwritten, so a republished month supersedes the older one exactly as it would one file at
    a time. At most writers + 1 checked files are held in memory.
    """
    resolver = AreaResolver.from_database()
    resolver.code_frame()  # built once here rather than raced for by the writers
    unchanged = _current_sha256()
    results: list[FileResult | None] = [None] * len(sources)
    unwritten: dict[int, set] = {}
    turn = threading.Condition()
    room = threading.Semaphore(writers + 1)

    def write(position: int, prepared: PreparedFile) -> None:
        try:
            keys = unwritten[position]
            with turn:
                turn.wait_for(lambda: not any(keys & other for p, other in unwritten.items() if p < position))
            try:
                with acting_as(actor):
                    result = finish(prepared, actor=actor, resolver=resolver, force=force, month=month, tick=tick)
                    if result.status == "rejected":
                        _record_rejection(prepared.source, result)
                results[position] = result
            finally:
                with turn:
                    del unwritten[position]
                    turn.notify_all()
                connections.close_all()  # this thread's connections; the next file opens its own
        finally:
            room.release()

    with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="vcdhub-write") as pool:
        futures = []
        for position, source in enumerate(sources):
            room.acquire()
            if on_file:
                on_file(source)
            prepared = prepare(source, force=force, month=month, skip_sha256=unchanged, tick=tick)
            with turn:
                unwritten[position] = _conflict_keys(prepared)
            futures.append(pool.submit(contextvars.copy_context().run, write, position, prepared))
        for future in futures:
            future.result()
    return results
