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
from vcdhub.crime.models import Crime, ImportBatch, Outcome
from vcdhub.crime.policeuk import OUTCOMES, STREET, STREET_HEADER
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


@pytest.mark.parametrize("month", ["2016-01", "2017-07", "2017-12"])
@pytest.mark.parametrize("kind", ["metropolitan-street", "metropolitan-outcomes"])
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
                                               ("metropolitan-outcomes", Outcome, OUTCOMES)])
def test_what_the_fast_path_stores_equals_what_the_row_path_stores(london, tmp_path, kind, model, schema):
    header, rows = read_rows(DEMO / "2017-07" / f"2017-07-{kind}.csv.gz")
    rows = rows[:300]
    # Make sure blanks, a quoted comma, a point-only row and a row with no place at all are in the sample.
    rows[0][4:8] = ["", "", "On or near Nowhere", ""]
    rows[1][6] = "On or near High Road, Ickenham"
    rows[2][7] = ""
    rows[3][7] = "W01000001"
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
    assert any("," in r[columns.index("location")] for r in stored_fast)


# --- generated files: the fast path never accepts what the row parser would not, nor changes a value ---

def _demo_rows():
    header, rows = read_rows(DEMO / "2017-07" / "2017-07-metropolitan-street.csv.gz")
    return rows[:40]


ODD_TEXT = st.sampled_from([
    "", " ", "0.1", "-0.1", "+0.1", "1e-3", " 0.1", "0.1 ", "٠.١", "inf", "nan", "-0.", ".5", "0.123456789012345678901",
    "51.5", "-0.0", "1,5", '"', 'a"b', '"quoted"', "\x00", "x" * 300, "E01000001", "e01000001", "E0100000١",
    "2017-7", "2017-07", "2017-13", "2017-07\n", "Robbery", "robbery", "Metropolitan Police Service", "\t", "\r",
])
COLUMN = {name: i for i, name in enumerate(STREET_HEADER)}


@st.composite
def street_text(draw):
    rows = [list(r) for r in _demo_rows()]
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.sampled_from(STREET_HEADER))
        rows[row][COLUMN[column]] = draw(ODD_TEXT | st.text(max_size=12))
    lines = [",".join(STREET_HEADER)]
    for row in rows:
        quote = draw(st.booleans()) and draw(st.booleans())
        lines.append(",".join(f'"{v.replace(chr(34), chr(34) * 2)}"' if quote or "," in v else v for v in row))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", ",,,", "a,b"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=street_text())
@example(text=",".join(STREET_HEADER) + "\n" + ",".join(_demo_rows()[0]))
def test_fast_path_agrees_with_the_row_parser_on_generated_files(tmp_path, text):
    path = tmp_path / "2017-07-metropolitan-street.csv"
    path.write_text(text, encoding="utf-8")
    fast, _, _, fast_errors = _parse(path)
    with row_path_only():
        slow, _, _, slow_errors = _parse(path)
    if fast is not None and fast.frame is not None:
        assert slow is not None, f"the fast path accepted a file the row parser rejects: {slow_errors[:2]}"
        assert fast.frame.select(STREET.columns).rows() == [row.values for row in slow.rows]
    else:
        assert (fast is None) == (slow is None)
        assert [e.as_dict() for e in fast_errors] == [e.as_dict() for e in slow_errors]
