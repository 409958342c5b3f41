"""The crime cells (crime.cells) hold exactly the counts of the rows, whoever writes the rows, and counts read
from them equal counts of the rows each user may see."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_persona
from vcdhub.access.models import AccessGrant, Unit
from vcdhub.audit.context import acting_as
from vcdhub.crime import cells
from vcdhub.crime.counts import count_by_area, counted_crimes
from vcdhub.crime.filtersets import CrimeFilterSet
from vcdhub.crime.models import Crime, CrimeCell, ImportBatch
from vcdhub.crime.relink import relink_records
from vcdhub.geography.models import Lsoa
from vcdhub.ingest.pipeline import run_import
from vcdhub.platform.disclosure import countable

MONTHS = [dt.date(2017, 6, 1), dt.date(2017, 7, 1)]
TYPES = ["Robbery", "Burglary"]
UNITS = ["vcd-analysts", "csu"]
MARKINGS = ["OFFICIAL", "OFFICIAL-SENSITIVE"]
FORCES = ["Metropolitan Police Service", "City of London Police"]


def _batch():
    now = timezone.now()
    return ImportBatch.objects.get_or_create(
        sha256="c" * 64, defaults=dict(file_name="cells.csv", source="test", kind="street", force=FORCES[0],
                                       month="2017-07-01", rows=0, imported_by="test", started_at=now,
                                       finished_at=now))[0]


def _lsoas():
    return list(Lsoa.objects.order_by("code")[:3]) + [None]


def _crime(batch, month, crime_type, unit, marking, force, lsoa):
    return Crime(month=month, crime_type=crime_type, owner_unit_id=unit, sensitivity=marking, reported_by=force,
                 falls_within=force, batch=batch, location="On or near Cell Street",
                 lsoa_id=lsoa.id if lsoa else None, ward_id=lsoa.ward_id if lsoa else None,
                 borough_id=lsoa.borough_id if lsoa else None)


def _rows_by_key() -> dict:
    counted: dict = {}
    for values in Crime.objects.values_list(*cells.DIMENSIONS):
        counted[values] = counted.get(values, 0) + 1
    return counted


def _cells_by_key() -> dict:
    return {tuple(v[:-1]): v[-1] for v in CrimeCell.objects.values_list(*cells.DIMENSIONS, "records")}


def assert_cells_match_rows():
    """Counted independently in Python from the rows, and by the database's own drift query."""
    by_key = _cells_by_key()
    assert by_key == _rows_by_key()
    assert CrimeCell.objects.count() == len(by_key), "two cells with one key"
    assert cells.drift() == []


dimension = st.tuples(st.sampled_from(range(2)), st.sampled_from(range(2)), st.sampled_from(range(2)),
                      st.sampled_from(range(2)), st.sampled_from(range(2)), st.sampled_from(range(4)))
operation = st.one_of(
    st.tuples(st.just("create"), dimension),
    st.tuples(st.just("bulk_create"), st.lists(dimension, min_size=1, max_size=5)),
    st.tuples(st.just("save"), st.integers(0, 50), dimension),
    st.tuples(st.just("update"), st.sampled_from(["sensitivity", "owner_unit_id", "month", "lsoa"]),
              st.integers(0, 3)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("sql_delete"), st.sampled_from(MONTHS)),
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_cells_hold_the_count_of_their_rows_after_any_mix_of_writes(london, operations):
    lsoas = _lsoas()

    def make(batch, d):
        return _crime(batch, MONTHS[d[0]], TYPES[d[1]], UNITS[d[2]], MARKINGS[d[3]], FORCES[d[4]], lsoas[d[5]])

    with acting_as("test:cells"):
        Crime.objects.all().delete()
        batch = _batch()
        for op, *args in operations:
            pks = list(Crime.objects.order_by("pk").values_list("pk", flat=True))
            if op == "create":
                make(batch, args[0]).save()
            elif op == "bulk_create":
                Crime.objects.bulk_create([make(batch, d) for d in args[0]])
            elif op == "save" and pks:  # an edit through the model: every dimension may change
                crime = Crime.objects.get(pk=pks[args[0] % len(pks)])
                fresh = make(batch, args[1])
                for field in ("month", "crime_type", "owner_unit_id", "sensitivity", "reported_by", "lsoa_id",
                              "ward_id", "borough_id"):
                    setattr(crime, field, getattr(fresh, field))
                crime.save()
            elif op == "update":  # a queryset update, which sends no signals
                field, choice = args
                values = {"sensitivity": {"sensitivity": MARKINGS[choice % 2]},
                          "owner_unit_id": {"owner_unit_id": UNITS[choice % 2]},
                          "month": {"month": MONTHS[choice % 2]},
                          "lsoa": {"lsoa_id": None, "ward_id": None, "borough_id": None}}[field]
                Crime.objects.filter(crime_type=TYPES[choice % 2]).update(**values)
            elif op == "delete" and pks:
                Crime.objects.filter(pk=pks[args[0] % len(pks)]).delete()
            elif op == "sql_delete":  # as supersession deletes: raw SQL, no ORM at all
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {Crime._meta.db_table} WHERE month = %s", [args[0]])  # noqa: S608
            assert_cells_match_rows()


@pytest.mark.django_db
def test_imports_supersession_and_relinking_keep_the_cells_exact(london, street_sample, tmp_path):
    first = street_sample(300)
    assert run_import([first], actor="test").ok
    assert CrimeCell.objects.exists()
    assert_cells_match_rows()
    # The same month republished with fewer rows replaces the first file's rows, cells and all.
    republished = street_sample(120, name="again/2017-07-metropolitan-street.csv")
    summary = run_import([republished], actor="test")
    assert summary.files[0].rows_replaced == 300
    assert Crime.objects.count() == 120
    assert_cells_match_rows()
    with acting_as("test"):
        relink_records()
    assert_cells_match_rows()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_counts_each_files_cells_itself_and_puts_the_triggers_back(london, street_sample):
    assert run_import([street_sample(100)], actor="test").ok  # held before the load: replaced by it
    files = [street_sample(400, name="a/2017-07-metropolitan-street.csv"), street_sample(50, month="2017-06"),
             street_sample(20, month="2017-06", name="b/2017-06-metropolitan-street.csv")]
    summary = run_import(files, actor="test", bulk=True)
    assert summary.ok and [f.rows_replaced for f in summary.files] == [100, 0, 50]
    assert Crime.objects.count() == 420
    assert cells.triggers_present()
    assert_cells_match_rows()
    with acting_as("test"):  # and the triggers work again after it
        Crime.objects.filter(month="2017-06-01").delete()
    assert_cells_match_rows()


@pytest.mark.django_db(transaction=True)
def test_cells_left_without_their_triggers_are_recounted_by_the_next_import(london, street_sample):
    assert run_import([street_sample(200)], actor="test").ok
    cells.drop_triggers()  # as a restore without triggers, or a hand, might leave them
    with acting_as("test"):
        Crime.objects.filter(pk__in=list(Crime.objects.values_list("pk", flat=True)[:20])).delete()
    assert cells.drift()  # the cells are wrong now ...
    assert run_import([street_sample(30, month="2017-06")], actor="test").ok
    assert cells.triggers_present()  # ... and the next import repaired them before writing
    assert_cells_match_rows()
    assert cells.ensure() is False  # nothing to do a second time


@pytest.mark.django_db
def test_drift_names_a_wrong_key_sum_a_cell_without_rows_and_rows_without_a_cell(london, street_sample):
    assert run_import([street_sample(60)], actor="test").ok
    assert cells.drift() == []
    table = CrimeCell._meta.db_table
    wrong, missing = CrimeCell.objects.order_by("pk")[:2]
    CrimeCell.objects.filter(pk=wrong.pk).update(key_sum=wrong.key_sum + 1)
    CrimeCell.objects.filter(pk=missing.pk).delete()
    phantom = CrimeCell.objects.create(**{**{d: getattr(wrong, d) for d in cells.DIMENSIONS},
                                          "month": dt.date(1999, 1, 1), "records": 3, "key_sum": 7})
    found = {row[1 + len(cells.DIMENSIONS):] for row in cells.drift() if row[0] == table}
    assert found == {(wrong.records, wrong.records, wrong.key_sum + 1, wrong.key_sum),
                     (0, missing.records, None, missing.key_sum), (phantom.records, 0, phantom.key_sum, 0)}


FILTERS = ["", "month_from=2017-07&month_to=2017-07", "crime_type=Robbery", "crime_type=Robbery&crime_type=Burglary",
           "force=city", "borough=E09000022", "month_from=2017-06&crime_type=Burglary&borough=E09000022"]


@pytest.mark.django_db
def test_counts_from_the_cells_equal_counts_of_the_rows_each_user_may_see(london):
    lsoas = [lsoa for lsoa in Lsoa.objects.filter(borough__code="E09000022").order_by("code")[:2]] + [None]
    with acting_as("test:setup"):
        batch = _batch()
        Crime.objects.bulk_create([
            _crime(batch, month, crime_type, unit, marking, force, lsoa)
            for month in MONTHS for crime_type in TYPES for unit in UNITS for marking in MARKINGS
            for force in FORCES for lsoa in lsoas for _ in range(2)])
        users = [make_persona(name) for name in ("vcd_analyst", "csu_investigator", "borough_analyst",
                                                 "authority_member", "administrator")]
        granted = make_persona("compass_officer")
        AccessGrant.objects.create(user=granted, content_type_id=_crime_type_id(), unit=Unit.objects.get(code="csu"),
                                   reason="test", requested_by=granted, approved_at=timezone.now(),
                                   expires_at=timezone.now() + dt.timedelta(days=1))
        record = make_persona("jigsaw_panel_chair")
        one = Crime.objects.filter(owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE").first()
        AccessGrant.objects.create(user=record, content_type_id=_crime_type_id(), object_id=str(one.pk),
                                   reason="test", requested_by=record, approved_at=timezone.now(),
                                   expires_at=timezone.now() + dt.timedelta(days=1))
    for user in [*users, granted, record]:
        for query in FILTERS:
            params = QueryDict(query)
            rows = CrimeFilterSet(params, queryset=countable(Crime.objects.all(), user)).qs
            filterset, counted = counted_crimes(user, params)
            # The single-record grant cannot be told from the cells: that user is counted from the rows.
            assert (counted.weight is None) == (user is record), user.username
            assert counted.total() == rows.count(), f"{user.username}: {query!r}"
            assert counted.by("crime_type") == {t: rows.filter(crime_type=t).count() for t in TYPES
                                                if rows.filter(crime_type=t).exists()}
            for level in ("borough", "ward", "lsoa"):
                assert count_by_area(counted, level) == count_by_area(rows, level), (user.username, query, level)


def _crime_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Crime).pk


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_triggers_a_table_rebuild_dropped(london, street_sample):
    assert run_import([street_sample(60)], actor="test").ok
    cells.drop_triggers()  # as SQLite's table rebuild in a migration does
    with acting_as("test"):
        Crime.objects.filter(pk__in=list(Crime.objects.values_list("pk", flat=True)[:7])).delete()
    call_command("migrate", verbosity=0)
    assert cells.triggers_present()
    assert_cells_match_rows()
