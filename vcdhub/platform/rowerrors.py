"""A rejected line of an input file: every import and form that reads rows reports errors this way."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """Why one line of a file was rejected. `line` is 1-based (the header is line 1); None for the file."""

    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}
