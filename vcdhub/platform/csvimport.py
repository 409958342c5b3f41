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
