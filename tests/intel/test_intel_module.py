"""Intelligence records through the kit's generic permission tests. A source, and the link from a report to its
source, are seen only by a handler in the source's own unit: not by the unit's other members, not by other
units, not by administrators."""

from django.utils import timezone

from tests.intel.factories import make_dissemination, make_report, make_shared, make_source, make_source_link
from tests.kit import ADMINISTRATOR, AGGREGATE_ONLY, OTHER_UNIT, OUTSIDER, OWNER, RecordModuleContract
from vcdhub.audit.context import acting_as
from vcdhub.intel.models import Dissemination, LinkProposal, Report, SharedReport, Source, SourceLink


class TestReportModule(RecordModuleContract):
    model = Report
    list_url = "/intel/"
    export_url = "/intel/export.csv"
    api_list_url = "/api/intel-reports/"
    change_personas = frozenset({OWNER, OTHER_UNIT})  # investigators submit

    def detail_url(self, pk) -> str:
        return f"/intel/{pk}/"

    def change_urls(self, pk) -> list[str]:
        return [f"/intel/{pk}/step/link/"]

    def make_record(self, unit, sensitivity):
        return make_report(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.reference


class _SourceContract(RecordModuleContract):
    # Only the handler sees either record; everyone else who may read records gets the identical 404.
    personas = {"csu_handler": "sees", OWNER: "not found", OTHER_UNIT: "not found", ADMINISTRATOR: "not found",
                AGGREGATE_ONLY: "refused", OUTSIDER: "refused"}

    def expected(self, who: str, name: str) -> str:
        return self.personas[who]


class TestSourceModule(_SourceContract):
    model = Source
    list_url = "/intel/sources/"
    api_list_url = "/api/intel-sources/"

    def detail_url(self, pk) -> str:
        return f"/intel/sources/{pk}/"

    def make_record(self, unit, sensitivity):
        return make_source(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.name


class TestSourceLinkModule(_SourceContract):
    model = SourceLink

    def detail_url(self, pk) -> str:
        return f"/intel/source-links/{pk}/"

    def make_record(self, unit, sensitivity):
        return make_source_link(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.source.reference


class TestDisseminationModule(RecordModuleContract):
    model = Dissemination
    list_url = "/intel/disseminations/"
    api_list_url = "/api/intel-disseminations/"

    def detail_url(self, pk) -> str:
        return f"/intel/disseminations/{pk}/"

    def make_record(self, unit, sensitivity):
        return make_dissemination(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.report.reference


class TestSharedReportModule(RecordModuleContract):
    model = SharedReport
    list_url = "/intel/shared/"
    api_list_url = "/api/intel-shared/"

    def detail_url(self, pk) -> str:
        return f"/intel/shared/{pk}/"

    def make_record(self, unit, sensitivity):
        return make_shared(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.text


class TestLinkProposalModule(RecordModuleContract):
    model = LinkProposal
    api_list_url = "/api/intel-proposals/"

    def detail_url(self, pk) -> str:
        return f"/intel/proposals/{pk}/"

    def make_record(self, unit, sensitivity):
        from tests.people.factories import make_person

        with acting_as("test:setup"):
            return LinkProposal.objects.create(
                person=make_person("vcd-analysts", "OFFICIAL"), other=make_person("vcd-analysts", "OFFICIAL"),
                basis="named_together", evidence=f"report {unit}-{sensitivity}", proposed_at=timezone.now(),
                owner_unit_id=unit, sensitivity=sensitivity)

    def identifying_text(self, record) -> str:
        return record.evidence
