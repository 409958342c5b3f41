"""Targets (performance.TargetSet) through the kit's generic tests, on the generic views of tests/kit_urls.py."""

import pytest

from tests.kit import RecordModuleContract
from vcdhub.performance.models import TargetSet


@pytest.mark.urls("tests.kit_urls")
class TestTargetSetModule(RecordModuleContract):
    model = TargetSet
    list_url = "/kit/targetsets/"
    export_url = "/kit/targetsets/export.csv"
    api_list_url = "/kitapi/targetsets/"

    def detail_url(self, pk) -> str:
        return f"/kit/targetsets/{pk}/"

    change_personas = frozenset({"vcd_supervisor"})
    personas = {**RecordModuleContract.personas, "vcd_supervisor": "not found"}

    def change_urls(self, pk) -> list[str]:
        return [f"/kit/targetsets/{pk}/edit/", f"/kit/targetsets/{pk}/delete/"]

    def make_record(self, unit: str, sensitivity: str):
        return TargetSet.objects.create(name=f"{unit}-{sensitivity.lower()}"[:40], toml="# targets",
                                        owner_unit_id=unit, sensitivity=sensitivity)

    def identifying_text(self, record) -> str:
        return record.name
