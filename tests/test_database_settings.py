"""Each PostgreSQL connection carries the planner settings of VCDHUB_PG_OPTIONS (docs/decisions.md)."""

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
