"""Each PostgreSQL connection carries the planner settings of VCDHUB_PG_OPTIONS (docs/decisions.md); each SQLite
connection spills big sorts to files."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_connections_run_without_jit_and_with_lower_page_costs():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's session settings")
    with connection.cursor() as cursor:
        shown = {}
        for name in ("jit", "random_page_cost", "work_mem"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {"jit": "off", "random_page_cost": "2", "work_mem": "64MB"}


def test_sqlite_connections_spill_big_sorts_to_a_file_not_to_memory():
    """With temp_store=MEMORY, the sorts that build the crime table's indexes after a bulk load of 14M rows held
    1.4 GiB (docs/benchmarks.md, session 14): the import's memory grew with the data."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's pragmas")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        assert cursor.fetchone()[0] == 1  # 0 default, 1 FILE, 2 MEMORY
