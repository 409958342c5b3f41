"""The one disclosure policy (platform.disclosure): which records a count covers and how exact it is shown."""

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import make_persona
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import Crime, ImportBatch
from vcdhub.geography.models import Lsoa
from vcdhub.platform.disclosure import Disclosure, countable, open_records

LAMBETH_LSOA = "E01003014"


def _crime(n: int, sensitivity: str, unit: str = "csu", crime_type: str = "Robbery"):
    now = timezone.now()
    batch, _ = ImportBatch.objects.get_or_create(
        sha256="d" * 64, defaults=dict(file_name="force.csv", source="test", kind="street", rows=0,
                                       force="Metropolitan Police Service", month="2017-07-01", imported_by="test",
                                       started_at=now, finished_at=now))
    lsoa = Lsoa.objects.get(code=LAMBETH_LSOA)
    return Crime.objects.create(crime_id=f"{n:064x}", month="2017-07-01", reported_by="Metropolitan Police Service",
                                falls_within="Metropolitan Police Service", location=f"Place {n}",
                                crime_type=crime_type, owner_unit_id=unit, sensitivity=sensitivity, batch=batch,
                                lsoa_id=lsoa.id, ward_id=lsoa.ward_id, borough_id=lsoa.borough_id)


@pytest.fixture
def mixed(london):
    with acting_as("test:setup"):
        return [_crime(i, "OFFICIAL-SENSITIVE" if i < 3 else "OFFICIAL") for i in range(10)]


@pytest.mark.django_db
def test_counts_cover_what_the_reader_may_see_and_the_open_channel_only_official_records(mixed):
    crimes = Crime.objects.all()
    assert countable(crimes, make_persona("csu_investigator")).count() == 10  # own unit's sensitive ones too
    assert countable(crimes, make_persona("compass_officer")).count() == 7
    assert countable(crimes, make_persona("authority_member")).count() == 7
    assert open_records(crimes).count() == 7


@pytest.mark.django_db
def test_shared_outputs_never_count_sensitive_records(mixed):
    """A stored place run is shown to every role: it counts the open channel, whoever ran it."""
    from vcdhub.places.actions import run_analysis

    with acting_as("user:csu_investigator"):
        run = run_analysis("concentration", crime_types=["Robbery"], month_from="2017-07", month_to="2017-07",
                           level="borough", actor="user:csu_investigator", boroughs=["Lambeth"])
    assert run.result["total"] == 7


@given(st.integers(min_value=-3, max_value=50), st.integers(min_value=2, max_value=20))
def test_a_cell_is_withheld_exactly_when_it_is_from_one_to_below_the_minimum(n, minimum):
    policy = Disclosure(minimum)
    assert (policy.cell(n) is None) == (0 < n < minimum)
    assert Disclosure().cell(n) == n  # readers of records see exact figures


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=40), max_size=8))
def test_a_total_is_never_exact_when_a_part_is_withheld_and_never_overstated(cells):
    policy = Disclosure(5)
    shown, withheld = policy.cells(cells)
    total, at_least = policy.total(sum(cells.values()), any_withheld=withheld,
                                   shown_sum=sum(v for v in shown.values() if v is not None))
    if withheld:
        assert total is None and 1 <= at_least <= sum(cells.values())
        assert policy.total_text(total, at_least).startswith("at least ")
    else:
        assert at_least is None and total == policy.cell(sum(cells.values()))
