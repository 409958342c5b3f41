"""Counts from the crime cells are cached under the cells' data version (crime.cells.cached, PostgreSQL):
a cached count is reused only while the data is unchanged, and never outlives a write or a rollback."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_persona
from vcdhub.crime import cells
from vcdhub.crime.counts import counted_crimes
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import

# Each statement commits, as in the web app: a transaction that has itself written the cells caches nothing.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the cells' data version is kept on PostgreSQL only; SQLite counts are never cached")


def _total(user) -> int:
    return counted_crimes(user, {"month_from": "2017-07", "month_to": "2017-07"})[1].total()


def _cell_queries(context) -> int:
    return sum(1 for q in context.captured_queries if "crime_crimecell" in q["sql"] and "SUM(" in q["sql"])


def test_a_cached_count_is_reused_until_the_data_changes(postgres_only, london, street_sample):
    analyst = make_persona("vcd_analyst")
    assert run_import([street_sample(40)], actor="test").ok
    with CaptureQueriesContext(connection) as first:
        assert _total(analyst) == 40
    with CaptureQueriesContext(connection) as again:
        assert _total(analyst) == 40
    assert _cell_queries(first) == 1 and _cell_queries(again) == 0  # the second answer came from the cache

    Crime.objects.filter(pk=Crime.objects.order_by("pk").values("pk")[:1]).delete()  # any write moves it on
    assert _total(analyst) == 39


def test_a_rolled_back_write_leaves_no_cached_count_behind(postgres_only, london, street_sample):
    analyst = make_persona("vcd_analyst")
    assert run_import([street_sample(40)], actor="test").ok
    before = cells.data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Crime.objects.filter(pk__in=Crime.objects.order_by("pk").values("pk")[:5]).delete()
        assert _total(analyst) == 35  # read inside the writing transaction: computed, never cached
        raise RuntimeError("roll back")
    assert cells.data_version() == before
    assert _total(analyst) == 40
    # Another write gets a version never used before, so the rolled-back 35 cannot come back.
    Crime.objects.filter(pk=Crime.objects.order_by("pk").values("pk")[:1]).delete()
    assert cells.data_version() != before
    assert _total(analyst) == 39


def test_users_who_see_different_records_never_share_a_cached_count(postgres_only, london, street_sample):
    assert run_import([street_sample(40)], actor="test").ok
    Crime.objects.filter(pk__in=Crime.objects.order_by("pk").values("pk")[:3]).update(
        sensitivity="OFFICIAL-SENSITIVE", owner_unit_id="csu")
    assert _total(make_persona("csu_investigator")) == 40
    assert _total(make_persona("vcd_analyst")) == 37


def test_a_transaction_that_has_written_the_cells_caches_nothing(postgres_only, london, street_sample):
    analyst = make_persona("vcd_analyst")
    assert run_import([street_sample(40)], actor="test").ok
    with transaction.atomic():
        assert cells.data_version() is not None  # nothing written yet in this transaction
        Crime.objects.filter(pk=Crime.objects.order_by("pk").values("pk")[:1]).delete()
        assert cells.data_version() is None
        with CaptureQueriesContext(connection) as first:
            assert _total(analyst) == 39
        Crime.objects.filter(pk=Crime.objects.order_by("pk").values("pk")[:1]).delete()  # no new version now
        assert _total(analyst) == 38  # so a cached 39 would have been wrong
    assert _cell_queries(first) == 1


def _version_reads(context) -> int:
    return sum(1 for q in context.captured_queries
               if q["sql"].startswith("SELECT n, ") and cells.DATA_VERSION in q["sql"])


def test_a_page_reads_the_data_version_once_but_a_block_that_writes_reads_it_again(postgres_only, london,
                                                                                    street_sample, client):
    analyst = make_persona("vcd_analyst")
    assert run_import([street_sample(40)], actor="test").ok
    client.force_login(analyst)
    with CaptureQueriesContext(connection) as page:
        assert client.get("/crimes/", {"month_from": "2017-07", "month_to": "2017-07"}).status_code == 200
    assert _version_reads(page) == 1  # the explorer counts several times, from one reading of the version
    # A request that may write (not GET or HEAD) reads the version for every count, so its counts after its own
    # write, outside any transaction block, see the data as written.
    cells.request_started(environ={"REQUEST_METHOD": "POST"})
    try:
        assert _total(analyst) == 40
        Crime.objects.filter(pk=Crime.objects.order_by("pk").values("pk")[:1]).delete()
        assert _total(analyst) == 39
    finally:
        cells.request_finished()
    # In a GET request, a transaction block forgets the request's reading: it writes, gets no version (so caches
    # nothing), and the counts after it read the version again.
    cells.request_started(environ={"REQUEST_METHOD": "GET"})
    try:
        assert _total(analyst) == 39
        with transaction.atomic():
            Crime.objects.filter(pk=Crime.objects.order_by("pk").values("pk")[:1]).delete()
            assert cells.data_version() is None
            assert _total(analyst) == 38
        assert _total(analyst) == 38
    finally:
        cells.request_finished()
    assert _total(analyst) == 38
