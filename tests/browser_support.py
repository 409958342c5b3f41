"""The app's main pages, with the data and users they need, for the CSP and accessibility tests (Django's test
client and Debian's Chromium alike), and the Chromium helpers those tests share."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connections
from django.urls import reverse

from tests.conftest import PASSWORD, launched_chromium, make_persona
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import

MONTHS = ("2017-06", "2017-07")
KINDS = ("metropolitan-street", "metropolitan-stop-and-search")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    ready: str = "main"  # a selector that is there once the page has finished drawing
    steps: tuple[tuple[str, str], ...] = ()  # then (click this, wait for that), in turn: a state reached by clicks


CRIMES_LIST = "#operations-crimes-crimes_list"


# Who opens the pages, in this order (None: signed out); build_site gives each one's pages.
PERSONAS = [None, "vcd_analyst", "vcd_supervisor", "auditor", "authority_member", "administrator",
            "probation_partner"]


def build_site(demo_file) -> dict[str | None, list[Page]]:
    """Two months of real records, a place-analysis run and a job; the pages each persona opens (None: signed
    out). Every user-facing template of the app is on one of these pages."""
    from vcdhub.places.actions import run_analysis
    from vcdhub.platform.models import Job

    assert run_import([demo_file(m, k) for m in MONTHS for k in KINDS], actor="test").ok
    users = {name: make_persona(name) for name in
             ("vcd_analyst", "vcd_supervisor", "auditor", "authority_member", "administrator", "probation_partner")}
    crime = Crime.objects.filter(lsoa_code__isnull=False).order_by("pk").first()
    with acting_as("test"):
        run = run_analysis("concentration", crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1],
                           level="ward", actor="test", share=0.2)
        # Finished jobs: a page whose job is still going polls every second, and axe must not run across a swap.
        report = {"kind": "performance.authority_pdf", "requested_by": users["vcd_supervisor"],
                  "parameters": {"period": "2017-07..2017-07", "baseline": None, "aggregate_only": False}}
        done = Job.objects.create(**report, status="done", output=b"%PDF-1.7", output_name="authority-2017-07.pdf",
                                  output_type="application/pdf", summary="The report is ready.")
        failed = Job.objects.create(**report, status="failed", error="No crimes were recorded in 2017-07.")
        Job.objects.filter(pk=done.pk).update(result_url=reverse("job_download", args=[done.pk]))
    area = run.result["areas"][0]["code"]
    person, pair = _people(Crime.objects.exclude(crime_id="").exclude(latitude=None).order_by("pk").first())
    report, proposal = _intel(person, users["vcd_analyst"])
    case, meeting, action, partners_action = _casework(person)
    episode = _missing(person, users["vcd_analyst"])
    drawn = "#map[data-drawn=true]"
    return {
        None: [Page("sign-in", "/accounts/login/")],
        "vcd_analyst": [
            Page("home", "/"),
            Page("explorer", "/crimes/"),
            Page("explorer, filtered", "/crimes/?crime_type=Robbery&month_from=2017-07&borough=E09000022"),
            Page("crime record", f"/crimes/{crime.pk}/"),
            Page("record history", f"/history/crime/crime/{crime.pk}/"),
            Page("map", "/map/", drawn),
            Page("map by ward", "/map/?level=ward&crime_type=Robbery", drawn),
            Page("performance", "/performance/?period=2017-07", ".charts svg"),
            Page("equality (stop and search)", "/equality/"),
            Page("places", "/places/"),
            Page("place runs", "/places/runs/"),
            Page("place run map", f"/places/runs/{run.pk}/", drawn),
            Page("place run table", f"/places/runs/{run.pk}/table/"),
            Page("place area", f"/places/runs/{run.pk}/areas/{area}/"),
            Page("people search", "/people/?name=smith&born=1980-1990"),
            Page("person", f"/people/{person.pk}/", "#person-map[data-drawn=true]"),
            Page("person, add a flag", f"/people/{person.pk}/add/flags/"),
            Page("person, edit", f"/people/{person.pk}/edit/"),
            Page("flag reviews", "/people/flags/?review=90"),
            Page("possible duplicates", "/people/duplicates/"),
            Page("possible duplicate pair", f"/people/duplicates/{pair.pk}/"),
            Page("search", "/intel/search/?q=knife"),
            Page("intelligence reports", "/intel/"),
            Page("intelligence report", f"/intel/{report.pk}/"),
            Page("intelligence, submit", "/intel/add/"),
            Page("intelligence, grade", f"/intel/{report.pk}/step/grade/"),
            Page("intelligence, share", f"/intel/{report.pk}/step/disseminate/"),
            Page("intelligence to review", "/intel/queue/"),
            Page("shared with us", "/intel/shared/"),
            Page("link chart", f"/intel/network/{person.pk}/", "#link-chart[data-drawn=true]"),
            Page("proposed links", "/intel/proposals/"),
            Page("proposed link", f"/intel/proposals/{proposal.pk}/decide/"),
            Page("RAMP cases", "/ramp/"),
            Page("RAMP case", f"/ramp/{case.pk}/"),
            Page("RAMP referral", f"/ramp/add/?subject={person.pk}"),
            Page("RAMP assessment", f"/ramp/{case.pk}/step/assess/"),
            Page("RAMP action", f"/ramp/{case.pk}/step/action/"),
            Page("RAMP priority list", "/ramp/priority/"),
            Page("RAMP reviews due", "/ramp/reviews/"),
            Page("RAMP dashboard", "/ramp/dashboard/"),
            Page("missing persons", "/missing/"),
            Page("missing-person episode", f"/missing/{episode.pk}/"),
            Page("missing-person report", f"/missing/add/?subject={person.pk}"),
            Page("missing, log information", f"/missing/{episode.pk}/step/info/"),
            Page("missing, the person found", f"/missing/{episode.pk}/step/found/"),
            Page("missing review queue", "/missing/queue/"),
            Page("missing patterns", "/missing/patterns/", "#groups-map[data-drawn=true]"),
            Page("missing dashboard", "/missing/dashboard/", "#curves"),
            Page("panel meetings", "/casework/meetings/"),
            Page("panel meeting", f"/casework/meetings/{meeting.pk}/"),
            Page("panel decision", f"/casework/meetings/{meeting.pk}/items/{meeting.items.get().pk}/decision/"),
            Page("our actions", "/casework/actions/"),
            Page("case action", f"/casework/actions/{action.pk}/"),
            Page("account", "/account/"),
            Page("access grants", "/account/grants/"),
            Page("API docs", "/api/docs/", "#swagger-ui .opblock"),
            Page("API docs, a call tried out", "/api/docs/", "#swagger-ui .opblock", steps=(
                (f"{CRIMES_LIST} .opblock-summary-control", f"{CRIMES_LIST} .try-out__btn"),
                (f"{CRIMES_LIST} .try-out__btn", f"{CRIMES_LIST} .execute"),
                (f"{CRIMES_LIST} .execute", f"{CRIMES_LIST} .live-responses-table"),
            )),
            Page("API docs, authorisation dialog", "/api/docs/", "#swagger-ui .opblock",
                 steps=(("#swagger-ui .btn.authorize", "#swagger-ui .modal-ux"),)),
        ],
        "vcd_supervisor": [
            Page("targets", "/performance/targets/"),
            Page("authority report", "/performance/report/?period=2017-07", "#authority-targets"),
            Page("job, done", f"/jobs/{done.pk}/"),
            Page("job, failed", f"/jobs/{failed.pk}/"),
        ],
        "auditor": [
            Page("audit", "/audit/"),
            Page("audit query", f"/audit/?q=record&object_type=crime.crime&object_id={crime.pk}", "#audit-table"),
        ],
        "authority_member": [
            Page("home (aggregate only)", "/"),
            Page("map (aggregate only)", "/map/", drawn),
            Page("performance (aggregate only)", "/performance/?period=2017-07", ".charts svg"),
            Page("authority report (aggregate only)", "/performance/report/?period=2017-07", "#authority-targets"),
            Page("RAMP dashboard (aggregate only)", "/ramp/dashboard/"),
            Page("missing dashboard (aggregate only)", "/missing/dashboard/", "#curves"),
        ],
        "probation_partner": [
            Page("home (partner agency)", "/"),
            Page("our actions (partner agency)", "/casework/actions/"),
            Page("case action (partner agency)", f"/casework/actions/{partners_action.pk}/"),
        ],
        "administrator": [
            Page("imports", "/imports/"),
        ],
    }


def signed_in_as_each(client, site: dict[str | None, list[Page]]):
    """Django's test client signed in as each persona of `site` in turn (signed out for None): (username, pages)."""
    for username, pages in site.items():
        client.logout()
        if username:
            client.force_login(make_persona(username))
        yield username, pages


def _people(crime):
    """A person with a flag, a role in `crime` beside a suspect, a link, and a proposed duplicate of them."""
    import datetime as dt

    from tests.people.factories import make_flag, make_link, make_person, make_role
    from vcdhub.people.models import DuplicatePair

    person = make_person("vcd-analysts", "OFFICIAL", given_name="Jon", surname="Smith", birth_year=1984)
    twin = make_person("vcd-analysts", "OFFICIAL", given_name="Jonathan", surname="Smyth", birth_year=1984)
    suspect = make_person("vcd-analysts", "OFFICIAL", given_name="Sam", surname="Archer", birth_year=1990)
    make_flag(person, "vcd-analysts", "OFFICIAL", kind="weapons", detail="Knife seized, 2025")
    make_role(person, crime.crime_id, "vcd-analysts", "OFFICIAL", role="victim")
    make_role(suspect, crime.crime_id, "vcd-analysts", "OFFICIAL", role="suspect")
    make_link(person, suspect, "vcd-analysts", "OFFICIAL", kind="associate")
    with acting_as("test:setup"):
        pair = DuplicatePair.objects.create(
            left=person, right=twin, probability=0.97, fingerprint="0" * 64, proposed_at=dt.datetime.now(dt.UTC),
            evidence=[["date of birth", "the same", 13.0], ["given name", "a nickname of the other", 4.7]])
    return person, pair


def _intel(person, analyst):
    """A graded, sanitised report naming `person`, submitted by someone other than the analyst, and a proposal."""
    from django.utils import timezone

    from tests.intel.factories import make_report
    from tests.people.factories import make_person
    from vcdhub.intel.models import LinkProposal, ReportLink

    report = make_report("vcd-analysts", "OFFICIAL", state="reviewed", source_evaluation="",
                         intelligence_assessment="", handling_code="",
                         text="Jon Smith is said to carry a knife near the station; he drives AB12 CDE.")
    other = make_person("vcd-analysts", "OFFICIAL", given_name="Lee", surname="Carter", birth_year=1991)
    with acting_as("test:setup"):
        ReportLink.objects.create(report=report, kind="person", person=person)
        ReportLink.objects.create(report=report, kind="vehicle", value="AB12CDE")
        proposal = LinkProposal.objects.create(person=person, other=other, basis="named_together",
                                               evidence=f"report {report.reference}", proposed_at=timezone.now(),
                                               owner_unit_id="vcd-analysts", sensitivity="OFFICIAL")
    return report, proposal


def _casework(person):
    """A RAMP case about `person`, assessed and managed under a plan, on a meeting's agenda, with an overdue
    action for the analysts' own unit and one for probation."""
    import datetime as dt

    from django.utils import timezone

    from tests.casework.factories import make_action, make_case, make_meeting
    from vcdhub.casework.models import AgendaItem
    from vcdhub.ramp.models import Plan, Referral, RiskAssessment

    case = make_case("vcd-analysts", "OFFICIAL", subject=person, risk_level="high",
                     next_review_due=timezone.localdate() - dt.timedelta(days=2))
    meeting = make_meeting("vcd-analysts", "OFFICIAL", title="Analysts' risk panel")
    now = timezone.now()
    with acting_as("test:setup"):
        Referral.objects.create(case=case, subject_type="offender", referred_by="PC Test",
                                referring_unit_id="probation", referred_at=now, basis="Threats to a former partner.")
        RiskAssessment.objects.create(case=case, assessed_at=now, pdp_serious_harm=True, pdp_imminent=True,
                                      pdp_more_likely=False, pdp_rationale="Not more likely than not.",
                                      risk_public="low", risk_known_adult="high", risk_children="low",
                                      risk_staff="low", risk_self="medium", rosh_rationale="A former partner.")
        item = AgendaItem.objects.create(meeting=meeting, case=case, position=1, discussion="Plan agreed.")
        Plan.objects.create(case=case, adopted_at=now, agreed_at=item, supervision="s", monitoring="m",
                            interventions="i", victim_safety="v")
    action = make_action(case, "vcd-analysts", due=timezone.localdate() - dt.timedelta(days=1),
                         heading="monitoring", agreed_at=item)
    partners = make_action(case, "probation", heading="supervision", title="Joint home visit")
    return case, meeting, action, partners


def _missing(person, analyst):
    """Three episodes in the analysts' unit: `person` still missing (graded high, with a log item and a Herbert
    form), and two children found from one care placement (a pattern on the map)."""
    import datetime as dt

    from django.utils import timezone

    from tests.people.factories import make_person
    from vcdhub.missing import actions

    now = timezone.now()
    marking = {"owner_unit": "vcd-analysts", "sensitivity": "OFFICIAL", "reported_by": "A carer",
               "grade_rationale": "Out of character."}
    with acting_as(f"user:{analyst.username}", user=analyst):
        case = actions.report(analyst, {**marking, "subject": person, "from_kind": "home",
                                        "from_place": "12 Test Road", "last_seen_at": now - dt.timedelta(hours=5),
                                        "grade": "high", "indicators": ["dementia"]})
        actions.log_information(analyst, case, {"text": "Seen on a bus.", "supplied_by": "A driver",
                                                "obtained_at": now})
        actions.add_protocol_form(analyst, case, {"kind": "herbert", "given_by": "A daughter", "given_at": now,
                                                  "medical": "Tablets at 8."})
        for years in (14, 15):
            child = make_person("vcd-analysts", "OFFICIAL", birth_year=now.year - years)
            other = actions.report(analyst, {**marking, "subject": child, "from_kind": "care",
                                             "from_place": "Oak House", "from_postcode": "SW9 8AB",
                                             "from_longitude": "-0.11", "from_latitude": "51.47", "grade": "medium",
                                             "last_seen_at": now - dt.timedelta(days=3)})
            actions.found(analyst, other, {"found_at": now - dt.timedelta(days=2), "found_how": "by_police",
                                           "found_place": "Brixton", "reason": "Found in the street."})
    return case


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, as conftest's `browser`, but one for the whole module: its tests open many pages."""
    yield from launched_chromium()


def sign_in(page, base_url: str, username: str | None) -> None:
    if username is None:
        return
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


# Every Content-Security-Policy violation in the page, as the browser reports it (an init script runs whatever the
# page's CSP, before the page's own scripts).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
                              `at ${e.sourceFile}:${e.lineNumber} (${(e.sample || "").slice(0, 60)})`);
});
"""


def watch(context) -> list[str]:
    """Console errors and uncaught exceptions of every page of `context`, CSP reports among them."""
    problems: list[str] = []
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    context.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    context.on("weberror", lambda e: problems.append(f"page error: {e.error}"))
    return problems


@dataclass
class Visit:
    """One page of a walk, opened by the caller: its persona, its target, the browser page, and `errors()`, the
    console errors and CSP reports since the visit began."""

    username: str | None
    target: Page
    page: object
    _errors: list[str]
    _before: int

    def errors(self) -> list[str]:
        return self._errors[self._before:]


def walk(chromium, base_url: str, site: dict, **context_options) -> Iterator[Visit]:
    """Each persona's targets, in a browser context of their own (`context_options`: a phone's viewport), signed
    in as them and watched (`watch`). The caller opens each target and checks it."""
    try:
        for username, targets in site.items():
            context = chromium.new_context(**context_options)
            errors = watch(context)
            page = context.new_page()
            sign_in(page, base_url, username)
            for target in targets:
                yield Visit(username, target, page, errors, len(errors))
            context.close()
    finally:
        connections.close_all()  # the live server's threads opened their own


def open_page(page, base_url: str, target: Page) -> list[str]:
    """Open `target` (Playwright waits for the load event: every script and style has been fetched, or refused) and
    wait until it is drawn; the CSP violations it reported."""
    response = page.goto(f"{base_url}{target.path}")
    assert response is not None and response.ok, f"{target.name}: {response.status if response else 'no response'}"
    page.wait_for_selector(target.ready, timeout=20_000)
    for click, then in target.steps:
        page.click(click)
        page.wait_for_selector(then, timeout=10_000)
    return page.evaluate("() => window.__cspViolations || []")
