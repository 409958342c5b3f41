"""The error pages and the access-request pages, with the records and requests they need, for the accessibility and
CSP tests (tests/test_accessibility.py, tests/test_csp.py): each as the persona who meets it, with the status it
answers. The 500 page is reached under tests/test_error_pages.py's URLconf (ERROR_URLCONF)."""

from dataclasses import dataclass

from django.utils import timezone

from tests.conftest import make_persona
from vcdhub.access import actions
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import Crime, ImportBatch

ERROR_URLCONF = "tests.test_error_pages"
RATIONALE = {"information": "Compass case 17/123", "threat_and_risk": "High-risk missing child",
             "powers_and_policy": "APP missing persons", "options": "Grant or refuse", "action_taken": "Decided"}


@dataclass(frozen=True)
class StatePage:
    name: str
    path: str
    status: int = 200
    ready: str = "main"


def made_record(unit: str = "csu", sensitivity: str = "OFFICIAL-SENSITIVE") -> Crime:
    """A crime record of `unit` with `sensitivity` (PERSONAL when it is sensitive), for the access pages' tests."""
    now = timezone.now()
    with acting_as("test:setup"):
        batch, _ = ImportBatch.objects.get_or_create(
            sha256="7" * 64, defaults=dict(file_name="access-pages.csv", source="test", kind="street", force="x",
                                           month="2017-07-01", rows=1, imported_by="t", started_at=now,
                                           finished_at=now))
        return Crime.objects.create(month="2017-07-01", reported_by="Metropolitan Police Service",
                                    crime_type="Robbery", batch=batch, owner_unit_id=unit, sensitivity=sensitivity,
                                    descriptors="PERSONAL" if sensitivity != "OFFICIAL" else "")


def build_access_pages() -> dict[str, list[StatePage]]:
    """A CSU record others may not see; two requests waiting for a supervisor and two decided (one approved, one
    refused); the pages each persona opens. Needs the server to use ERROR_URLCONF for the 500 page."""
    record = made_record()
    people = {name: make_persona(name) for name in
              ("compass_officer", "csu_investigator", "tasking_officer", "vcd_analyst", "vcd_supervisor",
               "authority_member")}
    supervisor = people["vcd_supervisor"]
    grants = []
    for name, days in (("compass_officer", 7), ("tasking_officer", 2), ("vcd_analyst", 14), ("compass_officer", 1)):
        with acting_as(f"user:{name}", user=people[name]):
            grants.append(actions.request_grant(user=people[name], record=record, reason="Linked missing person",
                                                days=days, requested_by=people[name]))
    with acting_as("user:vcd_supervisor", user=supervisor):
        actions.approve_grant(grants[2], approver=supervisor, rationale=RATIONALE)
        actions.refuse_grant(grants[3], approver=supervisor, rationale=RATIONALE)
    return {
        "compass_officer": [
            StatePage("refused record (request access)", f"/crimes/{record.pk}/", 404),
            StatePage("request access", f"/account/grants/ask/crime.crime/{record.pk}/"),
            StatePage("access page (requester)", "/account/grants/"),
            StatePage("page not found", "/no-such-page/", 404),
            StatePage("page for another role", "/audit/", 403),
            StatePage("server error", "/fails/", 500),
        ],
        "vcd_supervisor": [
            StatePage("landing page with waiting requests", "/", 200, ".waiting-panel"),
            StatePage("access requests waiting, and past decisions", "/account/grants/", 200, "#decided"),
        ],
        "authority_member": [
            StatePage("explorer refused (aggregate only)", "/crimes/", 403),
            StatePage("record refused (aggregate only)", f"/crimes/{record.pk}/", 403),
        ],
    }


def open_state(page, base_url: str, target: StatePage) -> None:
    """Open `target` and wait until it has drawn; its status must be the one it answers."""
    response = page.goto(f"{base_url}{target.path}")
    assert response is not None and response.status == target.status, \
        f"{target.name}: {response.status if response else 'no response'}, not {target.status}"
    page.wait_for_selector(target.ready, timeout=20_000)
