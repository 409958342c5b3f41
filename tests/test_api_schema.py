"""The API keeps its contract (issue 11): the OpenAPI schema at /api/schema/ says what the API does.

Schemathesis, driven by the schema, calls every operation of the Django app in-process (its WSGI support) with a
bearer token, as an analyst (every phase: examples, coverage, random cases) and as an aggregate-only reader (an
authority member: examples and random cases; see `api_schema`), and runs all its checks: no
server error, every status code and content type documented, every response valid against its schema, valid
requests accepted and invalid ones refused, credentials required. An operation on one record (a step, a change)
is sent to a real record the analyst may change (`written_to`), so its bodies reach their checks. Hypothesis is
derandomized and bounded, but the cases are not quite the same from one checkout to another: a clean clone found
the intelligence search's disagreement below, where the working copy had passed three times. A failure prints a curl
line that reproduces it. The tests after it pin each disagreement Schemathesis found, one by one.
"""

import copy
import datetime as dt
import json
import math
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from importlib import import_module
from unittest import mock

import jsonschema_rs
import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import ignored_auth

from tests.conftest import make_persona, read_rows, write_csv
from vcdhub.access.actions import issue_token
from vcdhub.access.choices import Descriptor
from vcdhub.access.markings import split_descriptors
from vcdhub.audit.context import acting_as
from vcdhub.crime.api.views import CrimeViewSet
from vcdhub.crime.models import Crime, StopSearch
from vcdhub.geography.models import Borough, Lsoa, Ward
from vcdhub.ingest.pipeline import run_import
from vcdhub.people.normalise import parse_birth_date
from vcdhub.platform.api_schema import MONTH_PATTERN
from vcdhub.platform.schema_view import SchemaView

pytestmark = pytest.mark.django_db

RECORD_LISTS = ("/api/crimes/", "/api/stop-searches/")
AGGREGATES = ("/api/crimes/counts/", "/api/crimes/choropleth/", "/api/stop-searches/counts/",
              "/api/stop-searches/choropleth/")


@pytest.fixture
def records(london, demo_file, tmp_path):
    """A few real crimes and searches, all on the first page, two of each in no known place (unplaced): their
    areas are null, which the schema must allow."""
    header, rows = read_rows(demo_file("2017-07", "metropolitan-street"))
    rows = [list(r) for r in rows[:60]]
    for row in rows[-2:]:  # police.uk's rows with no location: no coordinates, no LSOA
        for column in ("Longitude", "Latitude", "LSOA code", "LSOA name"):
            row[header.index(column)] = ""
        row[header.index("Location")] = "No location"
    street = write_csv(tmp_path / "2017-07-metropolitan-street.csv", header, rows)
    header, rows = read_rows(demo_file("2017-07", "metropolitan-stop-and-search"))
    rows = [list(r) for r in rows[:40]]
    for row in rows[:2]:
        row[header.index("Latitude")] = row[header.index("Longitude")] = ""
    searches = write_csv(tmp_path / "2017-07-metropolitan-stop-and-search.csv", header, rows)
    assert run_import([street, searches], actor="test").ok
    assert Crime.objects.filter(lsoa=None).count() == 2 and StopSearch.objects.filter(lsoa=None).count() == 2


@pytest.fixture
def written_to(records) -> dict[str, int]:
    """One record of each kind the API changes through its address (a person, an intelligence report and a
    proposed link, a risk panel case with an action, a missing person's episode), all the analyst's to see: by
    path, the id that replaces the id Schemathesis makes up. A made-up id is a 404 whatever the body, so without
    these no body sent to those operations would ever reach its checks."""
    from tests.browser_support import _casework, _intel, _missing, _people

    analyst = make_persona("vcd_analyst")
    person, _ = _people(Crime.objects.exclude(crime_id="").order_by("pk").first())
    report, proposal = _intel(person, analyst)
    case, _, action, _ = _casework(person)
    episode = _missing(person, analyst)
    return {"/api/people/{id}/": person.pk, "/api/intel-reports/{id}/step/": report.pk,
            "/api/intel-proposals/{id}/decide/": proposal.pk, "/api/ramp-cases/{id}/step/": case.pk,
            "/api/case-actions/{id}/complete/": action.pk, "/api/missing-episodes/{id}/step/": episode.pk}


def bearer_for(persona: str) -> dict:
    with acting_as("test:setup"):
        _, secret = issue_token(make_persona(persona), name="schemathesis", days=1)
    return {"Authorization": f"Bearer {secret}"}


AGGREGATE_ONLY = "authority_member"


@pytest.fixture(params=["vcd_analyst", AGGREGATE_ONLY])
def bearer(request, records):
    return bearer_for(request.param)


@pytest.fixture
def wsgi_app():
    """Django's WSGI app, inside the test's transaction: like Django's test client, it must not close the
    database connection when a request ends. Each response is read whole and closed at once, as a WSGI server
    does: Schemathesis's transport left the last one open, and with it the request's state (request_finished
    never came), which a later test then read as if inside a request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    django_app = get_wsgi_application()

    def served(environ, start_response):
        response = django_app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()

    try:
        yield served
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(request, wsgi_app, bearer, written_to):
    # Schemathesis 4.32 names its subtests through the node's `_nodeid`, which pytest 9.2 no longer has.
    request.node._nodeid = request.node.nodeid
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers={**bearer, "Accept": "application/json"})
    # The test sends its own credentials (the bearer token) with every case, so Schemathesis must not make up an
    # Authorization header: a made-up one counts as a negated part of the case, and once it is replaced by the
    # real token, a case whose only other negation serialises to a valid query (an object sent as text for a
    # text parameter) looked like invalid data accepted.
    schema.config.generation.with_security_parameters = False
    if request.node.callspec.params.get("bearer") == AGGREGATE_ONLY:
        # The coverage phase (each parameter's and body field's boundary and invalid values: 7,000 requests, 95%
        # of the run) tests input checking, which is the same for every reader and is run above as the analyst.
        # An aggregate-only reader is refused every record and every write before its input is read; what
        # differs for them (refusals, perturbed aggregates) is tested by the examples and the random cases.
        schema.config.phases.coverage.enabled = False
    writer = Writer.of(make_persona("vcd_analyst"), written_to)
    wards_in = defaultdict(list)
    for ward, borough in Ward.objects.order_by("code").values_list("code", "borough__code"):
        wards_in[borough].append(ward)
    boroughs_loaded = sorted(wards_in)

    @schema.hook
    def map_case(context, case):
        """What a valid request must also respect, beyond what OpenAPI can state (the parameters' descriptions
        say it): an area code is a loaded area's, a ward in a chosen borough if any are chosen, and the first
        month is not after the last. A generated valid request is mended to respect them (a code the schema
        allows but no loaded area has becomes a loaded one), so the API must accept it."""
        path = case.operation.path
        if case.method in ("POST", "PUT", "PATCH") and path in written_to and is_positive(case, ParameterLocation.PATH):
            case.path_parameters = {**(case.path_parameters or {}), "id": str(written_to[path])}
        if isinstance(case.body, dict) and is_positive(case, ParameterLocation.BODY):
            case.body = copy.deepcopy(case.body)  # the coverage phase's cases may share a nested object
            writer.mend(case.body)
        query = case.query
        if not query or (case.meta is not None and not case.meta.generation.mode.is_positive):
            return case
        boroughs, wards = as_list(query.get("borough")), as_list(query.get("ward"))
        if all(isinstance(v, str) for v in boroughs + wards):
            if boroughs:
                query["borough"] = boroughs = [b if b in wards_in else pick(boroughs_loaded, b) for b in boroughs]
            if wards:
                allowed = {w for b in boroughs or boroughs_loaded for w in wards_in[b]}
                query["ward"] = [w if w in allowed else pick(wards_in[pick(boroughs or boroughs_loaded, w)], w)
                                 for w in wards]
        first, last = query.get("month_from"), query.get("month_to")
        if all(isinstance(m, str) and re.fullmatch(MONTH_PATTERN, m) for m in (first, last)) and first > last:
            query["month_from"], query["month_to"] = last, first
        return case

    return schema


@dataclass
class Writer:
    """What a write by the analyst may name, beyond what OpenAPI can state (the fields' descriptions say it): a
    unit of theirs, people and crimes they may see. `mend` makes a generated valid body name them."""

    units: list[str]
    people: list[int]
    crimes: list[str]
    lsoas: set[str]
    source_ids: list[str]
    reports: list[str]
    meetings: list[int]
    recipients: dict[str, list[str]]

    @classmethod
    def of(cls, user, written_to: dict[str, int]) -> "Writer":
        from vcdhub.access.choices import UnitKind
        from vcdhub.access.models import Unit
        from vcdhub.access.policy import profile
        from vcdhub.casework.models import Meeting
        from vcdhub.intel.choices import Agency
        from vcdhub.intel.models import Report
        from vcdhub.people.models import Person

        people = Person.objects.restrict(user).order_by("pk")
        return cls(units=sorted(profile(user).units), people=list(people.values_list("pk", flat=True)),
                   crimes=list(Crime.objects.restrict(user).exclude(crime_id="").order_by("pk")
                               .values_list("crime_id", flat=True)[:20]),
                   lsoas=set(Lsoa.objects.values_list("code", flat=True)),
                   source_ids=list(people.values_list("source_id", flat=True)),
                   # not the report a step is taken on: a report is not linked to itself
                   reports=list(Report.objects.restrict(user).exclude(pk=written_to["/api/intel-reports/{id}/step/"])
                                .order_by("pk").values_list("reference", flat=True)),
                   meetings=list(Meeting.objects.restrict(user).filter(status="planned", starts_at__gte=timezone.now())
                                 .order_by("pk").values_list("pk", flat=True)),
                   # whom a report may be shared with: not its own unit, the analyst's
                   recipients={"agency": list(Agency.values), "borough": sorted(
                       Unit.objects.filter(kind=UnitKind.BOROUGH).values_list("code", flat=True)),
                               "unit": sorted(Unit.objects.exclude(kind=UnitKind.BOROUGH).exclude(
                                   code__in=profile(user).units).values_list("code", flat=True))})

    def mend(self, body: dict) -> None:
        if isinstance(body.get("step"), str):
            self.mend_step(body)
            return
        for name in ("owner_unit", "referring_unit"):
            if isinstance(body.get(name), str) and body[name] not in self.units:
                body[name] = pick(self.units, body[name])
        for name in ("person", "subject"):
            if isinstance(body.get(name), int) and body[name] not in self.people:
                body[name] = pick(self.people, str(body[name]))
        other = body.get("other")
        if isinstance(other, int) and (other not in self.people or other == body.get("person")):
            body["other"] = pick([p for p in self.people if p != body.get("person")], str(other))
        if isinstance(body.get("crime_ref"), str) and body["crime_ref"] not in self.crimes:
            body["crime_ref"] = pick(self.crimes, body["crime_ref"])
        for name in ("reports", "crimes"):  # references that must exist: none is always right
            if isinstance(body.get(name), str):
                body[name] = ""
        if isinstance(body.get("descriptors"), str) and not set(split_descriptors(body["descriptors"])) <= set(
                Descriptor.values):
            body["descriptors"] = ""
        self.mend_points(body, ("longitude", "latitude"), ("from_longitude", "from_latitude"),
                         ("last_seen_longitude", "last_seen_latitude"))
        for name in ("reported_at", "last_seen_at"):  # a time as YYYY-MM-DD HH:MM, local time
            if isinstance(body.get(name), str) and body[name] and not _parses(_local_time, body[name]):
                body[name] = "2026-01-01 10:00"
        # A MAPPA flag has a category and a level, and no other flag has either.
        if "mappa_category" in body or "mappa_level" in body:
            mappa = body.get("kind") == "mappa"
            for name in ("mappa_category", "mappa_level"):
                if mappa and body.get(name) is None:
                    body[name] = 1
                elif not mappa:
                    body[name] = None
        if isinstance(body.get("flagged_on"), str) and isinstance(body.get("review_on"), str) \
                and body["review_on"] < body["flagged_on"]:  # ISO dates: their text sorts as they do
            body["review_on"] = body["flagged_on"]
        if isinstance(body.get("source"), str) and "text" in body:  # an intelligence source the writer handles
            body["source"] = ""
        if isinstance(body.get("lsoa"), str) and body["lsoa"] not in self.lsoas:
            body["lsoa"] = ""
        if isinstance(body.get("date_of_birth"), str) and not _parses(parse_birth_date, body["date_of_birth"]):
            body["date_of_birth"] = ""  # a date that exists, from 1900 to today: more than a pattern can say


    def mend_step(self, body: dict) -> None:
        """A step's body: what it links to exists, its times are past and after the episode's start, its grades
        are of its scheme. Which state the record is in is left as it is: a step it does not allow is a 409."""
        from vcdhub.intel.choices import GRADE_FIELDS, GRADES

        values = body.get("values") if isinstance(body.get("values"), dict) else {}
        if body["step"] == "link":
            holder = values if "value" in values else body
            if holder is body:
                body.setdefault("link_kind", "person")
            if body.get("link_kind") == "report" and not self.reports:
                body["link_kind"] = "crime"  # the analyst sees no other report
            known = {"person": self.source_ids, "crime": self.crimes, "report": self.reports}.get(body.get("link_kind"))
            if known and holder.get("value") not in known:
                holder["value"] = pick(known, str(holder.get("value")))
        if body["step"] == "disseminate":
            known = self.recipients.get(body.get("recipient_kind", "unit"), [])
            if known and body.get("recipient") not in known:
                body["recipient"] = pick(known, str(body.get("recipient")))
        if body["step"] == "grade" and body.get("grading_scheme", "3x5x2") in GRADES:
            scheme = GRADES[body.get("grading_scheme", "3x5x2")]
            for name in GRADE_FIELDS:
                allowed = [code for code, _ in scheme[name]]
                if body.get(name) not in allowed:
                    body[name] = pick(allowed, str(body.get(name)))
            body["handling_conditions"] = body.get("handling_conditions") or "Not to be shared outside the unit."
        a_minute_ago = (timezone.localtime() - dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
        for name, value in values.items():
            if name.endswith("_at") and isinstance(value, str) and value:
                values[name] = a_minute_ago  # after the episode began (in the fixture), and not in the future
        if isinstance(body.get("meeting"), int) and body["meeting"] not in self.meetings and self.meetings:
            body["meeting"] = pick(self.meetings, str(body["meeting"]))  # a panel meeting still to come
        contents = ("description", "medical", "contacts", "places", "associates")
        if body["step"] == "protocol" and not values.get("photo") and not any(values.get(c) for c in contents):
            values["description"] = "Routines and places, as the form held them."  # a form holds something
        if body["step"] == "assess":  # the case is about an offender: the dangerous person test is answered
            for name in ("pdp_serious_harm", "pdp_imminent", "pdp_more_likely"):
                values[name] = values.get(name) or "no"
            values["pdp_rationale"] = values.get("pdp_rationale") or "No feared offence is imminent."
        if values.get("corrects"):
            values["corrects"] = ""  # an earlier item of the same episode, by id
        every_unit = self.units + self.recipients["unit"] + self.recipients["borough"]
        if isinstance(values.get("assignee"), str) and values["assignee"] not in every_unit:
            values["assignee"] = pick(self.units, values["assignee"])  # a unit, a borough or an agency's code
        today = timezone.localdate()
        if isinstance(values.get("due"), str) and not today.isoformat() <= values["due"] <= (
                today + dt.timedelta(days=365)).isoformat():
            values["due"] = today.isoformat()  # not past, nor more than three years ahead
        self.mend_points(values, ("found_longitude", "found_latitude"))

    @staticmethod
    def mend_points(body: dict, *pairs) -> None:
        """A point is both coordinates or neither."""
        for pair in pairs:
            if any(name in body for name in pair) and not all(_number(body.get(name)) for name in pair):
                for name in pair:
                    if name in body:
                        body[name] = None if pair[0] == "longitude" else ""


def _number(value) -> bool:
    try:
        return value is not None and value != "" and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _local_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


def _parses(parse, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def is_positive(case, location) -> bool:
    """Whether the case's `location` (its path, query or body) holds valid values: the part it does not negate."""
    if case.meta is None:
        return True
    component = case.meta.components.get(location)
    return component.mode.is_positive if component is not None else case.meta.generation.mode.is_positive


def pick(choices: list, seed: str):
    """One of `choices`, the same every time for the same seed."""
    return choices[zlib.crc32(seed.encode()) % len(choices)]


def as_list(value) -> list:
    """A query parameter's values, empty ones left out (as the API does)."""
    values = value if isinstance(value, list) else [value] if value is not None else []
    return [v for v in values if v != ""]


schema = schemathesis.pytest.from_fixture("api_schema")


# Every case of the examples and coverage phases, and a few random ones each; no shrinking, so a failure is
# reported as found (with a curl line to reproduce it) and the run stays bounded.
@settings(max_examples=5, derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
          report_multiple_bugs=False, suppress_health_check=list(HealthCheck))
@schema.parametrize()
def test_the_api_keeps_its_contract(case, bearer, auth_enforced):
    # Every write is held to "schema-valid data is accepted" (a 2xx, or a 409 where the records held do not
    # allow it), its body mended by `Writer.mend` where a rule is more than OpenAPI can state. Schemathesis's
    # own `ignored_auth` is replaced by `auth_enforced` (below).
    excluded = [ignored_auth]
    # Schemathesis's WSGI transport does not undo a content coding, so ask for none: the outlines come gzipped
    # to a client that accepts it (tests/test_map.py checks that body against the plain one).
    case.call_and_validate(headers={**bearer, "Accept-Encoding": "identity"}, excluded_checks=excluded,
                           additional_checks=[auth_enforced])


@pytest.fixture
def auth_enforced():
    """Schemathesis's `ignored_auth` check as its own runner runs it: once an operation has refused a request
    without credentials and one with made-up credentials, it is not probed again in the run. Through the pytest
    plugin the check has no run to remember it in, and probed again after every successful case: as the analyst,
    2,323 of the 7,038 requests this test made."""
    confirmed: set[str] = set()

    def ignored_auth_once_per_operation(ctx, response, case):
        ctx.auth_enforced_operations = confirmed
        return ignored_auth(ctx, response, case)

    ignored_auth_once_per_operation.__name__ = ignored_auth.__name__
    return ignored_auth_once_per_operation


# Each disagreement Schemathesis found, pinned.

@pytest.fixture
def openapi(client, london):
    client.force_login(make_persona("vcd_analyst"))
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def parameter(openapi, path: str, name: str) -> dict:
    return next(p for p in openapi["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_the_schema_builds_without_a_warning(tmp_path):
    """Two serializers with one name shared one component: the risk panel's cases were documented with missing
    persons' case schema, and missing persons' steps with intelligence's. drf-spectacular warns of such a
    collision, so a warning fails here."""
    call_command("spectacular", "--fail-on-warn", "--format", "openapi-json", "--file", str(tmp_path / "schema.json"))
    openapi = json.loads((tmp_path / "schema.json").read_text())
    schemas = {path: operations["post"]["requestBody"]["content"]["application/json"]["schema"]
               for path, operations in openapi["paths"].items() if "post" in operations}
    body = {path: schema["$ref"].split("/")[-1] for path, schema in schemas.items() if "$ref" in schema}
    assert body["/api/ramp-cases/"] == "RampCaseRequest" and body["/api/missing-episodes/"] == "MissingEpisodeRequest"
    # A step's body is one of its module's own: one per step, each with what that step's page asks for.
    for path, module in (("/api/missing-episodes/{id}/step/", "missing"), ("/api/ramp-cases/{id}/step/", "ramp"),
                         ("/api/intel-reports/{id}/step/", "intel")):
        steps = import_module(f"vcdhub.{module}.api.serializers").STEPS
        assert [variant["properties"]["step"]["enum"] for variant in schemas[path]["oneOf"]] == [[s] for s in steps]
    found = next(v for v in schemas["/api/missing-episodes/{id}/step/"]["oneOf"] if v["title"] == "found")
    assert {"found_at", "found_how", "found_place"} <= set(found["properties"]["values"]["required"])
    assert "reason" in found["required"]  # the circumstances, which the found page asks for
    assert "basis" in openapi["components"]["schemas"]["RampCaseRequest"]["properties"]
    assert "last_seen_at" in openapi["components"]["schemas"]["MissingEpisodeRequest"]["properties"]
    # A request's text that may not be blank says so; the answer's schema has no such rule.
    assert openapi["components"]["schemas"]["PersonRequest"]["properties"]["owner_unit"]["minLength"] == 1
    assert "minLength" not in openapi["components"]["schemas"]["Person"]["properties"]["owner_unit"]
    for name in ("PersonRequest", "Person", "RampCaseRequest", "FlagRequest"):  # the marking's values are listed
        sensitivity = openapi["components"]["schemas"][name]["properties"]["sensitivity"]
        ref = sensitivity.get("$ref") or sensitivity["allOf"][0]["$ref"]
        assert openapi["components"]["schemas"][ref.split("/")[-1]]["enum"] == ["OFFICIAL", "OFFICIAL-SENSITIVE"], name


def test_the_schema_is_built_once_the_same_for_every_reader_and_whatever_the_data(client, records):
    """/api/schema/ was built again on every request (0.3 to 0.4 s); it is kept for the process, which is right
    only because it depends on neither the reader nor the data."""
    SchemaView._built.clear()
    built = []
    real = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        built.append(1)
        return real(self, *args, **kwargs)

    def schema_as(persona):
        client.force_login(make_persona(persona))
        response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        return response.content

    with mock.patch.object(SchemaGenerator, "get_schema", counted):
        first = schema_as("vcd_analyst")
        assert [schema_as(persona) for persona in ("authority_member", "administrator", "vcd_analyst")] == [first] * 3
        assert len(built) == 1
        # Other data: a borough no file names, a unit, a record of it. Built afresh, the schema is the same.
        with acting_as("test:setup"):
            Borough.objects.create(code="E09000099", name="Nowhere (test)", geometry="{}", centroid_lon=0,
                                   centroid_lat=51.5, area_km2=1)
            Crime.objects.filter(pk=Crime.objects.order_by("pk").values("pk")[:1]).update(
                sensitivity="OFFICIAL-SENSITIVE", owner_unit_id="csu")
        SchemaView._built.clear()
        assert schema_as("authority_member") == first
        assert len(built) == 2


def test_bodies_are_json_only_as_documented(client, openapi, written_to):
    """Form and multipart bodies were accepted but carry no types: Schemathesis sent `birth_estimated` as a
    number in a form and it was read as false. A body is JSON, and the schema says so."""
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}, (method, path)
    client.force_login(make_persona("vcd_analyst"))
    person = f"/api/people/{written_to['/api/people/{id}/']}/"
    assert client.patch(person, {"surname": "Smythe"}, content_type="application/json").status_code == 200
    for body, content_type in (("surname=Smith", "application/x-www-form-urlencoded"),
                               ("--b\r\nContent-Disposition: form-data; name=\"surname\"\r\n\r\nSmith\r\n--b--\r\n",
                                "multipart/form-data; boundary=b")):
        refused = client.patch(person, body, content_type=content_type)
        assert refused.status_code == 415 and refused["Content-Type"] == "application/json", content_type
    assert client.get(person).json()["surname"] == "Smythe"


def test_a_number_is_not_text(client, written_to):
    """`{"result": 0}` completed an action with the result "0", and `"reason": 0` decided a proposal: DRF's
    CharField takes numbers. Text fields take text only (platform.api.TextField), as the schema says."""
    client.force_login(make_persona("vcd_analyst"))
    action = f"/api/case-actions/{written_to['/api/case-actions/{id}/complete/']}/complete/"
    proposal = f"/api/intel-proposals/{written_to['/api/intel-proposals/{id}/decide/']}/decide/"
    person = f"/api/people/{written_to['/api/people/{id}/']}/"
    for send, path, body, field in (
            (client.post, action, {"result": 0}, "result"),
            (client.post, proposal, {"decision": "confirmed", "reason": 0, "link_kind": "associate"}, "reason"),
            (client.patch, person, {"surname": 1984.5}, "surname")):
        refused = send(path, body, content_type="application/json")
        assert refused.status_code == 400 and list(refused.json()) == [field], (path, refused.content[:200])
    assert client.post(action, {"result": "Visited."}, content_type="application/json").status_code == 200


def test_months_are_documented_and_answered_as_yyyy_mm(client, openapi, records):
    for model in ("Crime", "StopSearch"):
        month = openapi["components"]["schemas"][model]["properties"]["month"]
        assert month["pattern"] == MONTH_PATTERN and "format" not in month
    for path in RECORD_LISTS + AGGREGATES:
        for name in ("month_from", "month_to"):
            assert parameter(openapi, path, name)["schema"]["pattern"] == MONTH_PATTERN
    crimes = client.get("/api/crimes/", {"month_from": "2017-07"}).json()["results"]
    assert crimes and all(re.fullmatch(MONTH_PATTERN, crime["month"]) for crime in crimes)
    assert not re.fullmatch(MONTH_PATTERN, "2000-01-01")  # a date is not a month: refused, as documented
    assert client.get("/api/crimes/", {"month_from": "2000-01-01"}).status_code == 400


def test_area_codes_are_nullable_for_records_in_no_known_place(client, openapi, records):
    for model in ("Crime", "StopSearch"):
        for area in ("lsoa", "ward", "borough"):
            assert openapi["components"]["schemas"][model]["properties"][area]["nullable"] is True
    for path in RECORD_LISTS:
        unplaced = [r for r in client.get(path).json()["results"] if r["lsoa"] is None]
        assert len(unplaced) == 2 and all(r["ward"] is None and r["borough"] is None for r in unplaced)


FILTERS = {"/api/crimes/": {"month_from", "month_to", "crime_type", "borough", "ward", "force"},
           "/api/stop-searches/": {"month_from", "month_to", "borough", "ward", "force", "object_of_search",
                                   "officer_defined_ethnicity"}}


@pytest.mark.parametrize("path", RECORD_LISTS + AGGREGATES)
def test_an_empty_value_is_the_same_as_leaving_the_parameter_out(client, openapi, records, path):
    """`borough=` was a 400 while `force=` was ignored: now every filter ignores an empty value, the schema says so
    (allowEmptyValue) for every query parameter, and several values keep the non-empty ones."""
    names = FILTERS["/api/" + path.split("/")[2] + "/"] | ({"level"} if path in AGGREGATES else {"page", "page_size"})
    whole = client.get(path)
    assert whole.status_code == 200
    for name in names:
        empty = client.get(path, {name: ""})
        assert empty.status_code == 200, (name, empty.content[:200])
        assert empty.content == whole.content, name
    if "crime_type" in names:
        assert client.get(path, {"crime_type": ["Robbery", ""]}).content == client.get(
            path, {"crime_type": "Robbery"}).content
    documented = {p["name"]: p for p in openapi["paths"][path]["get"]["parameters"]}
    assert names <= set(documented) and all(documented[name].get("allowEmptyValue") for name in names)


def test_the_explorer_ignores_empty_values_too(client, records):
    client.force_login(make_persona("vcd_analyst"))
    page = client.get("/crimes/", {"borough": "", "ward": "", "crime_type": "", "month_from": "", "force": ""})
    assert page.status_code == 200 and not page.context["filterset"].errors
    assert page.context["total"] == Crime.objects.count()


@pytest.mark.parametrize("path", AGGREGATES)
def test_counts_and_choropleth_document_their_filters(openapi, path):
    documented = {p["name"] for p in openapi["paths"][path]["get"]["parameters"]}
    assert FILTERS["/api/" + path.split("/")[2] + "/"] | {"level"} <= documented


def test_bearer_tokens_are_a_security_scheme_of_every_operation(client, openapi, records):
    scheme = openapi["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                assert {"bearerAuth": []} in operation["security"], (method, path)
    client.logout()
    token = bearer_for("vcd_analyst")["Authorization"]
    assert client.get("/api/crimes/", HTTP_AUTHORIZATION=token).status_code == 200
    refused = client.get("/api/crimes/", HTTP_AUTHORIZATION="Bearer vcd_nope_nope")
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Bearer"


def test_the_errors_the_api_gives_are_documented(client, openapi, records):
    responses = {path: set(operations["get"]["responses"]) for path, operations in openapi["paths"].items()
                 if "get" in operations}
    assert responses["/api/crimes/"] == {"200", "400", "401", "403", "404"}
    assert responses["/api/crimes/{id}/"] == {"200", "401", "403", "404"}
    assert responses["/api/crimes/counts/"] == {"200", "400", "401"}  # open to every signed-in role
    assert responses["/api/wards/{code}/"] == {"200", "401", "404"}
    # ... and they are what the API answers.
    client.logout()
    assert client.get("/api/crimes/").status_code == 401
    client.force_login(make_persona("authority_member"))
    assert client.get("/api/crimes/").status_code == 403
    assert client.get("/api/crimes/counts/", {"level": "street"}).status_code == 400
    client.force_login(make_persona("vcd_analyst"))
    for missing in ("/api/crimes/999999999/", "/api/crimes/1.5/", "/api/crimes/", "/api/wards/E05999999/"):
        response = client.get(missing, {"page": 9999} if missing == "/api/crimes/" else {})
        assert response.status_code == 404 and response["Content-Type"] == "application/json", missing


@pytest.mark.parametrize("size", ["abc", "0", "-3", "1.5"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_refused(client, records, size):
    """It was quietly replaced by the default: the schema's integer from 1 is what the API accepts."""
    client.force_login(make_persona("vcd_analyst"))
    with mock.patch.object(CrimeViewSet, "count_records") as count_records:
        response = client.get("/api/crimes/", {"page_size": size})
    assert response.status_code == 400 and "page_size" in response.json()
    assert not count_records.called, "a refused request should cost no count"
    assert len(client.get("/api/crimes/", {"page_size": "5000"}).json()["results"]) == Crime.objects.count()


@pytest.mark.parametrize("path", ["/api/crimes/", "/api/crimes/counts/", "/api/intel-shared/"])
def test_a_filter_that_takes_one_value_refuses_several(client, records, path):
    """Schemathesis sent `reference` twice and the API answered for the last: a question nobody asked."""
    client.force_login(make_persona("vcd_analyst"))
    name = "reference" if "intel" in path else "month_from"
    value = "X-1" if "intel" in path else "2017-01"
    answer = client.get(path, {name: [value, value]})
    assert answer.status_code == 400 and list(answer.json()) == [name]
    assert client.get(path, {name: [value, ""]}).status_code == 200  # an empty value is left out
    if "crimes" in path:  # a filter that takes several still does
        assert client.get(path, {"borough": ["E09000022", "E09000008"]}).status_code == 200


# Characters on which Python's `re` and an ECMA (JSON Schema) engine read `\s`, `\w`, `\d` or `$` differently, and a
# few that patterns commonly exclude.
TRICKY = "\t\n\x0b\x0c\r\x1c\x1f \x85\xa0\u2028\ufeff_٣Þé中-/.\x00"
SAMPLES = ("", "x", "2017-07", "E09000022", "1984", "1980-1985", "1980 to 1985")


def probes():
    for base in SAMPLES:
        yield base
        for c in TRICKY:
            yield from (c, c + base, base + c, base[:2] + c + base[2:])


@pytest.fixture(scope="module")
def schema_patterns(tmp_path_factory) -> set[str]:
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    found = set()

    def collect(node):
        if isinstance(node, dict):
            found.update([node["pattern"]] if isinstance(node.get("pattern"), str) else [])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(json.loads(path.read_text()))
    return found


def test_every_pattern_in_the_schema_means_to_a_json_schema_validator_what_it_means_in_python(schema_patterns):
    """The intelligence search's `[^\\W_]` meant "a letter of any script" to the server and "an ASCII letter" to
    Schemathesis's validator, which then took "Þ" for invalid data wrongly accepted. A JSON Schema pattern is an
    ECMA regular expression, unanchored; Python's `$` also matches before a final newline, so it is read as `\\Z`."""
    assert len(schema_patterns) >= 5
    differ = []
    for pattern in sorted(schema_patterns):
        validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
        python = re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)
        differ += [f"{pattern!r} on {text!r}" for text in probes()
                   if validator.is_valid(text) != bool(python.search(text))]
    assert not differ, "\n".join(differ[:20])


def test_the_people_search_reads_a_year_range_exactly_as_its_schema_says(schema_patterns):
    """Through the filter the list, the CSV and the API share: Django's form field trimmed any Unicode space
    ("\\n1984", "\\xa01984") before the parser saw it, which the schema's pattern refuses."""
    from vcdhub.people.filtersets import PersonFilterSet
    from vcdhub.people.models import Person
    from vcdhub.people.search import YEARS

    assert YEARS.pattern in schema_patterns
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": YEARS.pattern})
    for text in probes():
        if text == "" or "\x00" in text:
            continue  # empty is left out, as everywhere; a NUL is refused before any pattern
        accepted = PersonFilterSet({"born": text}, queryset=Person.objects.none()).is_valid()
        assert accepted == validator.is_valid(text), repr(text)
