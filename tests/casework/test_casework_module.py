"""Case-work records through the kit's generic permission tests: RAMP cases, their actions and the panel's
meetings, as an outsider, an authority member, another unit's reader, the owning unit, an administrator, and a
partner agency's account. A partner's account opens the actions assigned to its agency, whatever their marking,
and nothing else: not the case, not the history."""

from tests.casework.factories import make_action, make_case, make_meeting
from tests.kit import SEES_SENSITIVE, RecordModuleContract
from vcdhub.casework.models import Case, CaseAction, Meeting

PARTNER = "probation_partner"


class TestCaseModule(RecordModuleContract):
    model = Case
    list_url = "/ramp/"
    export_url = "/ramp/export.csv"
    api_list_url = "/api/ramp-cases/"
    personas = {**SEES_SENSITIVE, PARTNER: "refused"}
    change_personas = frozenset({"csu_investigator", "compass_officer"})  # workers: their steps answer by visibility

    def detail_url(self, pk) -> str:
        return f"/ramp/{pk}/"

    def change_urls(self, pk) -> list[str]:
        return [f"/ramp/{pk}/step/action/"]

    def make_record(self, unit, sensitivity):
        return make_case(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.reference


class TestCaseActionModule(RecordModuleContract):
    """Each action is assigned to the probation service, whose account sees both, sensitive or not."""

    model = CaseAction
    api_list_url = "/api/case-actions/"
    personas = {**SEES_SENSITIVE, PARTNER: "sees"}

    def expected(self, who: str, name: str) -> str:
        return "sees" if who == PARTNER else super().expected(who, name)

    def expected_on(self, who: str, name: str, url: str) -> str:
        if who == PARTNER and url.startswith("/history/"):
            return "refused"  # a partner reads no record's history: it is not a reader of records
        return self.expected(who, name)

    def detail_url(self, pk) -> str:
        return f"/casework/actions/{pk}/"

    def make_record(self, unit, sensitivity):
        return make_action(make_case(unit, sensitivity), assignee="probation")

    def identifying_text(self, record) -> str:
        return record.title


class TestMeetingModule(RecordModuleContract):
    model = Meeting
    list_url = "/casework/meetings/"
    api_list_url = "/api/meetings/"
    personas = {**SEES_SENSITIVE, PARTNER: "refused"}

    def detail_url(self, pk) -> str:
        return f"/casework/meetings/{pk}/"

    def make_record(self, unit, sensitivity):
        return make_meeting(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.title
