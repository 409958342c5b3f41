"""Write records back out in the police.uk schemas. One writer serves the CLI and the web CSV download."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from vcdhub.crime.policeuk import OUTCOMES, STOP_SEARCH, STREET, Schema
from vcdhub.platform.csvsafe import csv_lines
from vcdhub.platform.months import format_month

SCHEMA_FOR = {"crimes": STREET, "outcomes": OUTCOMES, "stop-and-search": STOP_SEARCH}


def police_uk_rows(queryset: QuerySet, schema: Schema) -> Iterator[list[str]]:
    """The header, then each record as the file's text."""
    yield list(schema.header)
    month_at = schema.export_columns.index("month") if "month" in schema.export_columns else None
    for values in queryset.order_by("pk").values_list(*schema.export_columns).iterator(chunk_size=5000):
        row = list(values)
        if month_at is not None:
            row[month_at] = format_month(row[month_at])
        yield row


def write_police_uk(queryset: QuerySet, schema: Schema, stream) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    count = -1
    for row in police_uk_rows(queryset, schema):
        writer.writerow(row)
        count += 1
    return count


def stream_police_uk(queryset: QuerySet, schema: Schema) -> Iterator[str]:
    """CSV text line by line, for a StreamingHttpResponse."""
    return csv_lines(police_uk_rows(queryset, schema), lineterminator="\n")
