"""The columnar fast path must change speed only: it accepts a file only when the row parser would accept
it with the same values, and what it writes to the database is what the row path writes."""

import gzip
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO, read_rows, shared_data_or_skip, write_csv
from vcdhub.crime.models import Crime, ImportBatch, Outcome, StopSearch
from vcdhub.crime.policeuk import OUTCOMES, STOP_SEARCH, STOP_SEARCH_HEADER, STREET, STREET_HEADER
from vcdhub.ingest.files import discover
from vcdhub.ingest.pipeline import parse_file, run_import
from vcdhub.ingest.sources.policeuk import columnar

PLACED = ("lsoa_id", "ward_id", "borough_id")


@contextmanager
def row_path_only():
    with mock.patch.object(columnar, "parse_clean", return_value=None):
        yield


def _parse(path: Path):
    (source,) = discover([path])
    return parse_file(source, source.read())


def _assert_same_parse(path: Path):
    fast, fast_read, _, fast_errors = _parse(path)
    with row_path_only():
        slow, slow_read, _, slow_errors = _parse(path)
    assert slow is not None and not slow_errors, slow_errors[:3]
    assert fast is not None and fast.frame is not None, "the fast path should take a clean real file"
    assert fast_read == slow_read == len(slow.rows)
    assert fast.frame.select(fast.schema.columns).rows() == [row.values for row in slow.rows]
    assert fast.periods() == slow.periods()


@pytest.mark.parametrize("month,kind", [
    *((month, kind) for month in ("2016-01", "2017-07", "2017-12")
      for kind in ("metropolitan-street", "metropolitan-outcomes")),
    *((month, "metropolitan-stop-and-search") for month in ("2016-06", "2017-07", "2017-12")),
])
def test_real_demo_files_parse_the_same_both_ways(month, kind):
    _assert_same_parse(DEMO / month / f"{month}-{kind}.csv.gz")


@pytest.mark.shared_data
@pytest.mark.parametrize("month", ["2016-10", "2017-01"])
def test_real_full_met_files_parse_the_same_both_ways(month):
    path = shared_data_or_skip("crime", "police-uk", month, f"{month}-metropolitan-street.csv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        assert any('"' in line for line in f), "this file should include quoted fields, to test them"
    _assert_same_parse(path)


def _stored(model, columns):
    return sorted(model.objects.values_list(*columns), key=repr)


@pytest.mark.parametrize("kind,model,schema", [("metropolitan-street", Crime, STREET),
                                               ("metropolitan-outcomes", Outcome, OUTCOMES),
                                               ("metropolitan-stop-and-search", StopSearch, STOP_SEARCH)])
def test_what_the_fast_path_stores_equals_what_the_row_path_stores(london, tmp_path, kind, model, schema):
    header, rows = read_rows(DEMO / "2017-07" / f"2017-07-{kind}.csv.gz")
    rows = [list(r) for r in rows[:300]]
    column = {name: header.index(name) for name in header}
    text = "Location" if "Location" in column else "Object of search"
    # Make sure blanks, a quoted comma, a point-only row and a row with no place at all are in the sample.
    rows[0][column["Longitude"]] = rows[0][column["Latitude"]] = ""
    rows[1][column[text]] = "On or near High Road, Ickenham"
    if "LSOA code" in column:
        rows[0][column["Location"]], rows[0][column["LSOA code"]] = "On or near Nowhere", ""
        rows[2][column["LSOA code"]] = ""
        rows[3][column["LSOA code"]] = "W01000001"
    path = write_csv(tmp_path / f"2017-07-{kind}.csv", header, rows)
    columns = (*schema.columns, *PLACED)
    assert _parse(path)[0].frame is not None, "the fast path should take this clean file"

    fast = run_import([path], actor="test:fast")
    assert fast.ok and fast.totals()["rows_imported"] == len(rows)
    stored_fast = _stored(model, columns)
    model.objects.all().delete()
    ImportBatch.objects.all().delete()  # else the same file is "unchanged" and nothing is written
    with row_path_only():
        slow = run_import([path], actor="test:slow")
    assert slow.ok
    stored_slow = _stored(model, columns)
    assert stored_fast == stored_slow
    # The sample really did exercise each case.
    assert any(r[columns.index("longitude")] is None for r in stored_fast)
    assert any(r[columns.index("lsoa_id")] is None for r in stored_fast)
    assert any(r[columns.index("lsoa_id")] is not None for r in stored_fast)
    assert any("," in r[columns.index(text.lower().replace(" ", "_"))] for r in stored_fast)


# --- generated files: the fast path never accepts what the row parser would not, nor changes a value ---

def _demo_rows(kind: str):
    header, rows = read_rows(DEMO / "2017-07" / f"2017-07-metropolitan-{kind}.csv.gz")
    return rows[:40]


KINDS = {"street": (STREET, STREET_HEADER), "stop-and-search": (STOP_SEARCH, STOP_SEARCH_HEADER)}
ODD_TEXT = st.sampled_from([
    "", " ", "0.1", "-0.1", "+0.1", "1e-3", " 0.1", "0.1 ", "٠.١", "inf", "nan", "-0.", ".5", "0.123456789012345678901",
    "51.5", "-0.0", "1,5", '"', 'a"b', '"quoted"', "\x00", "x" * 300, "E01000001", "e01000001", "E0100000١",
    "2017-7", "2017-07", "2017-13", "2017-07\n", "Robbery", "robbery", "Metropolitan Police Service", "\t", "\r",
    # stop and search: its types, flags and dates, well and badly written
    "Person search", "person search", "True", "false", "TRUE", "1", "2017-07-01T10:15:00+00:00",
    "2017-07-01T10:15:00", "2017-07-01 10:15:00+01:00", "2017-07-01T10:15:00.5+00:00", "2017-07-01T25:00:00+00:00",
    "0001-01-01T00:00:00+05:00", "2017-07-01", "20170701T101500Z",
])


@st.composite
def police_text(draw, kind: str):
    header = KINDS[kind][1]
    rows = [list(r) for r in _demo_rows(kind)]
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.sampled_from(header))
        rows[row][header.index(column)] = draw(ODD_TEXT | st.text(max_size=12))
    lines = [",".join(header)]
    for row in rows:
        quote = draw(st.booleans()) and draw(st.booleans())
        lines.append(",".join(f'"{v.replace(chr(34), chr(34) * 2)}"' if quote or "," in v else v for v in row))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", ",,,", "a,b"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind_and_text=st.sampled_from(sorted(KINDS)).flatmap(lambda kind: st.tuples(st.just(kind), police_text(kind))))
@example(kind_and_text=("street", ",".join(STREET_HEADER) + "\n" + ",".join(_demo_rows("street")[0])))
@example(kind_and_text=("stop-and-search", ",".join(STOP_SEARCH_HEADER) + "\n"
                        + ",".join(_demo_rows("stop-and-search")[0])))
def test_fast_path_agrees_with_the_row_parser_on_generated_files(tmp_path, kind_and_text):
    kind, text = kind_and_text
    schema = KINDS[kind][0]
    path = tmp_path / f"2017-07-metropolitan-{kind}.csv"
    path.write_text(text, encoding="utf-8")
    fast, _, _, fast_errors = _parse(path)
    with row_path_only():
        slow, _, _, slow_errors = _parse(path)
    if fast is not None and fast.frame is not None:
        assert slow is not None, f"the fast path accepted a file the row parser rejects: {slow_errors[:2]}"
        assert fast.frame.select(schema.columns).rows() == [row.values for row in slow.rows]
        assert fast.periods() == slow.periods()
    else:
        assert (fast is None) == (slow is None)
        assert [e.as_dict() for e in fast_errors] == [e.as_dict() for e in slow_errors]
