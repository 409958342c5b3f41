"""A panel meeting's calendar (ICS) and minutes (PDF): the calendar says when and where, in UTC, and nothing of
the cases; the minutes show each reader the cases they may see, with the marking on every page, and leave out
the others without a trace."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from icalendar import Calendar

from tests.conftest import make_user
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.casework import actions as core
from vcdhub.casework.calendar import meetings_ics
from vcdhub.casework.minutes import minutes_context, minutes_html, minutes_pdf
from vcdhub.casework.models import today
from vcdhub.ramp import actions as ramp

LONDON = ZoneInfo("Europe/London")
NDM = {"information": "Two referrals from housing and a graded report of threats to a neighbour.",
       "threat_and_risk": "High risk of serious harm to a known adult for the next four weeks.",
       "powers_and_policy": "Information sharing under the Crime and Disorder Act 1998, s. 115.",
       "options": "Warning letter; joint visit with probation; no further action (rejected).",
       "action_taken": "Joint visit with probation within a week, then review at the next panel."}
VISIBLE_DISCUSSION = "Panel heard the neighbour moved out; landlord reports knife seen in the hallway."
HIDDEN_DISCUSSION = "Compass says the informant is reliable and the flat is watched nightly."
HIDDEN_DECISION = "Hand the watch log to Compass analysts"
HIDDEN_ACTION = "Covert check of the stairwell camera"


def as_(user, call):
    with acting_as(f"user:{user.username}", user=user):
        return call()


def london(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def referred(chair, subject, **marking):
    return as_(chair, lambda: ramp.refer(chair, {
        "subject": subject, "subject_type": "vulnerable", "referring_unit": "housing", "fictitious": True,
        "basis": "Repeated threats to a neighbour, reported by housing.", **marking}))


def scheduled(chair, starts_at, hours=2, **values):
    return as_(chair, lambda: core.schedule_meeting(chair, "ramp", {
        "title": "Lambeth RAMP panel", "starts_at": starts_at, "ends_at": starts_at + dt.timedelta(hours=hours),
        "location": "Room 4, Brixton police station", "chair": chair, "owner_unit": "csu",
        "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL", "fictitious": True, **values}))


@pytest.fixture
def panel(personas):
    """A held RAMP panel (owned by the CSU) with two attendees and two cases: the CSU's, whose subject the CSU's
    investigator may see, and Compass's, OFFICIAL-SENSITIVE, about a person only Compass may see. Its chair
    belongs to both units, so it lists both; each has a discussion, an NDM decision and an action."""
    chair = make_user("ramp_chair", ["csu", "compass"], ["panel_chair"], first_name="Pat", last_name="Chairwoman")
    seen = make_person("csu", "OFFICIAL", given_name="Marlowe", surname="Tennant")
    hidden = make_person("compass", "OFFICIAL-SENSITIVE", given_name="Hester", surname="Quarrington")
    case = referred(chair, seen, owner_unit="csu", sensitivity="OFFICIAL")
    secret = referred(chair, hidden, owner_unit="compass", sensitivity="OFFICIAL-SENSITIVE", descriptors="PERSONAL")
    meeting = scheduled(chair, london(2026, 10, 23, 10))
    present = as_(chair, lambda: core.add_attendee(chair, meeting, {"name": "Pat Chairwoman", "role": "chair",
                                                                    "unit": "csu", "user": chair}))
    as_(chair, lambda: core.add_attendee(chair, meeting, {"name": "Owen Fairweather", "role": "probation officer",
                                                          "unit": "probation"}))
    item = as_(chair, lambda: core.add_to_agenda(chair, meeting, case))
    secret_item = as_(chair, lambda: core.add_to_agenda(chair, meeting, secret))
    as_(chair, lambda: core.hold_meeting(chair, meeting, {present.pk}))
    # Long enough to run the minutes onto a second page, so the marking is seen on more than one.
    discussion = "\n\n".join([VISIBLE_DISCUSSION] + [f"Point {n}: the plan was read through and agreed."
                                                      for n in range(1, 61)])
    as_(chair, lambda: core.record_discussion(chair, item, discussion))
    as_(chair, lambda: core.record_discussion(chair, secret_item, HIDDEN_DISCUSSION))
    review = today() + dt.timedelta(days=28)
    as_(chair, lambda: core.decide(chair, item, {"summary": "Joint visit with probation", "review_date": review,
                                                 **NDM}))
    as_(chair, lambda: core.decide(chair, secret_item, {"summary": HIDDEN_DECISION, "review_date": review, **NDM}))
    due = today() + dt.timedelta(days=14)
    as_(chair, lambda: core.assign_action(chair, case, {"title": "Visit the subject with probation",
                                                        "assignee": "probation", "due": due}, agreed_at=item))
    as_(chair, lambda: core.assign_action(chair, secret, {"title": HIDDEN_ACTION, "assignee": "compass",
                                                          "due": due}, agreed_at=secret_item))
    meeting.refresh_from_db()
    return {"chair": chair, "reader": personas["csu_investigator"], "meeting": meeting, "case": case,
            "secret": secret, "seen": seen, "hidden": hidden, "review": review, "due": due}


def unfolded(ics: bytes) -> str:
    """The calendar's text with RFC 5545 line folding undone (a folded line could split a name in two)."""
    return ics.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, with runs of white space made one space (extraction breaks lines where it likes)."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def secrets_of(panel) -> list[str]:
    hidden = panel["hidden"]
    return [panel["secret"].reference, str(hidden), hidden.surname, hidden.surname.upper(), hidden.given_name,
            HIDDEN_DISCUSSION, HIDDEN_DECISION, HIDDEN_ACTION]


# The calendar


def test_the_calendar_gives_each_meeting_in_utc_across_the_change_of_the_clocks(panel):
    chair = panel["chair"]
    before = panel["meeting"]  # Friday 23 October 2026, 10:00 BST
    after = scheduled(chair, london(2026, 10, 26, 10), title="Lambeth RAMP panel (extra)")  # Monday, 10:00 GMT
    now = dt.datetime(2026, 10, 1, 8, 30, tzinfo=dt.UTC)
    ics = meetings_ics([before, after], now=now)
    calendar = Calendar.from_ical(ics)

    assert str(calendar["PRODID"]) == "-//vcdhub//panel meetings//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "vcdhub panel meetings"
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {before.uid, after.uid}

    first, second = events[before.uid], events[after.uid]
    assert first["DTSTART"].dt == before.starts_at and first["DTEND"].dt == before.ends_at
    assert second["DTSTART"].dt == after.starts_at and second["DTEND"].dt == after.ends_at
    for event in (first, second):
        for field in ("DTSTART", "DTEND", "DTSTAMP"):
            assert event[field].dt.utcoffset() == dt.timedelta(0), field
        assert event["DTSTAMP"].dt == now
    text = unfolded(ics)
    assert "DTSTART:20261023T090000Z" in text and "DTEND:20261023T110000Z" in text  # BST: an hour behind
    assert "DTSTART:20261026T100000Z" in text and "DTEND:20261026T120000Z" in text  # GMT: the same
    assert "DTSTAMP:20261001T083000Z" in text

    assert str(first["SUMMARY"]) == "Lambeth RAMP panel"
    assert str(first["LOCATION"]) == "Room 4, Brixton police station"
    assert str(first["STATUS"]) == "CONFIRMED" and str(second["STATUS"]) == "CONFIRMED"  # held, and planned
    assert int(first["SEQUENCE"]) == before.sequence == 1  # held: one revision
    assert int(second["SEQUENCE"]) == after.sequence == 0
    assert "2 cases are on the agenda" in str(first["DESCRIPTION"])
    assert "in vcdhub" in str(first["DESCRIPTION"])
    assert "No cases are on the agenda" in str(second["DESCRIPTION"])


def test_the_calendar_names_no_case_subject_discussion_or_attendee(panel):
    ics = meetings_ics([panel["meeting"]])
    text = unfolded(ics)
    seen = panel["seen"]
    for secret in (panel["case"].reference, str(seen), seen.surname, seen.surname.upper(), seen.given_name,
                   VISIBLE_DISCUSSION[:40], "Joint visit with probation", "Visit the subject with probation",
                   "Pat Chairwoman", "Owen Fairweather", "Fairweather", NDM["information"][:30],
                   *secrets_of(panel)):
        assert secret not in text, secret
        assert secret.encode() not in ics, secret
    assert "RAMP-" not in text  # no case reference of any kind


def test_the_calendar_counts_only_the_cases_its_reader_may_see_when_given_the_reader(panel):
    ics = meetings_ics([panel["meeting"]], user=panel["reader"])
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["DESCRIPTION"]).startswith("1 case is on the agenda")


def test_a_cancelled_meeting_is_cancelled_in_the_calendar(personas):
    chair = make_user("ramp_chair", ["csu"], ["panel_chair"], first_name="Pat", last_name="Chairwoman")
    meeting = scheduled(chair, london(2026, 12, 4, 14))
    assert str(Calendar.from_ical(meetings_ics([meeting])).walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"
    as_(chair, lambda: core.hold_meeting(chair, meeting, set(), cancel=True))
    meeting.refresh_from_db()
    [event] = Calendar.from_ical(meetings_ics([meeting])).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1  # a new revision, so calendars replace the invitation
    assert str(event["UID"]) == meeting.uid


# The minutes


def test_the_minutes_show_the_readers_case_with_its_discussion_decision_and_action(panel):
    pages = pdf_pages(minutes_pdf(panel["reader"], panel["meeting"]))
    text = " ".join(pages)
    assert len(pages) >= 2
    case, seen = panel["case"], panel["seen"]
    assert "Minutes: Lambeth RAMP panel" in text
    assert "Friday 23 October 2026, 10:00 to 12:00 (BST)" in text
    assert "Room 4, Brixton police station" in text
    assert "Held" in text
    assert case.reference in text
    assert str(seen) in text
    assert case.state_label in text
    assert VISIBLE_DISCUSSION in text
    assert "Joint visit with probation" in text
    for part in NDM.values():
        assert part in text, part
    assert f"{panel['review'].day} {panel['review']:%B %Y}" in text
    assert "Visit the subject with probation" in text
    assert "Probation Service" in text  # the action's assignee, and an agency represented
    assert f"{panel['due'].day} {panel['due']:%B %Y}" in text
    assert "Pat Chairwoman" in text and "Owen Fairweather" in text
    assert "Fictitious: generated for the demo or the tests" in text


def test_every_page_of_the_minutes_carries_the_meetings_marking_at_top_and_bottom(panel):
    marking = panel["meeting"].marking
    assert marking == "OFFICIAL-SENSITIVE PERSONAL"
    pdf = minutes_pdf(panel["reader"], panel["meeting"])
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert page.count(marking) >= 2, f"page {number}: {page[:200]}"
    # Where on the page: in the top margin box and the bottom one (a tenth of the page from each edge).
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, start=1):
        height = float(page.mediabox.height)
        heights = []

        def visit(text, cm, tm, font, size, heights=heights, height=height):
            if text.strip() == marking:
                heights.append(pypdf.mult(tm, cm)[5] / height)

        page.extract_text(visitor_text=visit)
        assert any(h > 0.9 for h in heights) and any(h < 0.1 for h in heights), (number, heights)


def test_the_minutes_leave_out_a_case_the_reader_may_not_see_without_a_trace(panel):
    reader, meeting = panel["reader"], panel["meeting"]
    pdf_text = " ".join(pdf_pages(minutes_pdf(reader, meeting)))
    html = minutes_html(reader, meeting)
    for secret in secrets_of(panel):
        assert secret not in pdf_text, secret
        assert secret not in html, secret
    # Numbered as the reader sees the agenda: one item, "1.", and no gap where the other was.
    context = minutes_context(reader, meeting)
    assert [item["number"] for item in context["agenda"]] == [1]
    assert re.findall(r"<h3>(\d+)\. ", html) == ["1"]
    assert panel["secret"] not in context["records"]

    # The chair belongs to both units: the other case is on the agenda, and its minutes show it.
    chair_text = " ".join(pdf_pages(minutes_pdf(panel["chair"], meeting)))
    assert panel["secret"].reference in chair_text and HIDDEN_DECISION in chair_text


def test_the_minutes_escape_what_people_typed(panel):
    chair, meeting = panel["chair"], panel["meeting"]
    item = meeting.items.get(case=panel["case"])
    as_(chair, lambda: core.record_discussion(chair, item, "<script>alert(1)</script> & <b>bold</b>"))
    html = minutes_html(panel["reader"], meeting)
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "http://" not in html and "https://" not in html  # self-contained: nothing to fetch


def test_no_minutes_for_a_reader_who_may_not_see_the_meeting(panel):
    from vcdhub.audit.models import AuditEntry, EntryKind

    outsider = panel["reader"].__class__.objects.get(username="compass_officer")
    with pytest.raises(PermissionDenied):
        as_(outsider, lambda: minutes_context(outsider, panel["meeting"]))
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, user_id=outsider.pk,
                                     object_id=str(panel["meeting"].pk)).exists()  # the refusal is audited
