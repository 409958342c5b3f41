"""Write records back out in the police.uk schemas. One writer serves the CLI and the web CSV download.

The CLI keeps each cell's exact text by default, so a police.uk file exported and imported again is the same
file; `--spreadsheet-safe` neutralises formulas. The web download is always spreadsheet-safe."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from vcdhub.crime.policeuk import OUTCOMES, STOP_SEARCH, STREET, Schema
from vcdhub.platform.csvsafe import csv_lines, safe_cell
from vcdhub.platform.months import format_month

SCHEMA_FOR = {"crimes": STREET, "outcomes": OUTCOMES, "stop-and-search": STOP_SEARCH}


def police_uk_rows(queryset: QuerySet, schema: Schema, *, spreadsheet_safe: bool = False,
                   ordering: tuple[str, ...] = ("pk",)) -> Iterator[list]:
    """The header, then each record as the file's text, in `ordering`; with `spreadsheet_safe`, text a
    spreadsheet would run as a formula is neutralised (platform.csvsafe), at the cost of the exact round trip
    to police.uk."""
    yield list(schema.header)
    month_at = schema.export_columns.index("month") if "month" in schema.export_columns else None
    for values in queryset.order_by(*ordering).values_list(*schema.export_columns).iterator(chunk_size=5000):
        row = list(values)
        if month_at is not None:
            row[month_at] = format_month(row[month_at])
        yield [safe_cell(v) for v in row] if spreadsheet_safe else row


def write_police_uk(queryset: QuerySet, schema: Schema, stream, *, spreadsheet_safe: bool = False) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    count = -1
    for row in police_uk_rows(queryset, schema, spreadsheet_safe=spreadsheet_safe):
        writer.writerow(row)
        count += 1
    return count


def stream_police_uk(queryset: QuerySet, schema: Schema, ordering: tuple[str, ...] = ("pk",)) -> Iterator[str]:
    """CSV text line by line, for a StreamingHttpResponse: a download people open in a spreadsheet, so
    always spreadsheet-safe (a plain number, such as a negative longitude, is kept as it is)."""
    return csv_lines(police_uk_rows(queryset, schema, spreadsheet_safe=True, ordering=ordering), lineterminator="\n")
