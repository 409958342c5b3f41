"""Hostile input for the police.uk importer (`run_import`).

A file is all-or-nothing: one bad row rejects it whole, nothing of it reaches the database, and the
rejection names every bad line (the header is line 1), its column and why. Text that only looks hostile
(SQL, spreadsheet formulas, HTML) in a free-text column is data: it is stored and comes back verbatim.
The base data is always real bundled demo rows; only the hostile parts are generated.
"""

import csv
import gzip
import io
import re
import zipfile
from contextlib import contextmanager
from functools import cache

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO, read_rows, write_csv
from vcdhub.crime.choices import ALL_CRIME_TYPES
from vcdhub.crime.models import Crime, CrimeFlags, ImportBatch, Outcome, StopSearch
from vcdhub.crime.policeuk import STREET_HEADER
from vcdhub.ingest.pipeline import run_import

ACTOR = "test:hostile"
MONTH = "2017-07"
STREET_NAME = f"{MONTH}-metropolitan-street.csv"
COLUMN = {name: i for i, name in enumerate(STREET_HEADER)}
BOUNDS = django_settings.VCDHUB_COORDINATE_BOUNDS
POPULATION_CSV = django_settings.DATA_DIR / "demo" / "population" / "police-defined-demographics.csv"
SLOW_OK = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
PROPERTY = settings(max_examples=40, **SLOW_OK)

# Hostile-looking text that is nevertheless legitimate data in a free-text column.
INJECTIONS = [
    "'); DROP TABLE crime_crime;--",
    "x'); DROP TABLE crime_importbatch; --",
    '"; DELETE FROM crime_crime WHERE "1"="1',
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/","click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "<script>alert(document.cookie)</script>",
    '<img src=x onerror="alert(1)">',
    "%s %s %(x)s {0} {} ?",
    "\\N",  # PostgreSQL COPY's NULL marker, as text
    "\\.",  # and its end-of-data marker
    "back\\slash\\\\ and \\t tab",
    "tab\there, comma, and \"quotes\"",
    "line one\nline two",
    "cr\rlf\r\n",
    "\u202eright-to-left override\u202c \u200b zero width",
    "Ω≈ç√∫ 😀 𝕏",
    "   padded   ",
]


# --- helpers ---------------------------------------------------------------------------------------------


@cache
def _demo(kind: str, month: str = MONTH) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    header, rows = read_rows(DEMO / month / f"{month}-{kind}.csv.gz")
    return tuple(header), tuple(tuple(r) for r in rows)


def demo_rows(kind: str = "metropolitan-street", n: int = 20, start: int = 0) -> tuple[list[str], list[list[str]]]:
    """A copy of real demo rows, safe to change."""
    header, rows = _demo(kind)
    return list(header), [list(r) for r in rows[start:start + n]]


def csv_text(rows: list[list[str]], newline: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def encode(header, rows, *, newline: str = "\n", bom: bool = False) -> tuple[bytes, list[int]]:
    """UTF-8 CSV bytes, and the line each row starts on (the header is line 1). Text must hold no lone CR."""
    parts = [csv_text([header], newline)]
    starts = []
    line = 1 + parts[0].count("\n")
    for row in rows:
        text = csv_text([row], newline)
        starts.append(line)
        line += text.count("\n")
        parts.append(text)
    data = "".join(parts).encode("utf-8")
    return (b"\xef\xbb\xbf" + data if bom else data), starts


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Crime, CrimeFlags, Outcome, StopSearch, ImportBatch)}


def run(*paths):
    return run_import(list(paths), actor=ACTOR)


def import_one(path):
    summary = run(path)
    assert len(summary.files) == 1, summary.files
    return summary.files[0]


def assert_rejected(path):
    """Import one file, which must be rejected with reasons, leaving every table exactly as it was."""
    before = counts()
    result = import_one(path)
    assert result.status == "rejected", result
    assert result.errors, "a rejection must say why"
    assert result.batch_id is None and result.rows_imported == 0
    assert counts() == before, "a rejected file must write nothing"
    for error in result.errors:
        assert len(error.reason) <= 400, "a reason must not echo a hostile value whole"
    return result


def assert_imported(path, rows: int):
    before = counts()
    result = import_one(path)
    assert result.status == "imported", result.errors
    assert result.rows_imported == rows and result.rows_rejected == 0 and not result.errors
    after = counts()
    model = {"street": "Crime", "outcomes": "Outcome", "stop-and-search": "StopSearch"}[result.kind]
    assert after[model] - before[model] == rows
    assert after["ImportBatch"] - before["ImportBatch"] == 1
    return result


@contextmanager
def rolled_back():
    """Undo whatever one Hypothesis example wrote, so every example starts from the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def street_values(batch_id: int) -> list[list[str]]:
    """The street rows of one batch as their file text, in file order."""
    fields = ("crime_id", "month", "reported_by", "falls_within", "longitude_text", "latitude_text", "location",
              "lsoa_code", "lsoa_name", "crime_type", "last_outcome_category", "context")
    out = []
    for values in Crime.objects.filter(batch_id=batch_id).order_by("id").values_list(*fields):
        row = list(values)
        row[1] = f"{row[1]:%Y-%m}"
        out.append(row)
    return out


def errors_by_line(result) -> dict[int | None, list]:
    found: dict[int | None, list] = {}
    for error in result.errors:
        found.setdefault(error.line, []).append(error)
    return found


def with_value(row: list[str], column: str, value: str) -> list[str]:
    row = list(row)
    row[COLUMN[column]] = value
    return row


# --- strategies -------------------------------------------------------------------------------------------

# Any text but NUL (tested on its own), lone surrogates (not encodable) and CR (csv.writer would not quote it).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\r"), max_size=20)
MONTH_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
BAD_MONTHS = ["2017-13", "2017-00", "2017-7", "17-07", "2017/07", "July 2017", "2017-07-01", "1899-12", "2101-01",
              "", " 2017-07", "2017-07 ", "2017-07\n", "２０１７-07", "٢٠١٧-٠٧"]
BAD_LSOA_CODES = ["E0100362", "E010036222", "e01003622", "X01003622", "E01003622 ", "E0100362x", "E0１003622",
                  "E0100362\n", "'; --"]
NEAR_MISS_TYPES = ["burglary", "Burglary ", " Robbery", "BURGLARY", "Violent Crime", "Drugs\n", "Drugs\nDrugs",
                   "Anti social behaviour", "Other  theft", "'); DROP TABLE crime_crime;--", "=cmd|' /C calc'!A0"]
LIMITS = {"Crime ID": 64, "Reported by": 100, "Falls within": 100, "Longitude": 24, "Latitude": 24, "Location": 255,
          "LSOA code": 12, "LSOA name": 120, "Last outcome category": 255, "Context": 2000}


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _good_month(text: str) -> bool:
    return bool(MONTH_RE.fullmatch(text)) and 1900 <= int(text[:4]) <= 2100


@st.composite
def hostile_row(draw, row: list[str]):
    """A real row made invalid in one way: (fields, the column the error must name, words of the reason)."""
    how = draw(st.sampled_from(["type", "range", "number", "month", "width", "nul", "length", "force", "lsoa"]))
    if how == "type":
        value = draw(st.sampled_from(NEAR_MISS_TYPES) | TEXT.filter(lambda t: t not in ALL_CRIME_TYPES))
        return with_value(row, "Crime type", value), "Crime type", "unknown crime type"
    if how == "range":
        column = draw(st.sampled_from(["Longitude", "Latitude"]))
        low, high = (BOUNDS["lon_min"], BOUNDS["lon_max"]) if column == "Longitude" else (
            BOUNDS["lat_min"], BOUNDS["lat_max"])
        number = draw(st.floats(max_value=low, exclude_max=True) | st.floats(min_value=high, exclude_min=True))
        value = draw(st.just(repr(number)) | st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1e999", "-1e400"]))
        return with_value(row, column, value), column, "out of range"
    if how == "number":
        column = draw(st.sampled_from(["Longitude", "Latitude"]))
        value = draw(st.sampled_from(["", "0,1", "51.5N", "0x1p-2", "--1"]) | TEXT.filter(lambda t: not _is_float(t)))
        return with_value(row, column, value), column, "not a number"
    if how == "month":
        value = draw(st.sampled_from(BAD_MONTHS) | TEXT.filter(lambda t: not _good_month(t)))
        return with_value(row, "Month", value), "Month", "YYYY-MM"
    if how == "width":
        if draw(st.booleans()):
            keep = draw(st.integers(1, len(row) - 1))
            return row[:keep], None, f"{keep} fields, expected {len(row)}"
        extra = draw(st.lists(TEXT, min_size=1, max_size=3))
        return [*row, *extra], None, f"{len(row) + len(extra)} fields, expected {len(row)}"
    if how == "nul":
        column = draw(st.sampled_from(STREET_HEADER))
        value = row[COLUMN[column]]
        at = draw(st.integers(0, len(value)))
        return with_value(row, column, value[:at] + "\x00" + value[at:]), column, "NUL byte"
    if how == "length":
        column = draw(st.sampled_from(sorted(LIMITS)))
        size = LIMITS[column] + draw(st.integers(1, 500))
        value = row[COLUMN[column]]
        return with_value(row, column, value + "0" * (size - len(value))), column, f"{size} characters"
    if how == "force":
        return with_value(row, "Reported by", ""), "Reported by", "blank"
    value = draw(st.sampled_from(BAD_LSOA_CODES))
    return with_value(row, "LSOA code", value), "LSOA code", "not an LSOA code"


# --- bad rows, named exactly ------------------------------------------------------------------------------


@settings(max_examples=100, **SLOW_OK)
@given(data=st.data(), newline=st.sampled_from(["\n", "\r\n"]), bom=st.booleans(), gz=st.booleans())
def test_injected_bad_rows_reject_the_file_and_are_each_named(london, tmp_path, data, newline, bom, gz):
    header, rows = demo_rows(n=30)
    _, pool = demo_rows(n=400, start=30)
    expected = {}  # id(row) -> (column, words)
    for _ in range(data.draw(st.integers(1, 5), label="bad rows")):
        fields, column, words = data.draw(hostile_row(data.draw(st.sampled_from(pool))))
        rows.insert(data.draw(st.integers(0, len(rows)), label="position"), fields)
        expected[id(fields)] = (column, words)
    content, starts = encode(header, rows, newline=newline, bom=bom)
    path = write(tmp_path / (STREET_NAME + (".gz" if gz else "")), content)
    want = {starts[i]: expected[id(row)] for i, row in enumerate(rows) if id(row) in expected}

    with rolled_back():
        result = assert_rejected(path)
    found = errors_by_line(result)
    assert set(found) == set(want), "exactly the injected lines are named"
    for line, (column, words) in want.items():
        assert any(e.column == column and words in e.reason for e in found[line]), (line, found[line])
    assert result.rows_rejected == len(want)
    assert result.rows_read == len(rows)


@PROPERTY
@given(data=st.data(), newline=st.sampled_from(["\n", "\r\n"]))
def test_latin1_bytes_are_named_on_their_exact_lines(london, tmp_path, data, newline):
    header, rows = demo_rows(n=30)
    chosen = data.draw(st.sets(st.integers(0, len(rows) - 1), min_size=1, max_size=5), label="latin-1 rows")
    parts = [csv_text([header], newline).encode()]
    want = {}
    for i, row in enumerate(rows):
        if i in chosen:
            location = row[COLUMN["Location"]]
            row = with_value(row, "Location", location.replace("e", "é", 1) if "e" in location else location + " é")
            line = csv_text([row], newline).encode("latin-1")
            want[i + 2] = line.index(b"\xe9") + 1
        else:
            line = csv_text([row], newline).encode("utf-8")
        parts.append(line)
    path = write(tmp_path / STREET_NAME, b"".join(parts))

    with rolled_back():
        result = assert_rejected(path)
    assert {e.line: e.reason for e in result.errors}.keys() == want.keys()
    for error in result.errors:
        assert "0xe9" in error.reason and f"position {want[error.line]}" in error.reason, error
    assert result.rows_rejected == len(want)


def test_latin1_in_the_header_is_line_one(london, tmp_path):
    header, rows = demo_rows(n=5)
    content = (csv_text([[*header[:-1], "Contéxt"]]).encode("latin-1") + csv_text(rows).encode())
    result = assert_rejected(write(tmp_path / STREET_NAME, content))
    assert [e.line for e in result.errors] == [1]


@pytest.mark.parametrize(
    ("kind", "name", "column", "value", "words"),
    [
        ("metropolitan-outcomes", f"{MONTH}-metropolitan-outcomes.csv", "Outcome type", "", "blank"),
        ("metropolitan-outcomes", f"{MONTH}-metropolitan-outcomes.csv", "Crime ID", "", "blank"),
        ("metropolitan-outcomes", f"{MONTH}-metropolitan-outcomes.csv", "Latitude", "91.5", "out of range"),
        ("metropolitan-stop-and-search", f"{MONTH}-metropolitan-stop-and-search.csv", "Type", "Body search",
         "unknown search type"),
        ("metropolitan-stop-and-search", f"{MONTH}-metropolitan-stop-and-search.csv", "Date", "yesterday",
         "ISO 8601"),
        ("metropolitan-stop-and-search", f"{MONTH}-metropolitan-stop-and-search.csv",
         "Part of a policing operation", "Yes", "True, False or blank"),
        ("metropolitan-stop-and-search", f"{MONTH}-metropolitan-stop-and-search.csv", "Longitude", "181",
         "out of range"),
    ],
)
def test_outcome_and_stop_search_bad_rows_are_named(london, tmp_path, kind, name, column, value, words):
    header, rows = demo_rows(kind, n=30)
    rows[6][header.index(column)] = value
    result = assert_rejected(write(tmp_path / name, encode(header, rows)[0]))
    assert [(e.line, e.column) for e in result.errors] == [(8, column)]
    assert words in result.errors[0].reason


def test_every_bad_row_is_counted_though_only_the_first_thousand_are_listed(london, tmp_path):
    header, rows = demo_rows(n=1500)
    rows = [with_value(r, "Crime type", "Murder") for r in rows]
    result = assert_rejected(write(tmp_path / STREET_NAME, encode(header, rows)[0]))
    assert result.rows_rejected == 1500 and result.rows_read == 1500
    assert [e.line for e in result.errors] == list(range(2, 1002))


def test_a_rejected_replacement_leaves_the_earlier_month_untouched(london, street_sample, tmp_path):
    good = assert_imported(street_sample(n=40), 40)
    kept = street_values(good.batch_id)
    header, rows = read_rows(street_sample(n=40))
    rows.insert(20, with_value(rows[3], "Longitude", "-181.0"))
    result = assert_rejected(write(tmp_path / "republished" / STREET_NAME, encode(header, rows)[0]))
    assert [(e.line, e.column) for e in result.errors] == [(22, "Longitude")]
    assert street_values(good.batch_id) == kept
    assert ImportBatch.objects.get(pk=good.batch_id).superseded_by is None


# --- broken files -----------------------------------------------------------------------------------------


@PROPERTY
@given(cut=st.floats(0, 1, exclude_max=True))
def test_a_truncated_gzip_is_rejected(london, tmp_path, cut):
    header, rows = demo_rows(n=100)
    whole = gzip.compress(encode(header, rows)[0])
    size = int(len(whole) * cut)
    path = tmp_path / (STREET_NAME + ".gz")
    path.write_bytes(whole[:size])
    with rolled_back():
        result = assert_rejected(path)
    reasons = " ".join(e.reason for e in result.errors)
    assert ("gzip" in reasons) if size else ("empty" in reasons)


def test_plain_text_named_gz_and_a_corrupt_zip_are_rejected(london, tmp_path):
    header, rows = demo_rows(n=10)
    plain = tmp_path / (STREET_NAME + ".gz")
    plain.write_bytes(encode(header, rows)[0])
    assert "gzip" in assert_rejected(plain).errors[0].reason
    archive = tmp_path / "2017-07.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(f"{MONTH}/{STREET_NAME}", encode(header, rows)[0])
    archive.write_bytes(buffer.getvalue()[:-30])  # the central directory is cut off
    assert "zip" in assert_rejected(archive).errors[0].reason


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{MONTH}/", b"")
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_a_bulk_zip_imports_its_good_members_and_rejects_the_bad_ones(london, tmp_path):
    street_h, street = demo_rows(n=60)
    outcome_h, outcomes = demo_rows("metropolitan-outcomes", n=25)
    search_h, searches = demo_rows("metropolitan-stop-and-search", n=15)
    btp_h, btp = demo_rows("btp-street", n=12)
    corrupt = encode(btp_h, btp)[0]
    members = {
        f"{MONTH}/{MONTH}-metropolitan-street.csv": encode(street_h, street)[0],
        f"{MONTH}/{MONTH}-metropolitan-outcomes.csv": encode(outcome_h, outcomes)[0],
        f"{MONTH}/{MONTH}-metropolitan-stop-and-search.csv.gz": gzip.compress(encode(search_h, searches)[0]),
        f"{MONTH}/readme.txt": b"Contains public sector information licensed under the Open Government Licence v3.0.\n",
        f"{MONTH}/{MONTH}-police-defined-demographics.csv": POPULATION_CSV.read_bytes(),
        "2017-08/2017-08-metropolitan-street.csv.gz": gzip.compress(encode(street_h, street)[0])[:-200],
        f"{MONTH}/{MONTH}-btp-street.csv": corrupt,
        "__MACOSX/2017-07/._2017-07-btp-street.csv": b"\x00\x05\x16\x07",
    }
    raw = bytearray(_zip_bytes(members))
    # Corrupt one stored member's bytes after writing, so its CRC no longer matches.
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.getinfo(f"{MONTH}/{MONTH}-btp-street.csv")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF
    archive = tmp_path / "2017-07-bulk.zip"
    archive.write_bytes(bytes(raw))

    before = counts()
    summary = run(archive)
    status = {f.source.split("!", 1)[1]: f for f in summary.files}
    assert {k: f.status for k, f in status.items()} == {
        f"{MONTH}/{MONTH}-btp-street.csv": "rejected",
        f"{MONTH}/{MONTH}-metropolitan-outcomes.csv": "imported",
        f"{MONTH}/{MONTH}-metropolitan-stop-and-search.csv.gz": "imported",
        f"{MONTH}/{MONTH}-metropolitan-street.csv": "imported",
        f"{MONTH}/{MONTH}-police-defined-demographics.csv": "rejected",
        f"{MONTH}/readme.txt": "rejected",
        "2017-08/2017-08-metropolitan-street.csv.gz": "rejected",
    }
    assert "not a police.uk CSV" in status[f"{MONTH}/readme.txt"].errors[0].reason
    demographics = status[f"{MONTH}/{MONTH}-police-defined-demographics.csv"].errors
    assert [e.line for e in demographics] == [1] and "not a police.uk" in demographics[0].reason
    assert "gzip" in status["2017-08/2017-08-metropolitan-street.csv.gz"].errors[0].reason
    assert "zip member cannot be read" in status[f"{MONTH}/{MONTH}-btp-street.csv"].errors[0].reason
    after = counts()
    assert after["Crime"] - before["Crime"] == 60  # nothing from the corrupt BTP or truncated August members
    assert after["Outcome"] - before["Outcome"] == 25
    assert after["StopSearch"] - before["StopSearch"] == 15
    assert after["ImportBatch"] - before["ImportBatch"] == 3
    assert not Crime.objects.filter(reported_by="British Transport Police").exists()
    assert set(StopSearch.objects.values_list("force", flat=True)) == {"Metropolitan Police Service"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (STREET_NAME, b""),
        (STREET_NAME, b"\n"),
        (STREET_NAME, b"\r\n\r\n"),
        (STREET_NAME, b"  \t \n"),
        (STREET_NAME, b"\xef\xbb\xbf"),
        (STREET_NAME + ".gz", b""),
    ],
)
def test_an_empty_file_is_rejected(london, tmp_path, name, content):
    result = assert_rejected(write(tmp_path / name, content))
    assert [(e.line, e.column) for e in result.errors] == [(None, None)]
    assert "empty" in result.errors[0].reason


@pytest.mark.parametrize(
    ("kind", "name", "trailer", "bom"),
    [
        ("metropolitan-street", STREET_NAME, "\n", False),
        ("metropolitan-street", STREET_NAME, "", False),
        ("metropolitan-street", STREET_NAME, "\r\n\r\n\r\n", True),
        ("metropolitan-street", STREET_NAME + ".gz", "\n", False),
        ("metropolitan-outcomes", f"{MONTH}-metropolitan-outcomes.csv", "\n", False),
        ("metropolitan-stop-and-search", f"{MONTH}-metropolitan-stop-and-search.csv", "\n", True),
    ],
)
def test_a_header_only_file_is_rejected(london, tmp_path, kind, name, trailer, bom):
    header, _ = demo_rows(kind, n=0)
    content = ("\ufeff" if bom else "") + ",".join(header) + trailer
    result = assert_rejected(write(tmp_path / name, content.encode()))
    assert [(e.line, e.column) for e in result.errors] == [(None, None)]
    assert "no rows" in result.errors[0].reason


def _renamed(header, rows, old, new):
    return [new if h == old else h for h in header], rows


def _dropped(header, rows, column):
    i = header.index(column)
    return header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]


def _swapped(header, rows, a, b):
    i, j = header.index(a), header.index(b)

    def swap(r):
        r = list(r)
        r[i], r[j] = r[j], r[i]
        return r

    return swap(header), [swap(r) for r in rows]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda h, r: _renamed(h, r, "Crime type", "Crime Type"), ["lacks 'Crime type'", "unexpected 'Crime Type'"]),
        (lambda h, r: _renamed(h, r, "LSOA code", "LSOA_code"), ["lacks 'LSOA code'", "unexpected 'LSOA_code'"]),
        (lambda h, r: _renamed(h, r, "Location", "x" * 5000), ["lacks 'Location'", "unexpected 'xxxx"]),
        (lambda h, r: _dropped(h, r, "Context"), ["lacks 'Context'"]),
        (lambda h, r: _dropped(h, r, "Month"), ["lacks 'Month'"]),
        (lambda h, r: _swapped(h, r, "Longitude", "Latitude"), ["out of order"]),
        (lambda h, r: ([*h, "Notes"], [[*x, ""] for x in r]), ["unexpected 'Notes'"]),
        (lambda h, r: ([h[0], *h], [[x[0], *x] for x in r]), ["out of order"]),
        (lambda h, r: ([c.upper() for c in h], r), ["not a police.uk", "'CRIME ID'"]),
        (lambda h, r: ([], r), ["not a police.uk"]),
    ],
)
def test_a_wrong_header_is_rejected_on_line_one(london, tmp_path, change, words):
    header, rows = change(*demo_rows(n=20))
    content = (csv_text([header]) if header else "\n") + csv_text(rows)
    result = assert_rejected(write(tmp_path / STREET_NAME, content.encode()))
    assert [(e.line, e.column) for e in result.errors] == [(1, None)], result.errors
    for word in words:
        assert word in result.errors[0].reason, result.errors[0].reason


@settings(max_examples=25, **SLOW_OK)
@given(order=st.permutations(range(len(STREET_HEADER))).filter(lambda p: p != list(range(len(STREET_HEADER)))))
def test_any_reordering_of_the_header_is_rejected(london, tmp_path, order):
    header, rows = demo_rows(n=20)
    content = csv_text([[header[i] for i in order], *[[r[i] for i in order] for r in rows]])
    with rolled_back():
        result = assert_rejected(write(tmp_path / STREET_NAME, content.encode()))
    assert [(e.line, e.reason) for e in result.errors] == [
        (1, "header looks like a police.uk street file but its columns are out of order")]


def test_a_non_police_csv_is_rejected(london, tmp_path):
    result = assert_rejected(write(tmp_path / "police-defined-demographics.csv", POPULATION_CSV.read_bytes()))
    assert [e.line for e in result.errors] == [1]
    assert "'Police force'" in result.errors[0].reason


# --- huge and overlong fields -----------------------------------------------------------------------------


def _huge(value: str, size: int, filler: str = "x") -> str:
    return value + filler * (size - len(value))


@pytest.mark.parametrize(
    ("column", "make", "words"),
    [
        ("Location", lambda v: _huge(v, 200_000), "200000 characters, more than the 255 allowed"),
        ("Context", lambda v: _huge(v, 200_000), "200000 characters, more than the 2000 allowed"),
        ("LSOA name", lambda v: _huge(v, 121), "121 characters, more than the 120 allowed"),
        ("Crime ID", lambda v: _huge(v, 65, "f"), "65 characters, more than the 64 allowed"),
        # Still a valid number in range, but far too long for the column that keeps the file's text.
        ("Longitude", lambda v: _huge(v, 200_000, "0"), "200000 characters, more than the 24 allowed"),
        ("Latitude", lambda v: _huge(v, 25, "0"), "25 characters, more than the 24 allowed"),
        ("Crime type", lambda v: _huge(v, 200_000), "unknown crime type"),
        ("Location", lambda v: _huge(v, 1_500_000), "CSV cannot be read past here"),  # over the CSV field limit
    ],
)
def test_a_huge_field_is_named_not_stored(london, tmp_path, column, make, words):
    header, rows = demo_rows(n=20)
    rows[9] = with_value(rows[9], column, make(rows[9][COLUMN[column]]))
    result = assert_rejected(write(tmp_path / STREET_NAME, encode(header, rows)[0]))
    assert result.errors[0].line == 11
    assert result.errors[0].column == (None if "CSV" in words else column)
    assert words in result.errors[0].reason


def test_an_overlong_stop_search_date_and_force_are_rejected(london, tmp_path):
    header, rows = demo_rows("metropolitan-stop-and-search", n=10)
    long_date = rows[2][1].replace("+00:00", ".123456789012345678901+00:00")  # valid ISO 8601, 47 characters
    rows[2][1] = long_date
    result = assert_rejected(write(tmp_path / f"{MONTH}-metropolitan-stop-and-search.csv", encode(header, rows)[0]))
    assert [(e.line, e.column) for e in result.errors] == [(4, "Date")]
    assert f"{len(long_date)} characters" in result.errors[0].reason

    _, rows = demo_rows("metropolitan-stop-and-search", n=10)
    force = "metropolitan" * 10  # more than a force name can hold
    result = assert_rejected(write(tmp_path / f"{MONTH}-{force}-stop-and-search.csv", encode(header, rows)[0]))
    assert [(e.line, e.column) for e in result.errors] == [(None, None)]
    assert "force" in result.errors[0].reason


# --- hostile-looking text is data -------------------------------------------------------------------------


def test_injection_strings_in_text_columns_are_stored_verbatim(london, tmp_path):
    header, rows = demo_rows(n=len(INJECTIONS) + 5)
    for i, text in enumerate(INJECTIONS):
        rows[i] = with_value(rows[i], "Location", text)
        rows[i] = with_value(rows[i], "Context", text * 3)
        rows[i + 1] = with_value(rows[i + 1], "LSOA name", text)
        rows[i + 2] = with_value(rows[i + 2], "Last outcome category", text)
    rows[0] = with_value(rows[0], "Crime ID", INJECTIONS[0])
    rows[1] = with_value(rows[1], "Falls within", INJECTIONS[3])
    path = write(tmp_path / STREET_NAME, csv_text([header, *rows], "\r\n").encode())

    result = assert_imported(path, len(rows))
    assert street_values(result.batch_id) == rows
    with connection.cursor() as cursor:  # the tables the SQL text names are still there and whole
        cursor.execute("SELECT COUNT(*) FROM crime_crime")
        assert cursor.fetchone()[0] == Crime.objects.count()
        cursor.execute("SELECT COUNT(*) FROM crime_importbatch")
        assert cursor.fetchone()[0] == ImportBatch.objects.count() >= 1
    assert Crime.objects.filter(context="\\N" * 3).count() == 1  # COPY's NULL marker stayed text


def test_a_nul_byte_is_rejected_with_its_line_and_column(london, tmp_path):
    header, rows = demo_rows(n=20)
    rows[4] = with_value(rows[4], "Location", "'); DROP TABLE crime_crime;--\x00")
    rows[12] = with_value(rows[12], "Context", "\x00")
    result = assert_rejected(write(tmp_path / STREET_NAME, encode(header, rows)[0]))
    assert [(e.line, e.column) for e in result.errors] == [(6, "Location"), (14, "Context")]
    assert all("NUL byte" in e.reason for e in result.errors)


ANY_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


@PROPERTY
@given(
    location=st.sampled_from(INJECTIONS) | st.text(ANY_TEXT, max_size=255),
    context=st.text(ANY_TEXT, max_size=400),
    lsoa_name=st.text(ANY_TEXT, max_size=120),
    bom=st.booleans(),
)
def test_any_text_within_limits_round_trips_exactly(london, tmp_path, location, context, lsoa_name, bom):
    header, rows = demo_rows(n=8)
    rows[3] = with_value(with_value(rows[3], "Location", location), "Context", context)
    rows[5] = with_value(rows[5], "LSOA name", lsoa_name)
    # CRLF rows, so csv.writer quotes any field holding a CR or LF.
    content = ("\ufeff" if bom else "") + csv_text([header, *rows], "\r\n")
    path = write(tmp_path / STREET_NAME, content.encode())
    with rolled_back():
        result = assert_imported(path, len(rows))
        assert street_values(result.batch_id) == rows


# --- malformed CSV structure ------------------------------------------------------------------------------


def _unclosed(rows_before: int, rows_after: int, column: str) -> tuple[bytes, int]:
    header, rows = demo_rows(n=rows_before + 1 + rows_after)
    lines = csv_text([header, *rows]).splitlines(keepends=True)
    bad = rows_before + 1  # index into lines (the header is lines[0]); the row is on line bad + 1
    cells = lines[bad].rstrip("\n").split(",")
    assert len(cells) == len(header), "the demo row has no quoted commas"
    cells[COLUMN[column]] = '"' + cells[COLUMN[column]]
    lines[bad] = ",".join(cells) + "\n"
    return "".join(lines).encode(), bad + 1


@pytest.mark.parametrize(
    ("before", "after", "column"),
    [
        (10, 30, "Location"),  # the quote swallows many later rows
        (3, 2, "Location"),
        (3, 2, "Context"),  # the last column: the rest of the file would fit in one Context value
        (10, 0, "Context"),  # on the last row
        (0, 10, "Crime ID"),  # on the first row
    ],
)
def test_an_unclosed_quote_is_rejected_at_its_line(london, tmp_path, before, after, column):
    content, line = _unclosed(before, after, column)
    result = assert_rejected(write(tmp_path / STREET_NAME, content))
    assert [e.line for e in result.errors] == [line], result.errors
    assert "CSV cannot be read past here" in result.errors[0].reason
    assert result.rows_rejected == 1


def test_a_record_spanning_lines_is_named_by_its_first_line(london, tmp_path):
    header, rows = demo_rows(n=12)
    rows[2] = with_value(rows[2], "Context", "a legitimate\nmulti-line\ncontext")
    rows[6] = with_value(rows[6], "Crime type", "Drugs\nand more")
    rows[9] = with_value(rows[9], "Month", "2017-07\n")
    content, starts = encode(header, rows)
    assert starts[6] == 10 and starts[9] == 14
    result = assert_rejected(write(tmp_path / STREET_NAME, content))
    assert [(e.line, e.column) for e in result.errors] == [(10, "Crime type"), (14, "Month")]


# --- valid variants and idempotence -----------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("gz", [True, False])
def test_crlf_and_a_utf8_bom_are_valid(london, tmp_path, demo_file, newline, bom, gz):
    header, rows = read_rows(demo_file(MONTH, "metropolitan-street"))
    rows = rows[:50]
    content = encode(header, rows, newline=newline, bom=bom)[0]
    if newline == "\r\n":
        assert content.count(b"\r\n") == 51
    result = assert_imported(write(tmp_path / (STREET_NAME + (".gz" if gz else "")), content), 50)
    assert street_values(result.batch_id) == rows  # no stray CR or BOM in any value
    assert result.periods == [["Metropolitan Police Service", MONTH]]


def test_reimporting_the_same_file_changes_nothing(london, street_sample, tmp_path):
    path = street_sample(n=80)
    first = assert_imported(path, 80)
    stored = street_values(first.batch_id)
    before = counts()
    again = import_one(path)
    assert (again.status, again.batch_id, again.rows_imported) == ("unchanged", first.batch_id, 0)
    header, rows = read_rows(path)
    same_bytes_other_name = write_csv(tmp_path / "copy" / "renamed.csv.gz", header, rows)
    assert import_one(same_bytes_other_name).status == "unchanged"
    assert counts() == before
    assert street_values(first.batch_id) == stored


def test_reimporting_a_rejected_file_rejects_it_again(london, tmp_path):
    header, rows = demo_rows(n=20)
    rows[7] = with_value(rows[7], "Crime type", "Murder")
    path = write(tmp_path / STREET_NAME, encode(header, rows)[0])
    first = assert_rejected(path)
    second = assert_rejected(path)
    assert first.errors == second.errors == [first.errors[0]]
    assert (first.errors[0].line, first.errors[0].column) == (9, "Crime type")
