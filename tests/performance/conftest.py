import pytest
from django.utils import timezone

from vcdhub.crime.models import Crime, ImportBatch
from vcdhub.geography.models import Lsoa


@pytest.fixture
def make_crimes(london):
    now = timezone.now()
    batch = ImportBatch.objects.create(file_name="made", source="made", sha256="a" * 64, kind="street",
                                       force="Test", month="2017-01-01", rows=0, imported_by="test",
                                       started_at=now, finished_at=now)
    lsoas = {code: Lsoa.objects.get(code=code) for code in ("E01003014", "E01000001")}  # Lambeth; City

    def make(month: str, crime_type: str, n: int, outcome: str = "", lsoa: str = "E01003014"):
        area = lsoas[lsoa]
        Crime.objects.bulk_create([Crime(
            month=f"{month}-01", reported_by="Metropolitan Police Service", falls_within="Metropolitan Police Service",
            crime_type=crime_type, last_outcome_category=outcome, batch=batch, lsoa=area, ward_id=area.ward_id,
            borough_id=area.borough_id, lsoa_code=lsoa) for _ in range(n)])

    return make

