import hashlib
import json
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from unittest import mock

import pytest

from tests.conftest import read_rows, write_csv
from vcdhub.crime import cells
from vcdhub.crime.models import Crime, ImportBatch, Outcome, StopSearch
from vcdhub.ingest.files import UsageError, discover
from vcdhub.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db


def _import(*paths):
    return run_import(list(paths), actor="test:importer")


def test_real_street_file_imports_every_row_and_places_it(london, demo_file):
    path = demo_file("2017-07", "metropolitan-street")
    header, rows = read_rows(path)
    summary = _import(path)
    assert summary.ok
    [result] = summary.files
    assert (result.status, result.kind, result.rows_read, result.rows_imported) == ("imported", "street", len(rows),
                                                                                      len(rows))
    assert Crime.objects.count() == len(rows)
    # Every demo row has an LSOA code; each must be linked to that LSOA, its ward and its borough.
    linked = Crime.objects.exclude(lsoa__isnull=True)
    assert linked.count() == len(rows)
    for crime in linked.select_related("lsoa__ward", "lsoa__borough")[:500]:
        assert crime.lsoa.code == crime.lsoa_code
        assert crime.ward_id == crime.lsoa.ward_id and crime.borough_id == crime.lsoa.borough_id
    batch = ImportBatch.objects.get()
    assert (batch.force, batch.month.isoformat(), batch.rows, batch.imported_by) == (
        "Metropolitan Police Service", "2017-07-01", len(rows), "test:importer")
    assert len(batch.sha256) == 64


def test_reimporting_the_same_file_changes_nothing(london, street_sample):
    path = street_sample(300)
    _import(path)
    before = list(Crime.objects.order_by("pk").values_list("pk", "crime_id", "batch_id"))
    summary = _import(path)
    assert [f.status for f in summary.files] == ["unchanged"]
    assert summary.ok
    assert list(Crime.objects.order_by("pk").values_list("pk", "crime_id", "batch_id")) == before
    assert ImportBatch.objects.count() == 1


def test_the_same_content_gzipped_is_the_same_file(london, tmp_path, street_sample):
    plain = street_sample(100)
    header, rows = read_rows(plain)
    gz = write_csv(tmp_path / "copy" / "2017-07-metropolitan-street.csv.gz", header, rows)
    _import(plain)
    assert [f.status for f in _import(gz).files] == ["unchanged"]
    assert Crime.objects.count() == 100


def test_republished_month_replaces_exactly_that_force_month_and_kind(london, tmp_path, demo_file):
    july = demo_file("2017-07", "metropolitan-street")
    august = demo_file("2017-08", "metropolitan-street")
    btp_july = demo_file("2017-07", "btp-street")
    _import(july, august, btp_july)
    header, rows = read_rows(july)
    counts_before = Counter(Crime.objects.values_list("reported_by", "month"))
    # The republished July file: 100 rows dropped, one outcome changed.
    republished = [list(r) for r in rows[100:]]
    republished[0][10] = "Offender sent to prison"
    path = write_csv(tmp_path / "republished" / "2017-07-metropolitan-street.csv", header, republished)
    summary = _import(path)
    [result] = summary.files
    assert result.status == "imported"
    assert result.rows_replaced == len(rows)
    counts_after = Counter(Crime.objects.values_list("reported_by", "month"))
    met_july = ("Metropolitan Police Service", Crime.objects.filter(month="2017-07-01").first().month)
    assert counts_after[met_july] == len(rows) - 100
    # Everything else is untouched: Met August and BTP July.
    for key, n in counts_before.items():
        if key != met_july:
            assert counts_after[key] == n
    old = ImportBatch.objects.get(file_name=july.name, source=str(july))
    assert old.superseded_by_id == result.batch_id
    assert Crime.objects.filter(batch=old).count() == 0



def test_a_republished_month_is_replaced_even_when_an_earlier_batch_lists_no_periods(london, tmp_path, demo_file):
    """Supersession finds a month's rows through the batches that list it; a batch made by hand, without its
    periods, gives no such list, so the month's rows are then found by force and month alone."""
    july, august = demo_file("2017-07", "metropolitan-street"), demo_file("2017-08", "metropolitan-street")
    _import(july, august)
    ImportBatch.objects.update(periods=[])
    header, rows = read_rows(july)
    path = write_csv(tmp_path / "republished" / "2017-07-metropolitan-street.csv", header, rows[100:])
    [result] = _import(path).files
    assert result.rows_replaced == len(rows)
    assert Crime.objects.filter(month="2017-07-01").count() == len(rows) - 100
    assert Crime.objects.filter(month="2017-08-01").count() == len(read_rows(august)[1])


def test_duplicate_rows_inside_one_file_are_all_kept(london, tmp_path, street_sample):
    header, rows = read_rows(street_sample(50))
    asb = [r for r in rows if r[9] == "Anti-social behaviour"][0]
    path = write_csv(tmp_path / "dups" / "2017-07-metropolitan-street.csv", header, rows + [asb, asb])
    _import(path)
    key = dict(zip(header, asb, strict=True))
    same = Crime.objects.filter(crime_id="", location=key["Location"], lsoa_code=key["LSOA code"],
                                crime_type="Anti-social behaviour", longitude_text=key["Longitude"])
    assert same.count() == sum(1 for r in rows + [asb, asb] if r == asb)
    assert Crime.objects.count() == len(rows) + 2


def test_outcomes_link_to_crimes_by_crime_id_even_when_they_arrive_first(london, demo_file):
    outcomes = demo_file("2017-07", "metropolitan-outcomes")
    _, outcome_rows = read_rows(outcomes)
    assert _import(outcomes).ok
    assert Outcome.objects.count() == len(outcome_rows)
    crime_ids = set(Outcome.objects.values_list("crime_id", flat=True))
    assert not Crime.objects.filter(crime_id__in=crime_ids).exists()
    # The crimes arrive later, in their own months' files.
    months = sorted({r[1] for r in read_rows(demo_file("2017-07", "metropolitan-outcomes"))[1]})
    street = demo_file("2017-07", "metropolitan-street")
    _import(street)
    linked = {o.crime_id for o in Outcome.objects.all() if o.crimes.exists()}
    assert linked, f"no outcome found its crime (months {months})"
    # Exactly the outcomes whose Crime ID the street file holds (police.uk gives a few IDs to more than one row).
    header, street_rows = read_rows(street)
    assert linked == crime_ids & {row[header.index("Crime ID")] for row in street_rows}


def test_stop_and_search_takes_force_and_month_from_the_file_name(london, demo_file):
    path = demo_file("2017-07", "metropolitan-stop-and-search")
    _, rows = read_rows(path)
    assert _import(path).ok
    assert StopSearch.objects.count() == len(rows)
    assert set(StopSearch.objects.values_list("force", "month")) == {
        ("Metropolitan Police Service", StopSearch.objects.first().month)}
    assert StopSearch.objects.first().month.isoformat() == "2017-07-01"
    # Placed by point-in-polygon: every demo search was chosen for lying in a demo borough.
    assert StopSearch.objects.filter(borough__isnull=True).count() == 0
    assert set(StopSearch.objects.values_list("borough__name", flat=True)) <= {"Lambeth", "Haringey", "Newham",
                                                                                 "Brent"}


def test_stop_and_search_file_without_a_force_in_its_name_is_rejected_unless_given(london, tmp_path, demo_file):
    header, rows = read_rows(demo_file("2017-07", "metropolitan-stop-and-search"))
    path = write_csv(tmp_path / "searches.csv", header, rows[:20])
    [result] = _import(path).files
    assert result.status == "rejected"
    assert "--force" in result.errors[0].reason
    summary = run_import([path], actor="test", force="metropolitan", month="2017-07")
    assert summary.ok and StopSearch.objects.count() == 20


@pytest.mark.parametrize("date", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_search_time_outside_the_calendar_once_in_utc_is_a_row_error(london, tmp_path, demo_file, date):
    """A hostile date Python reads but cannot move to UTC crashed the whole import (OverflowError)."""
    header, rows = read_rows(demo_file("2017-07", "metropolitan-stop-and-search"))
    rows = [list(r) for r in rows[:5]]
    rows[2][header.index("Date")] = date
    [result] = _import(write_csv(tmp_path / "2017-07-metropolitan-stop-and-search.csv", header, rows)).files
    assert result.status == "rejected"
    assert [(e.line, e.column) for e in result.errors] == [(4, "Date")]
    assert StopSearch.objects.count() == 0


def test_crimes_without_an_lsoa_code_are_placed_by_their_point(london, tmp_path, street_sample):
    header, rows = read_rows(street_sample(40))
    blanked = [r[:7] + ["", ""] + r[9:] for r in rows]
    _import(write_csv(tmp_path / "nocode" / "2017-07-metropolitan-street.csv", header, blanked))
    placed = Crime.objects.exclude(lsoa__isnull=True)
    # The source assigned its LSOAs by point-in-polygon against the same boundaries, so they agree.
    expected = {tuple(r[4:6]): r[7] for r in rows}
    assert placed.count() == len(rows)
    for crime in placed.select_related("lsoa"):
        assert crime.lsoa.code == expected[(crime.longitude_text, crime.latitude_text)]


def test_a_point_outside_every_lsoa_stays_unplaced_and_is_kept(london, tmp_path, street_sample):
    header, rows = read_rows(street_sample(5))
    far = rows[0][:4] + ["-1.550626", "53.597400"] + rows[0][6:7] + ["", ""] + rows[0][9:]  # Barnsley
    _import(write_csv(tmp_path / "far" / "2017-07-metropolitan-street.csv", header, [far]))
    crime = Crime.objects.get()
    assert crime.lsoa_id is None and crime.borough_id is None


def test_a_bad_row_rejects_the_whole_file_and_names_line_column_and_reason(london, tmp_path, street_sample):
    header, rows = read_rows(street_sample(30))
    rows[4][9] = "Jaywalking"
    rows[9][1] = "2017-13"
    rows[14][4] = "181.5"
    path = write_csv(tmp_path / "bad" / "2017-07-metropolitan-street.csv", header, rows)
    [result] = _import(path).files
    assert result.status == "rejected"
    found = {(e.line, e.column) for e in result.errors}
    assert found == {(6, "Crime type"), (11, "Month"), (16, "Longitude")}
    assert result.rows_rejected == 3
    assert "Jaywalking" in next(e.reason for e in result.errors if e.line == 6)
    assert Crime.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_a_zip_of_monthly_folders_imports_each_member(london, tmp_path, demo_file):
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for month in ("2017-07", "2017-08"):
            for kind in ("metropolitan-street", "metropolitan-outcomes"):
                header, rows = read_rows(demo_file(month, kind))
                text = "\n".join(",".join(f'"{v}"' if "," in v else v for v in r) for r in [header, *rows[:50]])
                z.writestr(f"{month}/{month}-{kind}.csv", text + "\n")
    summary = _import(archive)
    assert summary.ok, [f.errors[:3] for f in summary.files]
    assert [f.kind for f in summary.files] == ["outcomes", "street", "outcomes", "street"]
    assert Crime.objects.count() == 100 and Outcome.objects.count() == 100
    assert summary.files[1].source == f"{archive}!2017-07/2017-07-metropolitan-street.csv"


def test_a_folder_is_walked_recursively(london, tmp_path, demo_file):
    for month in ("2017-07", "2017-08"):
        header, rows = read_rows(demo_file(month, "btp-street"))
        write_csv(tmp_path / "bulk" / month / f"{month}-btp-street.csv.gz", header, rows)
    summary = _import(tmp_path / "bulk")
    assert [f.status for f in summary.files] == ["imported", "imported"]


def test_a_missing_path_is_a_usage_error(tmp_path, london):
    with pytest.raises(UsageError):
        _import(tmp_path / "nope.csv")


def _cli(*args, env_db=None):
    return subprocess.run([sys.executable, "-m", "vcdhub.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_cli_exit_status_and_json_summary(london, tmp_path, street_sample, settings):
    # The CLI runs in a subprocess against the same test database.
    import os

    from django.db import connection

    db = connection.settings_dict
    url = (f"sqlite:///{db['NAME']}" if connection.vendor == "sqlite" else
           f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    env = {**os.environ, "DATABASE_URL": url}
    good = street_sample(20)
    header, rows = read_rows(good)
    rows[3][9] = "Nonsense"
    bad = write_csv(tmp_path / "bad" / "2017-08-metropolitan-street.csv", header, rows)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "vcdhub.cli", *args], capture_output=True, text=True,
                              env=env, timeout=300)

    ok = run("import", "--json", str(good))
    assert ok.returncode == 0, ok.stderr
    summary = json.loads(ok.stdout)
    assert (summary["files"], summary["rows_imported"], summary["files_rejected"]) == (1, 20, 0)
    rejected = run("import", "--json", str(good), str(bad))
    assert rejected.returncode == 1
    summary = json.loads(rejected.stdout)
    assert (summary["files_unchanged"], summary["files_rejected"], summary["rows_rejected"]) == (1, 1, 1)
    assert summary["details"][1]["errors"] == [{"line": 5, "column": "Crime type",
                                                "reason": "unknown crime type: 'Nonsense'"}]
    text = run("import", str(bad))
    assert text.returncode == 1 and "line 5, column 'Crime type'" in text.stdout
    assert run("import", str(tmp_path / "missing.csv")).returncode == 2
    assert run("import").returncode == 2
    assert Crime.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_bulk_mode_defers_indexes_and_always_rebuilds_them(london, demo_file, tmp_path):
    from django.db import connection

    from vcdhub.ingest.writers import ensure_indexes

    def index_names():
        with connection.cursor() as cursor:
            return set(connection.introspection.get_constraints(cursor, Crime._meta.db_table))

    wanted = {index.name for index in Crime._meta.indexes}
    assert wanted <= index_names()
    header, rows = read_rows(demo_file("2017-07", "metropolitan-street"))
    rows[5][9] = "Nonsense"
    bad = write_csv(tmp_path / "bad" / "2017-08-metropolitan-street.csv", header, rows)
    before = _crime_constraints()
    summary = run_import([demo_file("2017-07", "metropolitan-street"), bad], actor="test", bulk=True)
    assert [f.status for f in summary.files] == ["imported", "rejected"]
    assert wanted <= index_names()  # rebuilt after the load, rejected file or not
    assert _crime_constraints() == before  # foreign keys and their indexes too
    assert Crime.objects.count() == len(rows)
    # A load killed mid-way leaves indexes dropped: the next import puts them back.
    with connection.schema_editor() as editor:
        editor.remove_index(Crime, Crime._meta.indexes[0])
    assert Crime._meta.indexes[0].name not in index_names()
    assert ensure_indexes(Crime) == [Crime._meta.indexes[0].name]
    assert wanted <= index_names()
    # The foreign-key index and, on PostgreSQL, the foreign keys themselves are also put back.
    constraints = _crime_constraints()
    batch_index = next(n for n, c in constraints.items() if c["columns"] == ["batch_id"] and c["index"]
                       and not c["foreign_key"])
    with connection.schema_editor() as editor:
        editor.execute(editor._delete_index_sql(Crime, batch_index))
        if connection.vendor == "postgresql":
            for name, c in constraints.items():
                if c["foreign_key"]:
                    editor.execute(editor._delete_fk_sql(Crime, name))
    assert _crime_constraints() != constraints
    restored = ensure_indexes(Crime)
    assert "index:batch_id" in restored
    if connection.vendor == "postgresql":
        assert {"fk:batch_id", "fk:owner_unit_id"} <= set(restored)
    assert _crime_constraints() == constraints
    assert ensure_indexes(Crime) == []


def _crime_constraints():
    from django.db import connection

    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, Crime._meta.db_table)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_blocks", [False, True], ids=["whole", "in-blocks"])
def test_bulk_load_keeps_file_order_for_republished_months_and_repeats(london, demo_file, tmp_path, settings,
                                                                       in_blocks):
    """On PostgreSQL a bulk load writes files on several connections at once; the result must be what
    importing them one at a time gives: the later copy of a month wins, and a repeated file is unchanged.
    A file written in blocks (ingest.streaming) does not know its months before it is written: it waits for
    every earlier file, and every later file waits for it."""
    if in_blocks:
        settings.VCDHUB_IMPORT_WHOLE_FILE_BYTES, settings.VCDHUB_IMPORT_BLOCK_BYTES = 20_000, 8_000
    header, rows = read_rows(demo_file("2017-07", "metropolitan-street"))
    first = write_csv(tmp_path / "a" / "2017-07-metropolitan-street.csv", header, rows[:300])
    other = demo_file("2017-08", "metropolitan-street")
    republished = write_csv(tmp_path / "b" / "2017-07-metropolitan-street.csv", header, rows[:250])
    repeat = write_csv(tmp_path / "c" / "2017-07-metropolitan-street.csv", header, rows[:250])
    from django.db import connection

    from vcdhub.ingest import bulk, one_file, pipeline

    threads = []
    real_finish = one_file.finish

    def finish(prepared, **kwargs):
        threads.append(threading.current_thread().name)
        if prepared.source.source == str(first):
            time.sleep(1)  # the first copy of July is slow to write: the republished copy must still wait for it
        return real_finish(prepared, **kwargs)

    # finish is called by the sequential path (pipeline) and by the parallel writers (bulk).
    with mock.patch.object(pipeline, "finish", finish), mock.patch.object(bulk, "finish", finish):
        summary = run_import([], sources=discover([first, other, republished, repeat]), actor="test", bulk=True)
    assert [f.status for f in summary.files] == ["imported", "imported", "imported", "unchanged"]
    if connection.vendor == "postgresql":  # the parallel writers really ran
        assert all(name.startswith("vcdhub-write") for name in threads) and len(threads) == 4
    assert Crime.objects.filter(month="2017-07-01").count() == 250
    assert summary.files[2].rows_replaced == 300
    _, august = read_rows(other)
    assert Crime.objects.filter(month="2017-08-01").count() == len(august)
    older, newer = (ImportBatch.objects.get(sha256=hashlib.sha256(p.read_bytes()).hexdigest())
                    for p in (first, republished))
    assert older.superseded_by_id == newer.id and newer.superseded_by_id is None
    assert cells.drift() == []


@pytest.mark.django_db(transaction=True)
def test_a_large_import_ends_with_fresh_planner_statistics(london):
    """Without them PostgreSQL estimated 1,832 rows for 366,440 and planned for a table 200 times smaller."""
    from django.db import connection

    from tests.conftest import shared_data_or_skip

    path = shared_data_or_skip("crime", "police-uk", "2016-07", "2016-07-metropolitan-street.csv.gz")
    summary = run_import([path], actor="test", bulk=False)
    rows = summary.totals()["rows_imported"]
    assert rows >= 50_000
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'crime_crime'")
            estimate = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'crime_crime' AND idx IS NULL")
            found = cursor.fetchone()
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'crime_crime' LIMIT 1")
            estimate = int((found or cursor.fetchone())[0].split()[0])
    assert abs(estimate - rows) <= rows * 0.05, (estimate, rows)


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_indexes_a_killed_bulk_load_left_out(london, street_sample):
    from django.core.management import call_command
    from django.db import connection

    from vcdhub.ingest.writers import SecondaryIndexesDropped

    assert run_import([street_sample(50)], actor="test").ok
    names = {index.name for index in Crime._meta.indexes}
    SecondaryIndexesDropped(Crime).__enter__()  # as a bulk load killed before its end leaves the table

    def present():
        with connection.cursor() as cursor:
            return set(connection.introspection.get_constraints(cursor, Crime._meta.db_table))

    assert not names & present()
    call_command("migrate", verbosity=0)
    assert names <= present()
