"""The three data.police.uk file schemas: their headers, and how one row is checked and converted.

A row parser takes the CSV fields and returns a ParsedRow, or appends RowErrors and returns None.
Values are kept as the file's text wherever an export must give the same text back.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from vcdhub.crime.choices import ALL_CRIME_TYPES, STOP_SEARCH_TYPES, Kind
from vcdhub.platform.months import parse_month
from vcdhub.platform.rowerrors import RowError

STREET_HEADER = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)
OUTCOMES_HEADER = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
)
STOP_SEARCH_HEADER = (
    "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
    "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
    "Object of search", "Outcome", "Outcome linked to object of search",
    "Removal of more than just outer clothing",
)

# Longest text accepted per column; a longer value is a corrupt or hostile file, not data.
MAX_LENGTH = {
    "Crime ID": 64, "Reported by": 100, "Falls within": 100, "Location": 255, "LSOA code": 12,
    "LSOA name": 120, "Last outcome category": 255, "Context": 2000, "Outcome type": 255,
    "Type": 40, "Policing operation": 255, "Gender": 40, "Age range": 40, "Self-defined ethnicity": 255,
    "Officer-defined ethnicity": 60, "Legislation": 255, "Object of search": 255, "Outcome": 255,
    "Part of a policing operation": 10, "Outcome linked to object of search": 10,
    "Removal of more than just outer clothing": 10,
    # Parsed, but kept as text too: a long yet valid value ("0.1000…", extra fraction digits) must not reach
    # the database, whose text columns are this wide.
    "Longitude": 24, "Latitude": 24, "Date": 40,
}
BOOLEAN_TEXT = frozenset({"", "True", "False", "true", "false"})
# The stop-and-search columns that hold True, False or nothing (BOOLEAN_TEXT).
SEARCH_FLAGS = ("Part of a policing operation", "Outcome linked to object of search",
                "Removal of more than just outer clothing")


@dataclass(slots=True)
class ParsedRow:
    values: tuple  # model columns, in the schema's `columns` order
    period: tuple[str, str]  # (force, "YYYY-MM") the row is superseded by
    lon: float | None
    lat: float | None
    lsoa_code: str


@dataclass(frozen=True)
class Schema:
    kind: str
    header: tuple[str, ...]
    columns: tuple[str, ...]  # model fields filled from the file, before the placement columns
    export_columns: tuple[str, ...]  # model fields, in header order, that give back the file's text
    parse: Callable[..., ParsedRow | None]


def police_month(text: str) -> dt.date:
    """A month as police.uk writes it: exactly ASCII 'YYYY-MM'; ValueError for anything else.

    parse_month alone also takes non-ASCII digits and a trailing newline (its regex uses \\d and $).
    """
    if len(text) != 7 or not text.isascii():
        raise ValueError(f"not a month in YYYY-MM form: {text[:40]!r}")
    return parse_month(text)


class RowContext:
    """Per-file state for the row parsers: memoised months, bounds, the force for files without one."""

    def __init__(self, force: str = "", month: str = ""):
        self.force = force
        self.month = month
        self.months: dict[str, str] = {}
        b = settings.VCDHUB_COORDINATE_BOUNDS
        self.lon_range = (b["lon_min"], b["lon_max"])
        self.lat_range = (b["lat_min"], b["lat_max"])

    def month_iso(self, text: str) -> str:
        """'2016-07' -> '2016-07-01'; raises ValueError."""
        iso = self.months.get(text)
        if iso is None:
            iso = police_month(text).isoformat()
            self.months[text] = iso
        return iso


def _check_lengths(fields, header, line, errors) -> bool:
    ok = True
    for name, value in zip(header, fields, strict=True):
        limit = MAX_LENGTH.get(name)
        if limit is not None and len(value) > limit:
            errors.append(RowError(line, name, f"{len(value)} characters, more than the {limit} allowed"))
            ok = False
        if "\x00" in value:
            errors.append(RowError(line, name, "contains a NUL byte"))
            ok = False
    return ok


def _coordinates(lon_text, lat_text, ctx, line, errors) -> tuple[float | None, float | None, bool]:
    if lon_text == "" and lat_text == "":
        return None, None, True
    ok = True
    values = []
    for name, text, (low, high) in (("Longitude", lon_text, ctx.lon_range), ("Latitude", lat_text, ctx.lat_range)):
        try:
            value = float(text)
        except ValueError:
            errors.append(RowError(line, name, f"not a number: {text[:40]!r}"))
            ok = False
            continue
        if not math.isfinite(value) or not low <= value <= high:
            errors.append(RowError(line, name, f"{text[:40]} is out of range ({low} to {high})"))
            ok = False
        values.append(value)
    if ok and len(values) == 2:
        return values[0], values[1], True
    if lon_text == "" or lat_text == "":
        errors.append(RowError(line, "Longitude" if lon_text == "" else "Latitude", "one coordinate is blank"))
    return None, None, False


def _month(text, ctx, line, errors) -> str | None:
    try:
        return ctx.month_iso(text)
    except ValueError:
        errors.append(RowError(line, "Month", f"not a month in YYYY-MM form: {text[:40]!r}"))
        return None


def _lsoa_code(text, line, errors) -> bool:
    if text and not (len(text) == 9 and text[0] in "EWSN" and text[1:].isascii() and text[1:].isdigit()):
        errors.append(RowError(line, "LSOA code", f"not an LSOA code: {text[:40]!r}"))
        return False
    return True


def parse_street(fields, line, ctx, errors) -> ParsedRow | None:
    if not _check_lengths(fields, STREET_HEADER, line, errors):
        return None
    crime_id, month, reported_by, falls_within, lon_t, lat_t, location, lsoa_code, lsoa_name, crime_type, \
        outcome, context = fields
    ok = True
    month_iso = _month(month, ctx, line, errors)
    lon, lat, coords_ok = _coordinates(lon_t, lat_t, ctx, line, errors)
    if crime_type not in ALL_CRIME_TYPES:
        errors.append(RowError(line, "Crime type", f"unknown crime type: {crime_type[:60]!r}"))
        ok = False
    if not reported_by:
        errors.append(RowError(line, "Reported by", "blank; every police.uk row names its force"))
        ok = False
    if not (_lsoa_code(lsoa_code, line, errors) and ok and coords_ok and month_iso):
        return None
    values = (crime_id, month_iso, reported_by, falls_within, lon, lat, lon_t, lat_t, location, lsoa_code,
              lsoa_name, crime_type, outcome, context)
    return ParsedRow(values, (reported_by, month), lon, lat, lsoa_code)


def parse_outcome(fields, line, ctx, errors) -> ParsedRow | None:
    if not _check_lengths(fields, OUTCOMES_HEADER, line, errors):
        return None
    crime_id, month, reported_by, falls_within, lon_t, lat_t, location, lsoa_code, lsoa_name, outcome = fields
    ok = True
    month_iso = _month(month, ctx, line, errors)
    lon, lat, coords_ok = _coordinates(lon_t, lat_t, ctx, line, errors)
    if not crime_id:
        errors.append(RowError(line, "Crime ID", "blank; an outcome must name its crime"))
        ok = False
    if not outcome:
        errors.append(RowError(line, "Outcome type", "blank"))
        ok = False
    if not reported_by:
        errors.append(RowError(line, "Reported by", "blank; every police.uk row names its force"))
        ok = False
    if not (_lsoa_code(lsoa_code, line, errors) and ok and coords_ok and month_iso):
        return None
    values = (crime_id, month_iso, reported_by, falls_within, lon, lat, lon_t, lat_t, location, lsoa_code,
              lsoa_name, outcome)
    return ParsedRow(values, (reported_by, month), lon, lat, lsoa_code)


def search_time(text: str) -> str:
    """A search's date and time as naive UTC text, as the database holds it ("2017-07-01 10:15:00"); ValueError
    if it is not an ISO 8601 date and time in the calendar's range once moved to UTC."""
    when = dt.datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    except OverflowError as exc:  # 0001-01-01T00:00:00+05:00 is before the first day Python can hold
        raise ValueError(text) from exc


def parse_stop_search(fields, line, ctx, errors) -> ParsedRow | None:
    if not _check_lengths(fields, STOP_SEARCH_HEADER, line, errors):
        return None
    (kind, date_t, part_of_op, operation, lat_t, lon_t, gender, age, self_eth, officer_eth, legislation,
     object_of_search, outcome, linked, removal) = fields
    ok = True
    if kind not in STOP_SEARCH_TYPES:
        errors.append(RowError(line, "Type", f"unknown search type: {kind[:40]!r}"))
        ok = False
    try:
        when_utc = search_time(date_t)
    except ValueError:
        errors.append(RowError(line, "Date", f"not an ISO 8601 date and time: {date_t[:40]!r}"))
        ok = False
    for name, value in zip(SEARCH_FLAGS, (part_of_op, linked, removal), strict=True):
        if value not in BOOLEAN_TEXT:
            errors.append(RowError(line, name, f"not True, False or blank: {value[:40]!r}"))
            ok = False
    lon, lat, coords_ok = _coordinates(lon_t, lat_t, ctx, line, errors)
    if not (ok and coords_ok):
        return None
    values = (ctx.force, ctx.month_iso(ctx.month), kind, when_utc, date_t, part_of_op, operation, lon, lat, lon_t,
              lat_t, gender, age, self_eth, officer_eth, legislation, object_of_search, outcome, linked, removal)
    return ParsedRow(values, (ctx.force, ctx.month), lon, lat, "")


_PLACED_TEXT = ("longitude", "latitude", "longitude_text", "latitude_text")

STREET = Schema(
    Kind.STREET, STREET_HEADER,
    columns=("crime_id", "month", "reported_by", "falls_within", *_PLACED_TEXT, "location", "lsoa_code",
             "lsoa_name", "crime_type", "last_outcome_category", "context"),
    export_columns=("crime_id", "month", "reported_by", "falls_within", "longitude_text", "latitude_text",
                    "location", "lsoa_code", "lsoa_name", "crime_type", "last_outcome_category", "context"),
    parse=parse_street,
)
OUTCOMES = Schema(
    Kind.OUTCOMES, OUTCOMES_HEADER,
    columns=("crime_id", "month", "reported_by", "falls_within", *_PLACED_TEXT, "location", "lsoa_code",
             "lsoa_name", "outcome_type"),
    export_columns=("crime_id", "month", "reported_by", "falls_within", "longitude_text", "latitude_text",
                    "location", "lsoa_code", "lsoa_name", "outcome_type"),
    parse=parse_outcome,
)
STOP_SEARCH = Schema(
    Kind.STOP_AND_SEARCH, STOP_SEARCH_HEADER,
    columns=("force", "month", "type", "date", "date_text", "part_of_policing_operation", "policing_operation",
             *_PLACED_TEXT, "gender", "age_range", "self_defined_ethnicity", "officer_defined_ethnicity",
             "legislation", "object_of_search", "outcome", "outcome_linked_to_object_of_search",
             "removal_of_more_than_just_outer_clothing"),
    export_columns=("type", "date_text", "part_of_policing_operation", "policing_operation", "latitude_text",
                    "longitude_text", "gender", "age_range", "self_defined_ethnicity",
                    "officer_defined_ethnicity", "legislation", "object_of_search", "outcome",
                    "outcome_linked_to_object_of_search", "removal_of_more_than_just_outer_clothing"),
    parse=parse_stop_search,
)
SCHEMAS = (STREET, OUTCOMES, STOP_SEARCH)


def detect_schema(header: list[str]) -> Schema | None:
    cleaned = tuple(h.strip() for h in header)
    for schema in SCHEMAS:
        if cleaned == schema.header:
            return schema
    return None


def describe_header_mismatch(header: list[str]) -> str:
    """Say how a header differs from the nearest police.uk header, for the rejection message."""
    cleaned = [h.strip() for h in header]

    def overlap(schema: Schema) -> int:
        return len(set(cleaned) & set(schema.header))

    nearest = max(SCHEMAS, key=overlap)
    if overlap(nearest) == 0:
        shown = ", ".join(repr(h[:30]) for h in cleaned[:6])
        return f"header is not a police.uk street, outcomes or stop-and-search header (starts {shown})"
    missing = [h for h in nearest.header if h not in cleaned]
    extra = [h[:40] for h in cleaned if h not in nearest.header]
    parts = [f"header looks like a police.uk {nearest.kind} file but"]
    if missing:
        parts.append(f"lacks {', '.join(map(repr, missing))}")
    if extra:
        parts.append(f"has unexpected {', '.join(map(repr, extra))}")
    if not missing and not extra:
        parts.append("its columns are out of order")
    return " ".join(parts)
