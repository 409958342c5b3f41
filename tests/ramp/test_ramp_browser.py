"""The risk panel in Chromium: an officer refers a person; the panel chair screens the referral; the officer
assesses the risk and lists the case for the panel; at the meeting the chair records the discussion and the
decision, adopts the plan, and sets an action for probation; probation's partner account records its result."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser_support import chromium, sign_in  # noqa: F401 - a fixture
from tests.casework.factories import make_meeting
from tests.conftest import make_persona
from tests.people.factories import make_person
from vcdhub.audit.models import Decision
from vcdhub.casework.models import Case, CaseAction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_referral_goes_through_the_panel_to_a_plan(live_server, chromium, london):  # noqa: F811
    subject = make_person("csu", "OFFICIAL", given_name="Darren", surname="Fictitious")
    meeting = make_meeting("csu", "OFFICIAL-SENSITIVE", title="CSU risk panel")
    for name in ("csu_investigator", "csu_panel_chair", "probation_partner"):
        make_persona(name)
    base = live_server.url

    def page_for(username):
        page = chromium.new_context().new_page()
        sign_in(page, base, username)
        return page

    officer = page_for("csu_investigator")
    officer.get_by_role("link", name="Risk panel", exact=True).click()
    officer.goto(f"{base}/ramp/add/?subject={subject.pk}")
    officer.get_by_label("The referral is about").select_option("offender")
    officer.get_by_label("Referred from").select_option("probation")
    officer.get_by_label("Basis").fill("Three graded reports of threats with a knife against a former partner.")
    officer.get_by_label("Owning unit").select_option("csu")
    officer.get_by_role("button", name="Refer", exact=True).click()
    officer.wait_for_url(f"{base}/ramp/*/")
    case = Case.objects.get(subject=subject)
    assert case.reference in officer.content()

    chair = page_for("csu_panel_chair")
    chair.goto(f"{base}/ramp/{case.pk}/")
    chair.get_by_role("link", name="Screen the referral", exact=True).click()
    chair.get_by_label("Decision").select_option("accept")
    chair.get_by_label("Reason").fill("Meets the PDP criteria: threats are recent and specific.")
    chair.get_by_role("button", name="Screen the referral", exact=True).click()
    chair.wait_for_url(f"{base}/ramp/{case.pk}/")

    officer.goto(f"{base}/ramp/{case.pk}/")
    officer.get_by_role("link", name="Assess the risk", exact=True).click()
    officer.get_by_label("Would the feared offence cause serious harm?").select_option("yes")
    officer.get_by_label("Is it imminent?").select_option("yes")
    officer.get_by_label("Is it more likely than not?").select_option("yes")
    officer.get_by_label("Rationale for the test").fill("He bought a knife the day after the last threat.")
    for group, level in (("the public", "low"), ("a known adult", "very_high"), ("children", "medium"),
                         ("staff", "low"), ("the subject themself", "low")):
        officer.get_by_label(f"Risk of serious harm to {group}").select_option(level)
    officer.get_by_label("Rationale for the grades").fill("The former partner is the one at risk.")
    officer.get_by_role("button", name="Risk assessment", exact=True).click()
    officer.wait_for_url(f"{base}/ramp/{case.pk}/")
    assert "Meets the potentially dangerous person test" in officer.content()
    officer.get_by_role("link", name="List for panel", exact=True).click()
    officer.get_by_label("Panel meeting").select_option(str(meeting.pk))
    officer.get_by_role("button", name="List for panel", exact=True).click()
    officer.wait_for_url(f"{base}/ramp/{case.pk}/")

    chair.goto(f"{base}/casework/meetings/{meeting.pk}/")
    chair.get_by_role("link", name="Record the discussion").click()
    chair.get_by_label("Discussion").fill("Probation and the IDVA agreed the risk is imminent.")
    chair.get_by_role("button", name="Save").click()
    chair.get_by_role("link", name="Record a decision").click()
    chair.get_by_label("Summary").fill("Manage under a RAMP plan")
    chair.get_by_label("Review date").fill((timezone.localdate() + dt.timedelta(days=28)).isoformat())
    for label in ("Information and intelligence", "Threat and risk assessment", "Powers and policy",
                  "Options considered", "Action taken"):
        chair.get_by_label(label).fill(f"{label}: recorded in the browser test.")
    chair.get_by_role("button", name="Save").click()
    chair.wait_for_url(f"{base}/casework/meetings/{meeting.pk}/*")
    assert Decision.objects.filter(object_type="casework.agendaitem", summary="Manage under a RAMP plan").exists()
    chair.goto(f"{base}/ramp/{case.pk}/")
    chair.get_by_role("link", name="Adopt the plan", exact=True).click()
    for pillar in ("Supervision", "Monitoring and control", "Interventions and treatment", "Victim safety planning"):
        chair.get_by_label(pillar, exact=True).fill(f"{pillar}: agreed at the panel.")
    chair.get_by_role("button", name="Adopt the risk management plan", exact=True).click()
    chair.wait_for_url(f"{base}/ramp/{case.pk}/")
    chair.get_by_role("link", name="Set an action", exact=True).click()
    chair.get_by_label("Title").fill("Joint home visit with the offender manager")
    chair.get_by_label("Who does it").select_option("probation")
    chair.get_by_label("Due").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    chair.get_by_label("Plan pillar").select_option("supervision")
    chair.get_by_role("button", name="Set an action", exact=True).click()
    chair.wait_for_url(f"{base}/ramp/{case.pk}/")
    case.refresh_from_db()
    assert (case.state, case.risk_level) == ("managed", "very_high")
    assert "Joint home visit with the offender manager" in chair.content()

    partner = page_for("probation_partner")
    partner.get_by_role("link", name="Our actions", exact=True).click()
    partner.get_by_role("link", name="Joint home visit with the offender manager").click()
    partner.get_by_role("link", name="Record the result", exact=True).click()
    partner.get_by_label("Result").fill("Visited; he has moved in with his mother.")
    partner.get_by_role("button", name="Save").click()
    assert CaseAction.objects.get(case=case).status == "done"
    for page in (officer, chair, partner):
        page.context.close()
