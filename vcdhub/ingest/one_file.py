"""Import one file, all-or-nothing: `prepare` reads, hashes and checks it without the database, `finish`
writes it in one transaction (superseding older copies of its periods) unless the database already holds it."""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone

from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.crime import cells
from vcdhub.crime.choices import Kind
from vcdhub.crime.models import Crime, ImportBatch, Outcome, StopSearch
from vcdhub.crime.policeuk import ParsedRow
from vcdhub.geography.placement import UNPLACED, AreaResolver
from vcdhub.ingest import streaming
from vcdhub.ingest.files import SourceFile, UnreadableFile
from vcdhub.ingest.parsing import ParsedFile, parse_file
from vcdhub.ingest.supersession import current_batch, delete_periods, mark_superseded
from vcdhub.ingest.writers import bulk_insert, bulk_insert_frame
from vcdhub.platform import crashpoints
from vcdhub.platform.months import parse_month
from vcdhub.platform.records import RECORD_KEYS
from vcdhub.platform.rowerrors import RowError

MODEL_FOR_KIND = {Kind.STREET: Crime, Kind.OUTCOMES: Outcome, Kind.STOP_AND_SEARCH: StopSearch}


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
class PreparedFile:
    """A file read, hashed and checked, with no database access: safe to make in a worker thread.

    A file bigger than streaming.whole_file_bytes() is only hashed here (`streamed`); it is checked a block
    at a time as it is written.
    """

    source: SourceFile
    started: object
    sha256: str = ""
    parsed: ParsedFile | None = None
    rejected: FileResult | None = None
    streamed: bool = False


def prepare(source: SourceFile, *, force: str = "", month: str = "", skip_sha256: frozenset[str] = frozenset(),
            tick: Callable[[int], None] | None = None) -> PreparedFile:
    """Read and check one file. A file whose sha256 is in `skip_sha256` is not parsed (it is unchanged)."""
    return check(*read(source), force=force, month=month, skip_sha256=skip_sha256, tick=tick)


def read(source: SourceFile) -> tuple[PreparedFile, bytes | None]:
    """Read and hash one file, with no database access: the first half of `prepare`. Its bytes come back only
    if the file is small enough to be checked whole (streaming.whole_file_bytes()) and readable."""
    prepared = PreparedFile(source, timezone.now())
    hasher, kept, size, whole_up_to = hashlib.sha256(), [], 0, streaming.whole_file_bytes()
    try:
        for piece in source.stream():
            hasher.update(piece)
            size += len(piece)
            if size <= whole_up_to:
                kept.append(piece)
            elif kept:
                kept.clear()  # too big to hold: written in blocks (streaming)
    except UnreadableFile as exc:
        prepared.rejected = FileResult(source.name, source.source, "rejected", errors=[RowError(None, None, str(exc))])
        return prepared, None
    prepared.sha256 = hasher.hexdigest()
    if size > whole_up_to:
        prepared.streamed = True
        return prepared, None
    return prepared, b"".join(kept)


def check(prepared: PreparedFile, data: bytes | None, *, force: str = "", month: str = "",
          skip_sha256: frozenset[str] = frozenset(), tick: Callable[[int], None] | None = None) -> PreparedFile:
    """Check a file `read` returned: the second half of `prepare`."""
    if data is None or prepared.sha256 in skip_sha256:
        return prepared  # unreadable, too big to hold, or unchanged
    source = prepared.source
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
    current = current_batch(prepared.sha256)
    if current is not None:
        source = prepared.source
        return FileResult(source.name, source.source, "unchanged", kind=current.kind, rows_read=current.rows,
                          periods=current.periods, batch_id=current.pk)
    if prepared.streamed:
        return _write_streamed(prepared, actor, resolver, force=force, month=month, tick=tick)
    if prepared.parsed is None:  # skipped as unchanged when prepared, but its batch has since been superseded
        prepared = prepare(prepared.source, force=force, month=month, tick=tick)
        return finish(prepared, actor=actor, resolver=resolver, force=force, month=month, tick=tick)
    return _write([prepared.parsed], prepared.source, prepared.sha256, actor, prepared.started, resolver)


def _write_streamed(prepared: PreparedFile, actor: str, resolver, *, force, month, tick) -> FileResult:
    """A large file written block by block in one transaction; if any block needs the row parser, nothing
    is kept and the row parser reads the whole file, naming each bad row."""
    source = prepared.source
    blocks = streaming.in_background(streaming.clean_blocks(source, sha256=prepared.sha256, force=force,
                                                            month=month))
    try:
        return _write(blocks, source, prepared.sha256, actor, prepared.started, resolver, tick=tick)
    except streaming.NotClean:
        pass
    except streaming.ChangedWhileImported:
        return FileResult(source.name, source.source, "rejected", errors=[RowError(
            None, None, "the file changed while it was being imported; nothing of it was kept")])
    except UnreadableFile as exc:
        return FileResult(source.name, source.source, "rejected", errors=[RowError(None, None, str(exc))])
    try:
        data = source.read()
    except UnreadableFile as exc:
        return FileResult(source.name, source.source, "rejected", errors=[RowError(None, None, str(exc))])
    if hashlib.sha256(data).hexdigest() != prepared.sha256:
        return FileResult(source.name, source.source, "rejected", errors=[RowError(
            None, None, "the file changed while it was being imported; nothing of it was kept")])
    parsed, rows_read, rows_rejected, errors = parse_file(source, data, force=force, month=month, tick=tick)
    del data
    if parsed is None:
        return FileResult(source.name, source.source, "rejected", rows_read=rows_read, rows_rejected=rows_rejected,
                          errors=errors)
    return _write([parsed], source, prepared.sha256, actor, prepared.started, resolver)


def record_rejections(sources: list[SourceFile], results: list[FileResult]) -> None:
    """Put the rejected files on the audit chain: one entry for a file of its own, and one for all the
    rejected files of an archive (an archive of 20,000 junk files is one entry, not 20,000)."""
    by_archive: dict[str, list] = {}
    for source, result in zip(sources, results, strict=True):
        if result is None or result.status != "rejected":
            continue
        if source.archive:
            by_archive.setdefault(source.archive, []).append((source, result))
        else:
            record_event(EntryKind.IMPORT, "import_rejected", object_type="file", object_id=source.name[:64],
                         reason=f"rejected {source.source}",
                         detail={"rows_rejected": result.rows_rejected,
                                 "errors": [e.as_dict() for e in result.errors[:20]]})
    for archive, rejected in by_archive.items():
        record_event(EntryKind.IMPORT, "import_rejected", object_type="file", object_id=Path(archive).name[:64],
                     reason=f"rejected {len(rejected)} files of {archive}",
                     detail={"files_rejected": len(rejected), "first": [
                         {"file": s.source.split("!", 1)[1], "rows_rejected": r.rows_rejected,
                          "errors": [e.as_dict() for e in r.errors[:5]]} for s, r in rejected[:20]]})


def _write(blocks: Iterable[ParsedFile], source: SourceFile, sha256: str, actor: str, started, resolver,
           tick: Callable[[int], None] | None = None) -> FileResult:
    """Write a file's blocks (one, for a file checked whole) in one transaction: the batch, the deletion of
    what earlier files held for each period as it is first met, the rows and their cells, then the marks on
    the batches it supersedes and the audit entry. `tick` counts rows written (for a file checked whole it
    was called as the file was read)."""
    result = FileResult(source.name, source.source, "imported")
    batch = None
    periods: set[tuple[str, str]] = set()
    with transaction.atomic():
        for parsed in blocks:
            block_periods = set(parsed.periods())
            if batch is None:
                schema = parsed.schema
                model = MODEL_FOR_KIND[schema.kind]
                first = min(block_periods)
                batch = ImportBatch.objects.create(
                    file_name=source.name[:255], source=source.source[:1024], sha256=sha256, kind=schema.kind,
                    force=first[0], month=parse_month(first[1]), periods=sorted(list(p) for p in block_periods),
                    rows=parsed.rows_read, imported_by=actor, started_at=started, finished_at=timezone.now(),
                )
            new = sorted(block_periods - periods)
            periods |= block_periods
            replaced = delete_periods(batch, model, new) if new else 0
            result.rows_replaced += replaced
            result.rows_read += parsed.rows_read
            result.rows_imported += _insert(parsed, model, batch.pk, resolver, new, replaced=replaced > 0)
            if tick:
                tick(parsed.rows_read)
        if batch is None:
            raise streaming.NotClean  # no rows: the row parser says why
        ordered = sorted(periods)
        mark_superseded(batch, ordered)
        result.kind, result.periods = batch.kind, [list(p) for p in ordered]
        batch.periods = result.periods
        batch.force, batch.month = ordered[0][0], parse_month(ordered[0][1])
        batch.rows = result.rows_read
        batch.finished_at = timezone.now()
        batch.save(update_fields=["periods", "force", "month", "rows", "finished_at"])
        record_event(EntryKind.IMPORT, "import", batch, reason=f"imported {source.source}", detail={
            "sha256": sha256, "kind": batch.kind, "periods": result.periods, "rows": result.rows_imported,
            "rows_replaced": result.rows_replaced})
        crashpoints.reached("file:written")  # before its commit
    crashpoints.reached("file:committed")
    result.batch_id = batch.pk
    return result


def _insert(parsed: ParsedFile, model, batch_id: int, resolver, new_periods, *, replaced: bool) -> int:
    """Write one block's rows, placed and keyed, and (in a bulk load) count its cells."""
    schema = parsed.schema
    table = model._meta.db_table
    columns = (*schema.columns, "lsoa_id", "ward_id", "borough_id", "batch_id", "record_key")
    keys = _record_keys(parsed.frame.height if parsed.frame is not None else len(parsed.rows))
    if parsed.frame is not None:
        frame = _place_frame(parsed.frame, resolver).with_columns(
            batch_id=pl.lit(batch_id, dtype=pl.Int64), record_key=pl.Series(keys, dtype=pl.Int16))
        written_rows = bulk_insert_frame(table, frame.select(columns))
        counted = [name for name in columns if name in (*cells.DIMENSIONS, "record_key")]
        written = frame.select(counted)
    else:
        places = _place(parsed.rows, resolver)
        values = [(*row.values, *place, batch_id, int(key))
                  for row, place, key in zip(parsed.rows, places, keys, strict=True)]
        written_rows = bulk_insert(table, columns, values)
        written = pl.DataFrame({name: [v[i] for v in values] for i, name in enumerate(columns)
                                if name in (*cells.DIMENSIONS, "record_key")}, strict=False)
    if model is Crime and not cells.maintained_by_triggers():  # a bulk load: this file counts its own cells
        _count_cells(written, [(force, parse_month(m).isoformat()) for force, m in new_periods], replaced=replaced)
    return written_rows


def _record_keys(rows: int):
    """A random record key for each row (platform.records): drawn from the operating system's entropy."""
    return np.random.default_rng(secrets.randbits(128)).integers(0, RECORD_KEYS, rows, dtype=np.int16)


def _count_cells(written: pl.DataFrame, periods, *, replaced: bool) -> None:
    """The crime cells of a file written while a bulk load defers the cells' triggers (crime.cells)."""
    if replaced:
        cells.forget_periods(periods)
    # The columns COPY leaves to their database defaults, and the month as the table holds it.
    written = written.with_columns(
        pl.lit(Crime._meta.get_field("owner_unit").default).alias("owner_unit_id"),
        pl.lit(Crime._meta.get_field("sensitivity").default).alias("sensitivity"),
        pl.col("month").cast(pl.String).str.slice(0, 10),
    )
    cells.add_rows(written)


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
