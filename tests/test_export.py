import gzip
import io
from collections import Counter

import pytest
from django.core.management import call_command

from tests.conftest import read_rows, shared_data_or_skip
from vcdhub.ingest.pipeline import run_import

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
