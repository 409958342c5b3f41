"""Access requests start from the record: "Request access" on the page that refuses it, a reason and a number of
days, and nobody types an id. Supervisors decide with distinct Approve and Refuse buttons and see past decisions;
lengths read "7 days". The answer never tells a sensitive id from an ordinary or a missing one (issue 10)."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.access.pages import made_record
from tests.conftest import make_persona
from vcdhub.access import actions
from vcdhub.access.durations import say_days
from vcdhub.access.models import AccessGrant
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind

pytestmark = pytest.mark.django_db

RATIONALE = {"information": "Compass case 17/123", "threat_and_risk": "High-risk missing child",
             "powers_and_policy": "APP missing persons", "options": "Grant or refuse",
             "action_taken": "Granted for 7 days"}


_record = made_record


def _client(persona) -> Client:
    client = Client()
    client.force_login(make_persona(persona))
    return client


def _normalised(html: str, pk) -> str:
    html = re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*"', "", html)
    for named in ("crime {}", "Crime {}", "crime.crime/{}/", 'value="{}"'):
        html = html.replace(named.format(pk), named.format("ID"))
    return html


class Forms(HTMLParser):
    """The form controls of a page (tag, type, name, id) and its labels' `for`s."""

    def __init__(self, html: str):
        super().__init__()
        self.controls, self.label_targets, self.ids = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in ("input", "textarea", "select"):
            self.controls.append((tag, attrs.get("type", ""), attrs.get("name", ""), attrs.get("id", ""),
                                  attrs.get("aria-describedby", "")))
        if tag == "label" and "for" in attrs:
            self.label_targets.append(attrs["for"])


def test_request_access_starts_from_the_refused_record_and_answers_the_same_for_any_id(london):
    officer = _client("compass_officer")
    secret, public = _record(), _record("vcd-analysts", "OFFICIAL")
    missing = secret.pk + 5000
    refused = officer.get(f"/crimes/{secret.pk}/").content.decode()
    ask = re.search(r'<a class="button request-access" href="([^"]+)"', refused).group(1)
    assert ask == f"/account/grants/ask/crime.crime/{secret.pk}/"
    pages, answers = {}, []
    for pk in (secret.pk, public.pk, missing):
        response = officer.get(f"/account/grants/ask/crime.crime/{pk}/")
        assert response.status_code == 200
        assert f"<h1>Request access to crime {pk}</h1>" in response.content.decode()
        pages[pk] = _normalised(response.content.decode(), pk)
        response = officer.post(f"/account/grants/ask/crime.crime/{pk}/", {"reason": "Linked missing person",
                                                                           "days": 7}, follow=True)
        answers.append((response.status_code, response.redirect_chain, [str(m) for m in response.context["messages"]]))
    assert pages[secret.pk] == pages[public.pk] == pages[missing]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][2] == ["Request sent to a supervisor."]
    asked = AccessGrant.objects.filter(user__username="compass_officer").values_list("object_id", flat=True)
    assert sorted(asked) == sorted(str(pk) for pk in (secret.pk, public.pk, missing))
    assert officer.get(f"/crimes/{secret.pk}/").status_code == 404  # asked, not yet granted


def test_nobody_types_a_record_id(london):
    officer = _client("compass_officer")
    grants = Forms(officer.get("/account/grants/").content.decode())
    assert not [c for c in grants.controls if c[2] == "object_id"]
    ask = Forms(officer.get(f"/account/grants/ask/crime.crime/{_record().pk}/").content.decode())
    typed = {c[2] for c in ask.controls if c[1] != "hidden" and c[0] != "button"}
    assert typed == {"reason", "days"}
    # The address names the record, not the form: a POST cannot point it elsewhere.
    target = _record()
    officer.post(f"/account/grants/ask/crime.crime/{target.pk}/", {"reason": "case", "days": 3, "object_id": 1,
                                                                   "object_type": "crime.stopsearch"})
    grant = AccessGrant.objects.get(user__username="compass_officer")
    assert (grant.content_type.model, grant.object_id) == ("crime", str(target.pk))


def test_what_cannot_be_asked_for_is_not_found_and_readers_of_aggregates_are_refused(london):
    officer = _client("compass_officer")
    assert officer.get("/account/grants/ask/access.accessgrant/1/").status_code == 404  # not a record kind
    assert officer.get("/account/grants/ask/crime.crime/not-a-number/").status_code == 404
    authority = _client("authority_member")
    before = AuditEntry.objects.filter(kind=EntryKind.DENIED).count()
    response = authority.post("/account/grants/ask/crime.crime/1/", {"reason": "x", "days": 1})
    assert response.status_code == 403 and not AccessGrant.objects.exists()
    assert authority.post("/account/grants/", {"action": "request", "object_type": "crime.crime", "object_id": 1,
                                               "reason": "x", "days": 1}).status_code == 403
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED).count() == before + 2


def test_a_request_with_mistakes_comes_back_with_each_one_beside_its_field(london):
    officer = _client("compass_officer")
    response = officer.post(f"/account/grants/ask/crime.crime/{_record().pk}/", {"reason": " ", "days": 365})
    html = response.content.decode()
    assert response.status_code == 400 and not AccessGrant.objects.exists()
    assert 'id="id_reason_error"' in html and 'id="id_days_error"' in html
    page = Forms(html)
    described = {c[2]: c[4] for c in page.controls}
    for name in ("reason", "days"):  # every id the field points at is on the page
        assert described[name] and all(i in page.ids for i in described[name].split()), (name, described[name])


def _ask(persona, record, days=7) -> AccessGrant:
    user = make_persona(persona)
    with acting_as(f"user:{persona}", user=user):
        return actions.request_grant(user=user, record=record, reason="Linked case", days=days, requested_by=user)


def test_lengths_read_as_people_say_them_and_run_from_the_approval(london):
    assert [say_days(dt.timedelta(days=d, microseconds=-5)) for d in (1, 7, 90)] == ["1 day", "7 days", "90 days"]
    assert say_days(dt.timedelta(hours=12)) == "12 hours"
    grant = _ask("compass_officer", _record())
    supervisor = _client("vcd_supervisor")
    html = supervisor.get("/account/grants/").content.decode()
    assert "asks for crime" in html and f"crime {grant.object_id} for 7 days" in html
    assert "0:00:00" not in html and "23 hours" not in html and "604800" not in html
    # Approved three days after the request, it still runs seven days.
    AccessGrant.objects.filter(pk=grant.pk).update(requested_at=grant.requested_at - dt.timedelta(days=3),
                                                   expires_at=grant.expires_at - dt.timedelta(days=3))
    supervisor.post(f"/account/grants/{grant.pk}/decide/", {"decision": "approve", **RATIONALE})
    grant.refresh_from_db()
    assert grant.approved_at and grant.expires_at - grant.approved_at == dt.timedelta(days=7)
    officer = _client("compass_officer")
    mine = officer.get("/account/grants/").content.decode()
    assert "<td>7 days</td>" in mine and "Active, approved by" in mine
    account = officer.get("/account/").content.decode()
    assert "<td>7 days</td>" in account and "Active, until" in account


def test_approve_and_refuse_differ_and_past_decisions_are_listed(london):
    approved, refused = _ask("compass_officer", _record()), _ask("csu_investigator", _record("compass"), days=2)
    supervisor = _client("vcd_supervisor")
    html = supervisor.get("/account/grants/").content.decode()
    buttons = re.findall(r'<button type="submit" name="decision" value="(\w+)" class="(\w+)">(.*?)</button>', html)
    assert {(value, cls) for value, cls, _ in buttons} == {("approve", "approve"), ("refuse", "refuse")}
    words = {value: re.sub(r"<[^>]+>", "", text) for value, _, text in buttons}
    assert words["approve"].startswith("✓ Approve access") and words["refuse"] == "✗ Refuse access"
    assert "Nothing is waiting" not in html and "No decisions yet." in html

    supervisor.post(f"/account/grants/{approved.pk}/decide/", {"decision": "approve", **RATIONALE})
    supervisor.post(f"/account/grants/{refused.pk}/decide/", {"decision": "refuse", **RATIONALE,
                                                              "action_taken": "Refused: no link to the case"})
    response = supervisor.get("/account/grants/")
    past = {d.grant.pk: d for d in response.context["past"]}
    assert past[approved.pk].outcome == "approved" and past[refused.pk].outcome == "refused"
    assert past[refused.pk].duration == "2 days" and past[approved.pk].duration == "7 days"
    table = re.search(r'<h2 id="decided">Past decisions</h2>.*?</table>', response.content.decode(), re.S).group(0)
    assert table.count("<tr>") == 3  # the header and the two decisions
    assert "Refused: no link to the case" in table and "Approved" in table and "vcd_supervisor" in table
    assert "Nothing is waiting for a decision." in response.content.decode()
    # A requester sees their own outcome, not others' decisions.
    mine = _client("csu_investigator").get("/account/grants/")
    assert mine.context["past"] == [] and "Refused" in mine.content.decode()


def test_every_decision_form_label_names_a_field_on_the_page(london):
    """axe found the decision forms' labels pointing at ids that did not exist (critical)."""
    for persona in ("compass_officer", "csu_investigator"):
        _ask(persona, _record())
    page = Forms(_client("vcd_supervisor").get("/account/grants/").content.decode())
    assert len(page.label_targets) == 10
    assert all(target in page.ids for target in page.label_targets)
    assert len(page.ids) == len(set(page.ids))


def test_asking_again_says_a_request_is_already_waiting(london):
    record = _record()
    officer = _client("compass_officer")
    officer.post(f"/account/grants/ask/crime.crime/{record.pk}/", {"reason": "case", "days": 7})
    html = officer.get(f"/account/grants/ask/crime.crime/{record.pk}/").content.decode()
    assert f"You asked for crime {record.pk} on" in html and "a supervisor has not decided yet" in html
