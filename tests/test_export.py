import gzip
import io
from collections import Counter

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import make_persona, read_rows, shared_data_or_skip, write_csv
from vcdhub.audit.context import acting_as
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.ingest.pipeline import run_import
from vcdhub.platform.csvsafe import FORMULA_STARTS, safe_cell

pytestmark = pytest.mark.django_db


def _export(*args) -> tuple[list[str], list[list[str]]]:
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    import csv

    reader = csv.reader(io.StringIO(out.getvalue()))
    return next(reader), list(reader)


def _round_trip(path, what, *args):
    header, rows = read_rows(path)
    assert run_import([path], actor="test").ok
    out_header, out_rows = _export(what, *args)
    assert out_header == header
    assert Counter(map(tuple, out_rows)) == Counter(map(tuple, rows))


@pytest.mark.parametrize("kind,what", [
    ("metropolitan-street", "crimes"), ("btp-street", "crimes"),
    ("metropolitan-outcomes", "outcomes"), ("metropolitan-stop-and-search", "stop-and-search"),
])
def test_demo_files_round_trip_exactly(london, demo_file, kind, what):
    force = "british transport" if kind.startswith("btp") else "metropolitan"
    _round_trip(demo_file("2017-07", kind), what, "--force", force, "--from", "2017-07", "--to", "2017-07")


def test_export_filters_by_crime_type_and_month(london, demo_file):
    run_import([demo_file("2017-07", "metropolitan-street"), demo_file("2017-08", "metropolitan-street")],
               actor="test")
    _, july = read_rows(demo_file("2017-07", "metropolitan-street"))
    header, rows = _export("crimes", "--crime-type", "Robbery", "--crime-type", "Burglary", "--from", "2017-07",
                           "--to", "2017-07")
    assert Counter(map(tuple, rows)) == Counter(tuple(r) for r in july if r[9] in ("Robbery", "Burglary"))


def test_export_to_a_gzip_file(london, demo_file, tmp_path):
    run_import([demo_file("2017-07", "btp-street")], actor="test")
    target = tmp_path / "out.csv.gz"
    call_command("export", "crimes", "-o", str(target), stderr=io.StringIO())
    with gzip.open(target, "rt", encoding="utf-8") as f:
        assert f.read().count("\n") == len(read_rows(demo_file("2017-07", "btp-street"))[1]) + 1


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["2016-07-metropolitan-street.csv.gz", "2017-07-west-yorkshire-street.csv.gz"])
def test_shared_real_files_round_trip_exactly(london, name):
    month = name[:7]
    path = shared_data_or_skip("crime", "police-uk", month, name)
    force = "west yorkshire" if "yorkshire" in name else "metropolitan"
    _round_trip(path, "crimes", "--force", force, "--from", month, "--to", month)


def test_a_reversed_month_range_is_a_usage_error(london):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="before") as caught:
        call_command("export", "crimes", "--from", "2017-08", "--to", "2017-01", stderr=io.StringIO())
    assert caught.value.returncode == 2


def test_a_bad_month_option_on_import_is_a_usage_error(london, demo_file):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--month") as caught:
        call_command("import", str(demo_file("2017-07", "metropolitan-stop-and-search")), "--month", "2017-8",
                     stdout=io.StringIO())
    assert caught.value.returncode == 2


def test_without_a_user_the_cli_exports_official_records_only(london, demo_file):
    from vcdhub.crime.models import Crime

    run_import([demo_file("2017-07", "btp-street")], actor="test")
    Crime.objects.filter(pk=Crime.objects.order_by("pk").first().pk).update(sensitivity="OFFICIAL-SENSITIVE")
    _, rows = _export("crimes")
    assert len(rows) == Crime.objects.count() - 1


# Tabs and carriage returns at the start of a cell are covered by the property test of safe_cell below.
FORMULAS = ['=HYPERLINK("http://example.invalid/","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.fixture
def formula_crimes(london, street_sample, tmp_path):
    """Real street rows whose free-text Location holds a spreadsheet formula each."""
    header, rows = read_rows(street_sample(len(FORMULAS)))
    at = header.index("Location")
    for row, formula in zip(rows, FORMULAS, strict=True):
        row[at] = formula
    path = write_csv(tmp_path / "f" / "2017-07-metropolitan-street.csv", header, rows)
    assert run_import([path], actor="test").ok
    return header, rows


def test_the_cli_export_keeps_exact_text_unless_asked_to_be_spreadsheet_safe(formula_crimes):
    header, rows = formula_crimes
    at, lon = header.index("Location"), header.index("Longitude")
    _, exact = _export("crimes")
    assert sorted(r[at] for r in exact) == sorted(FORMULAS)  # the police.uk round trip is exact
    _, safe = _export("crimes", "--spreadsheet-safe")
    assert sorted(r[at] for r in safe) == sorted("'" + f for f in FORMULAS)
    assert sorted(r[lon] for r in safe) == sorted(r[lon] for r in rows)  # a negative longitude is a number


def test_web_csv_downloads_neutralise_formulas_but_keep_numbers(formula_crimes, client):
    header, rows = formula_crimes
    client.force_login(make_persona("vcd_analyst"))
    text = b"".join(client.get("/crimes/export.csv").streaming_content).decode()
    import csv

    got = list(csv.reader(io.StringIO(text)))[1:]
    at, lon = header.index("Location"), header.index("Longitude")
    assert sorted(r[at] for r in got) == sorted("'" + f for f in FORMULAS)
    assert sorted(r[lon] for r in got) == sorted(r[lon] for r in rows)
    assert any(r[lon].startswith("-") for r in got)  # west of Greenwich: negative, and kept as a number


@given(st.text(max_size=30))
def test_no_safe_cell_starts_a_formula_unless_it_is_a_plain_number(text):
    cell = safe_cell(text)
    if cell.startswith(FORMULA_STARTS):
        float(cell)  # a plain number such as -0.12 is data; anything else would have been quoted
    else:
        assert cell in (text, "'" + text)


def test_the_audit_csv_neutralises_formulas(london, client):
    with acting_as("user:someone", reason="=cmd|' /C calc'!A0"):
        record_event(EntryKind.ACCESS, "note", object_type="crime.crime", object_id="=1+1", reason="=cmd")
    client.force_login(make_persona("auditor"))
    response = client.get("/audit/", {"q": "record", "object_type": "crime.crime", "object_id": "=1+1",
                                      "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    import csv

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=1+1" in cells and "'=cmd" in cells
    assert not any(cell.startswith(FORMULA_STARTS) and not cell.lstrip("+-").replace(".", "").isdigit()
                   for cell in cells)


@pytest.mark.parametrize(("offered", "kept"), [("abc-123_x.y", True), ("a" * 64, True), ("a" * 65, False),
                                                ("x\r\nSet-Cookie: a=b", False), ("<script>", False),
                                                ("-starts-with-dash", False), ("", False)])
def test_a_request_id_is_kept_only_in_a_strict_format(client, offered, kept):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=offered)
    assert (response["X-Request-ID"] == offered) is kept
    assert len(response["X-Request-ID"]) <= 64
