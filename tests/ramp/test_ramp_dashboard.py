"""The dashboard's figures (and `vcdhub report ramp`) against values worked out by hand from a small history:
states, risk levels, overdue reviews and actions as they stood on each date, and the published figures for the
authority perturbed from their own cases' record keys, small counts withheld."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.casework.factories import make_meeting
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.casework import actions as core
from vcdhub.casework.models import Case
from vcdhub.platform.disclosure import Disclosure
from vcdhub.ramp import actions
from vcdhub.ramp.dashboard import figures


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


ASSESS = {"risk_public": "low", "risk_known_adult": "low", "risk_children": "low", "risk_staff": "low",
          "risk_self": "low", "rosh_rationale": "r", "pdp_serious_harm": "no", "pdp_imminent": "no",
          "pdp_more_likely": "no", "pdp_rationale": "p"}
PLAN = {"supervision": "s", "monitoring": "m", "interventions": "i", "victim_safety": "v"}


def refer(day: str, unit="csu") -> Case:
    return actions.refer(None, {"subject": make_person(unit, "OFFICIAL"), "subject_type": "offender",
                                "referring_unit": "probation", "referred_by": "PC Test", "basis": "b",
                                "owner_unit": unit, "sensitivity": "OFFICIAL-SENSITIVE"}, at=at(day))


@pytest.fixture
def history(personas):
    """Five cases (A to E) with this history in autumn 2026:
    A referred 10-01, accepted 10-05, assessed high 10-06, listed 10-07, plan 10-20 (review due 12-15).
      Actions: due 11-01, still open; due 11-10, done 11-05; due 11-20, done 11-25.
    B referred 10-01, declined 10-03.
    C referred 11-10, not yet screened.
    D referred 10-02, accepted 10-04, assessed very high 10-05, escalated to MAPPA 11-01.
    E referred 08-01, accepted 08-01, assessed medium 08-01 (review due 10-31), no review since.
    """
    meeting = make_meeting("csu")
    with acting_as("test:setup"):
        a = refer("2026-10-01")
        actions.screen(None, a, accept=True, reason="r", at=at("2026-10-05"))
        actions.assess(None, a, {**ASSESS, "risk_known_adult": "high"}, at=at("2026-10-06"))
        actions.list_for_panel(None, a, meeting, at=at("2026-10-07"))
        actions.adopt_plan(None, a, PLAN, at=at("2026-10-20"))
        for due, done in (("2026-11-01", None), ("2026-11-10", "2026-11-05"), ("2026-11-20", "2026-11-25")):
            action = core.assign_action(None, a, {"title": f"due {due}", "assignee": "probation", "due": due},
                                        at=at("2026-10-20"))
            if done:
                core.complete_action(None, action, "done", at=at(done))
        b = refer("2026-10-01")
        actions.screen(None, b, accept=False, reason="r", at=at("2026-10-03"))
        refer("2026-11-10")
        d = refer("2026-10-02")
        actions.screen(None, d, accept=True, reason="r", at=at("2026-10-04"))
        actions.assess(None, d, {**ASSESS, "risk_public": "very_high"}, at=at("2026-10-05"))
        actions.escalate(None, d, {"category": 2, "level": 2, "manager": "m", "managed_from": "2026-11-01",
                                   "reason": "r"}, at=at("2026-11-01"))
        e = refer("2026-08-01")
        actions.screen(None, e, accept=True, reason="r", at=at("2026-08-01", 11))
        actions.assess(None, e, {**ASSESS, "risk_self": "medium"}, at=at("2026-08-01", 12))
    return {"a": a, "b": b, "d": d, "e": e}


def test_the_figures_on_the_last_day_of_november_are_those_worked_out_by_hand(history, personas):
    f = figures(personas["csu_investigator"], as_of=dt.date(2026, 11, 30))
    assert f["perturbed"] is False
    assert f["open"] == 3  # A (managed), C (referred), E (assessment)
    assert f["by_state"] == {"referred": 1, "assessment": 1, "panel": 0, "managed": 1, "closed": 0,
                             "declined": 1, "mappa": 1}
    assert f["by_risk"] == {"very_high": 0, "high": 1, "medium": 1, "low": 0, "not_assessed": 1}
    assert f["overdue_reviews"] == 1  # E: due 10-31; A's is due 12-15
    assert f["overdue_actions"] == 1  # A's 11-01 action; the 11-20 one was done on 11-25
    assert (f["escalated_to_mappa"], f["closed"]) == (1, 1)
    assert f["referrals_by_source"] == {"Probation Service": 5}
    # A spent 10-01 to 10-05 referred (4 days), B 2, C 20 (to the end of 11-30), D 2, E 1 hour.
    assert f["median_days_in_state"]["referred"] == 2.0


def test_the_figures_as_of_an_earlier_date_come_from_the_history(history, personas):
    f = figures(personas["csu_investigator"], as_of=dt.date(2026, 10, 15))
    assert f["open"] == 3  # A (panel), E (assessment) and D (assessment); C did not exist yet
    assert f["by_state"]["panel"] == 1 and f["by_state"]["assessment"] == 2 and f["by_state"]["mappa"] == 0
    assert f["by_risk"] == {"very_high": 1, "high": 1, "medium": 1, "low": 0, "not_assessed": 0}
    assert f["overdue_reviews"] == 0  # E falls due on 10-31
    assert f["overdue_actions"] == 0  # none set yet
    f = figures(personas["csu_investigator"], as_of=dt.date(2026, 11, 21))
    assert f["overdue_actions"] == 2  # 11-01 open, 11-20 not done until 11-25


def test_another_unit_counts_none_of_the_cases_it_may_not_see(history, personas):
    f = figures(personas["compass_officer"], as_of=dt.date(2026, 11, 30))
    assert f["open"] == 0 and sum(f["by_state"].values()) == 0


def test_the_authority_gets_each_count_perturbed_from_its_own_cases_keys_and_small_ones_withheld(history,
                                                                                                     personas):
    f = figures(personas["authority_member"], as_of=dt.date(2026, 11, 30))
    assert f["perturbed"] is True
    protected = Disclosure.aggregate_only()
    open_cases = Case.objects.filter(pk__in=[history["a"].pk, history["e"].pk]) | Case.objects.filter(
        state="referred")
    keys = sum(open_cases.values_list("record_key", flat=True))
    expected = protected.cell(protected.perturbed({"open": 3}, {"open": keys})["open"])
    assert f["open"] == expected
    assert f["open"] is None or f["open"] >= 5  # never a small count
    assert all(n is None or n == 0 or n >= 5 for n in f["by_state"].values())


def test_the_report_command_prints_the_json_the_issue_names(history, personas):
    out = io.StringIO()
    call_command("report", "ramp", "--as-of", "2026-11-30", "--user", "csu_investigator", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"open", "by_risk", "by_state", "overdue_reviews", "overdue_actions", "escalated_to_mappa"} <= set(data)
    assert (data["open"], data["overdue_reviews"], data["overdue_actions"], data["escalated_to_mappa"]) == (3, 1, 1, 1)
    published = io.StringIO()
    call_command("report", "ramp", "--as-of", "2026-11-30", stdout=published)
    assert "perturbed; small counts withheld" in published.getvalue()
    with pytest.raises(CommandError, match="--as-of"):
        call_command("report", "ramp", "--as-of", "30/11/2026", stdout=io.StringIO())


def test_the_cli_exports_the_cases_a_user_may_see_and_a_meetings_minutes_and_calendar(history, personas, tmp_path):
    import pypdf
    from icalendar import Calendar

    from vcdhub.casework.models import Meeting

    out = tmp_path / "cases.csv"
    call_command("ramp", "export", "-o", str(out), "--user", "csu_investigator", stderr=io.StringIO())
    lines = out.read_text().splitlines()
    assert lines[0].startswith("reference,subject_id,subject,state") and len(lines) == 1 + 5
    assert history["a"].reference in out.read_text()
    call_command("ramp", "export", "-o", str(out), "--user", "compass_officer", stderr=io.StringIO())
    assert len(out.read_text().splitlines()) == 1  # the CSU's OFFICIAL-SENSITIVE cases are not compass's
    meeting = Meeting.objects.get()
    pdf = tmp_path / "minutes.pdf"
    call_command("casework", "minutes", str(meeting.pk), "-o", str(pdf), "--user", "csu_investigator",
                 stdout=io.StringIO())
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages)
    assert history["a"].reference in text
    ics = tmp_path / "meetings.ics"
    call_command("casework", "calendar", "-o", str(ics), "--user", "csu_investigator", stdout=io.StringIO())
    [event] = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == meeting.uid
    with pytest.raises(CommandError, match="No meeting"):
        call_command("casework", "minutes", str(meeting.pk), "--user", "compass_officer", stdout=io.StringIO())


def test_the_risk_and_review_date_as_of_a_date_replay_assessments_plans_and_reviews_in_order(personas):
    """Assessed high (10-01), planned (10-02: review due 11-27), reviewed down to low (10-10: its own date,
    +182 days = 2027-04-10), relisted (10-11), planned again (10-20: the low cadence, due 2027-04-20)."""
    meeting, later_meeting = make_meeting("csu"), make_meeting("csu")
    with acting_as("test:setup"):
        case = refer("2026-09-30")
        actions.screen(None, case, accept=True, reason="r", at=at("2026-09-30", 12))
        actions.assess(None, case, {**ASSESS, "risk_public": "high"}, at=at("2026-10-01"))
        actions.list_for_panel(None, case, meeting, at=at("2026-10-01", 11))
        actions.adopt_plan(None, case, PLAN, at=at("2026-10-02"))
        core.record_review(None, case, {"summary": "s", "risk_level": "low"}, at=at("2026-10-10"))
        actions.relist(None, case, later_meeting, "r", at=at("2026-10-11"))
        actions.adopt_plan(None, case, PLAN, at=at("2026-10-20"))
    case.refresh_from_db()
    assert (case.risk_level, case.next_review_due) == ("low", dt.date(2027, 4, 20))  # what the actions set
    f = figures(personas["csu_investigator"], as_of=dt.date(2026, 12, 1))
    assert f["by_risk"]["low"] == 1 and f["by_risk"]["high"] == 0 and f["overdue_reviews"] == 0
    f = figures(personas["csu_investigator"], as_of=dt.date(2026, 10, 5))
    assert f["by_risk"]["high"] == 1  # before the review


def test_the_last_day_there_is_is_a_date_like_any_other(personas):
    from django.test import Client

    client = Client()
    client.force_login(personas["csu_investigator"])
    assert client.get("/api/ramp-dashboard/", {"as_of": "9999-12-31"}).status_code == 200
