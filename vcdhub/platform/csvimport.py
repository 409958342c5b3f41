"""What every all-or-nothing CSV import shares: the refusal with its line-numbered errors, the tally, reading
lines one at a time so a bad byte is named by its line, and checking the header against a documented schema."""

from collections.abc import Iterator
from dataclasses import dataclass

from vcdhub.platform.rowerrors import RowError


class ImportRefused(Exception):
    """The file was not imported; `errors` says why, line by line."""

    def __init__(self, errors: list[RowError], more: int = 0):
        self.errors, self.more = errors, more
        super().__init__("; ".join(str(e) for e in errors[:5]) + (f" (and {more} more)" if more else ""))


class BadBytes(Exception):
    def __init__(self, line: int, reason: str):
        self.line, self.reason = line, reason


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def decoded_lines(raw) -> Iterator[str]:
    """Text lines from a binary file, each decoded alone, so a bad byte is reported with its line number."""
    for number, line in enumerate(raw, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise BadBytes(number, "not UTF-8 text (save the file as UTF-8 CSV)") from None


def check_header(header: list[str], columns: list[str], required: set[str]) -> list[str]:
    """The header's column names (trimmed, lower case); ImportRefused if one is unknown, repeated or missing."""
    names = [h.strip().lower() for h in header]
    unknown = [c for c in names if c not in columns]
    problems = []
    if unknown:
        problems.append(RowError(1, unknown[0][:40], "unknown column; the columns are " + ", ".join(columns)))
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        problems.append(RowError(1, repeated[0], "the column appears twice"))
    for missing in sorted(required - set(names)):
        problems.append(RowError(1, missing, "required column missing"))
    if problems:
        raise ImportRefused(problems)
    return names


@dataclass(frozen=True)
class Schema:
    """A CSV import's documented columns. `key`: the column that names a row's record, which may appear once
    in a file; `max_cell`: the longest a cell may be, in characters."""

    columns: list[str]
    required: set[str]
    key: str
    max_cell: int


MAX_ERRORS = 200  # problems kept for the refusal; the rest are counted


def import_file(path, schema: Schema, write_row, *, progress=None) -> int:
    """Read `path` against `schema` and call `write_row(row)` for each non-blank line, `row` a dict of trimmed
    cells, inside the file's one transaction (each row in a savepoint of its own). `write_row` raises Django's
    ValidationError (by column) or PermissionDenied to refuse the line. If any line is refused, nothing is
    written and ImportRefused names every line, column and reason (at most MAX_ERRORS). Returns the rows read.

    The file's size is capped before it is read; lines are decoded one at a time, so a bad byte is named by
    its line; memory does not grow with the file."""
    import csv
    from pathlib import Path

    from django.conf import settings
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction

    from vcdhub.audit.chain import atomic_keeping_refusals

    path = Path(path)
    limit = settings.VCDHUB_IMPORT_MAX_FILE_BYTES
    if path.stat().st_size > limit:
        raise ImportRefused([RowError(None, None, f"the file is larger than the limit of {limit:,} bytes")])
    errors: list[RowError] = []
    more = 0
    rows = 0

    def problem(line, column, reason) -> None:
        nonlocal more
        if len(errors) < MAX_ERRORS:
            errors.append(RowError(line, column, reason))
        else:
            more += 1

    csv.field_size_limit(max(schema.max_cell + 1, csv.field_size_limit()))
    # All or nothing, refusals excepted: a row refused for a record its importer may not see stays on the chain.
    with path.open("rb") as raw, atomic_keeping_refusals():
        reader = csv.reader(decoded_lines(raw), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportRefused([RowError(None, None, "the file is empty")])
            columns = check_header(header, schema.columns, schema.required)
            seen: dict[str, int] = {}
            line = reader.line_num
            for cells in reader:
                first_line, line = line + 1, reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                rows += 1
                row = _row(first_line, columns, cells, schema, seen, problem)
                if row is not None:
                    try:
                        with atomic_keeping_refusals():
                            write_row(row)
                    except ValidationError as exc:
                        messages = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                        for column, texts in messages.items():
                            problem(first_line, column if column in schema.columns else None, " ".join(texts))
                    except PermissionDenied as exc:
                        problem(first_line, schema.key, str(exc) or "you may not change this record")
                if progress is not None:
                    progress(rows)
        except BadBytes as exc:
            problem(exc.line, None, exc.reason)
        except csv.Error as exc:
            problem(reader.line_num, None, f"not readable as CSV: {exc}")
        if not errors and not rows:
            problem(None, None, "the file has a header but no rows")
        if errors:
            transaction.set_rollback(True)
            raise ImportRefused(errors, more)
    return rows


def _row(line, columns, cells, schema: Schema, seen: dict, problem) -> dict | None:
    if len(cells) != len(columns):
        problem(line, None, f"{len(cells)} cells where the header has {len(columns)} columns")
        return None
    long = next((c for c, v in zip(columns, cells, strict=True) if len(v) > schema.max_cell), None)
    if long:
        problem(line, long, f"longer than {schema.max_cell:,} characters")
        return None
    # No text column can hold a NUL character (PostgreSQL refuses one; SQLite would keep it silently).
    with_nul = next((c for c, v in zip(columns, cells, strict=True) if "\x00" in v), None)
    if with_nul:
        problem(line, with_nul, "contains a NUL character")
        return None
    row = {c: v.strip() for c, v in zip(columns, cells, strict=True)}
    key = row[schema.key]
    if not key:
        problem(line, schema.key, "required")
        return None
    if key in seen:
        problem(line, schema.key, f"{key[:64]!r} is also on line {seen[key]}")
        return None
    seen[key] = line
    return row
