"""The row path: decode a file and check every row, naming each bad row by line number, column and reason.
A clean police.uk file is taken by the columnar fast path instead; anything it cannot vouch for comes here."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from vcdhub.crime.forces import force_name
from vcdhub.crime.models import StopSearch
from vcdhub.crime.policeuk import (
    STOP_SEARCH,
    ParsedRow,
    RowContext,
    Schema,
    describe_header_mismatch,
    detect_schema,
    police_month,
)
from vcdhub.ingest.files import SourceFile
from vcdhub.ingest.sources.policeuk import columnar
from vcdhub.platform.rowerrors import RowError

MAX_ERRORS_KEPT = 1000  # per file; the count of bad rows is always exact
STOP_SEARCH_NAME = re.compile(r"^(\d{4}-\d{2})-(.+)-stop-and-search\.csv(\.gz)?$")

csv.field_size_limit(1_000_000)  # longer fields are caught by the length checks, with a line number


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
            return sorted(self.frame.select("period_force", "period_month").unique().rows())
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


def file_context(schema: Schema, name: str, force: str, month: str, errors: list[RowError]) -> RowContext:
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


def _csv_reader(text: str):
    # strict: a quote left open must be an error, not a field that silently swallows the rest of the file.
    return csv.reader(io.StringIO(text, newline=""), strict=True)


def parse_file(
    source: SourceFile, data: bytes, *, force: str = "", month: str = "", tick: Callable[[int], None] | None = None
) -> tuple[ParsedFile | None, int, int, list[RowError]]:
    """Check every row of a file. Returns (parsed or None, rows read, rows rejected, errors)."""
    text, errors = _decode(data)
    if text is None:
        return None, 0, len(errors), errors
    if not text or text.isspace():
        return None, 0, 0, [RowError(None, None, "the file is empty")]
    # A plain first line is the header csv would read; csv.reader is made only for the row parser, as it copies
    # the whole text (io.StringIO) at a cost several times that of the fast path's own split.
    first_line = text.partition("\n")[0]
    reader = None
    if first_line and not any(c in first_line for c in '"\r\x00'):
        header = first_line.split(",")
    else:
        reader = _csv_reader(text)
        try:
            header = next(reader)
        except csv.Error as exc:
            return None, 0, 0, [RowError(1, None, f"header cannot be read as CSV ({exc})")]
    schema = detect_schema(header)
    if schema is None:
        return None, 0, 0, [RowError(1, None, describe_header_mismatch(header))]
    ctx = file_context(schema, source.name, force, month, errors)
    if errors:
        return None, 0, 0, errors
    frame = columnar.parse_clean(text, schema, ctx)
    if frame is not None:
        if tick:
            tick(frame.height)
        return ParsedFile(schema, [], frame.height, ctx, frame), frame.height, 0, []
    if reader is None:
        reader = _csv_reader(text)
        next(reader)  # the header, read above
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

