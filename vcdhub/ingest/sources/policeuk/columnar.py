"""The fast path for clean police.uk street, outcome and stop-and-search files: whole columns checked at once.

    frame = parse_clean(text, STREET, ctx)   # a polars DataFrame, or None

It accepts a file only when it can show, column by column, that the row parsers in `schema` would accept
every row and produce the same values. Anything it cannot show (a stray quote, a bad month, a coordinate
written in an unusual way, a long field) returns None, and the row parser runs instead and reports each
bad row with its line number. So it changes speed, never results; `tests/test_import_columnar.py` holds
the two paths to the same output.
"""

import csv

import polars as pl

from vcdhub.crime.choices import ALL_CRIME_TYPES, STOP_SEARCH_TYPES
from vcdhub.crime.policeuk import (
    BOOLEAN_TEXT,
    MAX_LENGTH,
    OUTCOMES,
    SEARCH_FLAGS,
    STOP_SEARCH,
    STREET,
    RowContext,
    Schema,
    search_time,
)

# How police.uk writes coordinates. Text of this shape reads as the same float in Python and in polars
# (both round correctly); any other spelling ("1e-3", " 0.1", "inf") is left to the row parser.
COORDINATE = r"^-?[0-9]{1,3}\.[0-9]{1,20}$"
LSOA_CODE = r"^[EWSN][0-9]{8}$"

# Columns a row parser insists are not blank, per schema.
REQUIRED = {STREET.kind: ("Reported by",), OUTCOMES.kind: ("Reported by", "Crime ID", "Outcome type"),
            STOP_SEARCH.kind: ()}
CRIME_TYPES = pl.Series(sorted(ALL_CRIME_TYPES), dtype=pl.String)
SEARCH_TYPES = pl.Series(sorted(STOP_SEARCH_TYPES), dtype=pl.String)
FLAG_TEXT = pl.Series(sorted(BOOLEAN_TEXT), dtype=pl.String)


def supports(schema: Schema) -> bool:
    return schema.kind in REQUIRED


def _split(lines: list[str], header: tuple[str, ...]) -> pl.DataFrame | None:
    """Split lines into fields exactly as csv.reader(strict=True) would, or None if unsure."""
    width = len(header)
    series = pl.Series("line", lines, dtype=pl.String)
    quoted = series.str.contains('"', literal=True)
    commas = series.str.count_matches(",", literal=True)
    if not ((commas == width - 1) | quoted).all():
        return None
    frame = (series.str.split_exact(",", width - 1).struct.rename_fields(list(header)).struct.unnest())
    quoted_rows = quoted.arg_true().to_list()
    if not quoted_rows:
        return frame
    # Quotes are rare in police.uk files (a location such as "On or near High Road, Ickenham"); csv reads
    # those lines. A quote left open means a record spanning lines, which the row parser handles.
    columns: dict[str, list[str]] = {name: [] for name in header}
    for index in quoted_rows:
        try:
            fields = next(csv.reader([lines[index]], strict=True))
        except csv.Error:
            return None
        if len(fields) != width:
            return None
        for name, value in zip(header, fields, strict=True):
            columns[name].append(value)
    positions = pl.Series(quoted_rows, dtype=pl.UInt32)
    return frame.with_columns(
        frame[name].scatter(positions, pl.Series(values, dtype=pl.String)) for name, values in columns.items()
    )


def _clean(frame: pl.DataFrame, schema: Schema, ctx: RowContext) -> bool:
    """True when every row passes every check the row parser makes."""
    checks = [pl.col(name).str.len_chars() <= MAX_LENGTH[name] for name in schema.header if name in MAX_LENGTH]
    checks += [pl.col(name) != "" for name in REQUIRED[schema.kind]]
    if "LSOA code" in schema.header:
        checks.append((pl.col("LSOA code") == "") | pl.col("LSOA code").str.contains(LSOA_CODE))
    lon, lat = pl.col("Longitude"), pl.col("Latitude")
    (lon_low, lon_high), (lat_low, lat_high) = ctx.lon_range, ctx.lat_range
    checks.append(
        ((lon == "") & (lat == ""))
        | (lon.str.contains(COORDINATE) & lat.str.contains(COORDINATE)
           & lon.cast(pl.Float64, strict=False).is_between(lon_low, lon_high)
           & lat.cast(pl.Float64, strict=False).is_between(lat_low, lat_high))
    )
    if schema is STREET:
        checks.append(pl.col("Crime type").is_in(CRIME_TYPES.implode()))
    if schema is STOP_SEARCH:
        checks.append(pl.col("Type").is_in(SEARCH_TYPES.implode()))
        checks += [pl.col(name).is_in(FLAG_TEXT.implode()) for name in SEARCH_FLAGS]
    # A null (a cast that failed) must count as a failed check, not be skipped by all().
    return bool(frame.select(pl.all_horizontal(checks).fill_null(False).all()).item())


def _months(frame: pl.DataFrame, ctx: RowContext) -> dict[str, str] | None:
    months = {}
    for text in frame["Month"].unique().to_list():
        try:
            months[text] = ctx.month_iso(text)
        except ValueError:
            return None
    return months


def parse_clean(text: str, schema: Schema, ctx: RowContext) -> pl.DataFrame | None:
    """The file's rows as model columns (schema.columns order), or None when the row parser must decide.

    `text` is the decoded file whose first line is the header, already matched to `schema`.
    """
    if not supports(schema) or "\r" in text or "\x00" in text:
        return None
    lines = text.split("\n")
    if '"' in lines[0]:
        return None
    body = [line for line in lines[1:] if line]  # csv.reader skips blank lines too
    if not body:
        return None
    frame = _split(body, schema.header)
    if frame is None or not _clean(frame, schema, ctx):
        return None
    no_point = (pl.col("Longitude") == "") & (pl.col("Latitude") == "")
    coordinate = {name: pl.when(no_point).then(None).otherwise(pl.col(name).cast(pl.Float64, strict=False))
                  for name in ("Longitude", "Latitude")}
    if schema is STOP_SEARCH:
        return _stop_searches(frame, ctx, coordinate)
    months = _months(frame, ctx)
    if months is None:
        return None
    values = {
        "crime_id": pl.col("Crime ID"),
        "month": pl.col("Month").replace_strict(months, return_dtype=pl.String),
        "reported_by": pl.col("Reported by"),
        "falls_within": pl.col("Falls within"),
        "longitude": coordinate["Longitude"],
        "latitude": coordinate["Latitude"],
        "longitude_text": pl.col("Longitude"),
        "latitude_text": pl.col("Latitude"),
        "location": pl.col("Location"),
        "lsoa_code": pl.col("LSOA code"),
        "lsoa_name": pl.col("LSOA name"),
        "crime_type": pl.col("Crime type") if schema is STREET else None,
        "last_outcome_category": pl.col("Last outcome category") if schema is STREET else None,
        "context": pl.col("Context") if schema is STREET else None,
        "outcome_type": pl.col("Outcome type") if schema is OUTCOMES else None,
    }
    return frame.select(*(values[name].alias(name) for name in schema.columns),
                        period_force=pl.col("Reported by"), period_month=pl.col("Month"))


def _stop_searches(frame: pl.DataFrame, ctx: RowContext, coordinate: dict) -> pl.DataFrame | None:
    """A stop-and-search file's columns. Its force and month come from the file's name (`ctx`); each distinct
    date and time is converted by the row parser's own function, so the two paths cannot differ."""
    try:
        month = ctx.month_iso(ctx.month)
        times = {text: search_time(text) for text in frame["Date"].unique().to_list()}
    except ValueError:
        return None
    values = {
        "force": pl.lit(ctx.force, dtype=pl.String), "month": pl.lit(month, dtype=pl.String), "type": pl.col("Type"),
        "date": pl.col("Date").replace_strict(times, return_dtype=pl.String), "date_text": pl.col("Date"),
        "part_of_policing_operation": pl.col("Part of a policing operation"),
        "policing_operation": pl.col("Policing operation"),
        "longitude": coordinate["Longitude"], "latitude": coordinate["Latitude"],
        "longitude_text": pl.col("Longitude"), "latitude_text": pl.col("Latitude"),
        "gender": pl.col("Gender"), "age_range": pl.col("Age range"),
        "self_defined_ethnicity": pl.col("Self-defined ethnicity"),
        "officer_defined_ethnicity": pl.col("Officer-defined ethnicity"),
        "legislation": pl.col("Legislation"), "object_of_search": pl.col("Object of search"),
        "outcome": pl.col("Outcome"),
        "outcome_linked_to_object_of_search": pl.col("Outcome linked to object of search"),
        "removal_of_more_than_just_outer_clothing": pl.col("Removal of more than just outer clothing"),
    }
    # A search has no LSOA code: it is placed by its point alone, as the row path places it.
    return frame.select(*(values[name].alias(name) for name in STOP_SEARCH.columns),
                        lsoa_code=pl.lit("", dtype=pl.String), period_force=pl.lit(ctx.force, dtype=pl.String),
                        period_month=pl.lit(ctx.month, dtype=pl.String))
