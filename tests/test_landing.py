"""Each role's landing page (issue 11): off-track indicators, this month's alerts and emerging hot spots, recent
audit activity for auditors, and the data's freshness, each shown only to those who may use it."""

import pytest
from django.test import Client

from tests.conftest import make_persona
from vcdhub.audit.context import acting_as
from vcdhub.audit.log import record_denied
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import
from vcdhub.places.actions import run_analysis
from vcdhub.places.models import AnalysisRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(london, demo_file):
    months = ("2016-07", "2016-08", "2017-07", "2017-08")
    assert run_import([demo_file(m, "metropolitan-street") for m in months], actor="test").ok


def _page(persona):
    client = Client()
    client.force_login(make_persona(persona))
    return client.get("/")


def test_an_analyst_sees_what_is_off_track_this_months_findings_and_the_datas_freshness(loaded):
    page = _page("vcd_analyst")
    html = page.content.decode()
    off = page.context["off_track"]
    assert off["period"].label == "2017-04..2017-08"
    assert all(r.verdict == "not met" for r in off["results"])
    names = [r.name for r in off["results"]]
    for name in names:
        assert name in html.split('id="off-track"')[1].split("</section>")[0]
    assert "This month's alerts and emerging hot spots (2017-08)" in html
    assert "No run for 2017-08 yet" in html  # nothing run yet: says so, and where to run one
    assert 'id="audit-recent"' not in html  # auditors only
    assert "up to 2017-08" in html and 'id="coverage"' in html


def test_the_latest_run_for_the_month_is_summarised_by_what_it_found(loaded):
    with acting_as("user:vcd_analyst"):
        run = run_analysis("alerts", crime_types=["Burglary"], month_from="2016-07", month_to="2017-08",
                           level="ward", actor="user:vcd_analyst")
    page = _page("vcd_analyst")
    [(title, alerts), (_, emerging)] = page.context["findings"]
    assert title == "Trend alerts" and alerts["run"].pk == run.pk
    flagged = {a["name"] for a in run.result["areas"] if a["class"] in ("alert", "new activity")}
    assert {n for names in alerts["found"].values() for n in names} == flagged
    assert emerging is None
    # An authority member may open perturbed runs only: this exact run is not theirs to see.
    authority = _page("authority_member")
    assert authority.context["findings"][0][1] is None


def test_an_auditor_sees_recent_audit_activity_as_metadata(loaded):
    with acting_as("user:vcd_analyst"):
        record_denied(Crime, "12345", "view", detail={"why": "test"})
    page = _page("auditor")
    recent = list(page.context["audit_recent"])
    assert recent[0].seq > recent[-1].seq and len(recent) <= 10
    assert page.context["refusals"] >= 1
    assert "12345" in page.content.decode().split('id="audit-recent"')[1]


def test_an_authority_member_sees_no_exact_counts_of_boroughs_or_partial_months(loaded):
    page = _page("authority_member")
    html = page.content.decode()
    freshness = html.split('id="freshness"')[1]
    for name, n in page.context["boroughs"]:
        assert f"{name} ({n:,})" not in freshness
    assert 'id="audit-recent"' not in html


def test_the_off_track_summary_agrees_with_the_performance_page(loaded):
    client = Client()
    client.force_login(make_persona("vcd_supervisor"))
    landing = client.get("/").context["off_track"]
    page = client.get("/performance/", {"period": landing["period"].label})
    not_met = [r.name for r in page.context["results"] if r.verdict == "not met"]
    assert [r.name for r in landing["results"]] == not_met
    assert AnalysisRun.objects.count() == 0


def test_case_work_waiting_counts_the_units_open_actions_and_those_overdue():
    import datetime as dt

    from django.utils import timezone

    from tests.casework.factories import make_action, make_case

    case = make_case("csu")
    today = timezone.localdate()
    make_action(case, "csu", due=today - dt.timedelta(days=3))  # overdue
    make_action(case, "csu", due=today + dt.timedelta(days=3))
    make_action(case, "csu", due=today - dt.timedelta(days=1), status="done")  # done: neither open nor overdue
    make_action(case, "probation", due=today - dt.timedelta(days=3))  # another unit's
    page = _page("csu_investigator")
    waiting = page.context["casework"]
    assert (waiting["actions"], waiting["overdue"]) == (2, 1)
    html = page.content.decode().split('id="casework-waiting"')[1].split("</section>")[0]
    assert "2 open actions for your units" in html and "1 overdue" in html


def _stored_emerging_run(*, perturbed: bool) -> AnalysisRun:
    """An emerging hot-spot run ending in the latest month loaded, as the places module stores one."""
    detail = {"reason": "hot in 3 of 4 months", "trend": "up", "trend_p": 0.03, "hot_months": 3, "cold_months": 0}
    areas = [("E05000416", "Bishop's", 40, "new hot spot"), ("E05000417", "Brixton Hill", 35, "persistent hot spot"),
             ("E05000418", "Clapham Common", 31, "persistent hot spot"), ("E05000419", "Coldharbour", 8, "no pattern")]
    result = {"kind": "emerging", "level": "ward", "crime_types": ["Robbery"], "from": "2017-05", "to": "2017-08",
              "boroughs": [], "total": 114, "unplaced": 0, "outside": 0, "legend": [], "summary": {},
              "areas": [{"code": code, "name": name, "count": n, "class": kind, "detail": dict(detail)}
                        for code, name, n, kind in areas]}
    return AnalysisRun.objects.create(kind="emerging", parameters={}, input_sha256="0" * 64, code_version="test",
                                      result=result, perturbed=perturbed, seconds=1.0, created_by="test")


def test_emerging_hot_spots_found_this_month_are_named_by_class_with_their_run(loaded):
    run = _stored_emerging_run(perturbed=False)
    page = _page("vcd_analyst")
    [_, (title, emerging)] = page.context["findings"]
    assert title == "Emerging hot spots" and emerging["run"].pk == run.pk
    assert emerging["found"] == {"new hot spot": ["Bishop's"],
                                 "persistent hot spot": ["Brixton Hill", "Clapham Common"]}  # "no pattern" is not
    html = page.content.decode().split('id="this-month"')[1].split("</section>")[0]
    assert "2 wards persistent hot spot: Brixton Hill, Clapham Common" in html
    assert f'href="/places/runs/{run.pk}/"' in html
    assert _page("authority_member").context["findings"][1][1] is None  # an exact run is not theirs to open
    perturbed = _stored_emerging_run(perturbed=True)
    shown = _page("authority_member")
    assert shown.context["findings"][1][1]["run"].pk == perturbed.pk
    assert "computed from perturbed counts" in shown.content.decode()
