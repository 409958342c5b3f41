"""Missing-person episodes through the kit's generic permission tests: the list, the page, the history, the CSV
and the API as an outsider, an authority member, another unit's reader, the owning unit and an administrator;
refusals and sensitive reads on the audit chain; impossible ids."""

from tests.kit import SEES_SENSITIVE, RecordModuleContract
from tests.missing.factories import make_episode
from vcdhub.casework.models import Case


class TestMissingEpisodeModule(RecordModuleContract):
    model = Case
    list_url = "/missing/"
    export_url = "/missing/export.csv"
    api_list_url = "/api/missing-episodes/"
    personas = {**SEES_SENSITIVE, "probation_partner": "refused"}
    change_personas = frozenset({"csu_investigator", "compass_officer"})

    def detail_url(self, pk) -> str:
        return f"/missing/{pk}/"

    def change_urls(self, pk) -> list[str]:
        return [f"/missing/{pk}/step/info/", f"/missing/{pk}/step/found/"]

    def make_record(self, unit, sensitivity):
        return make_episode(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.reference
