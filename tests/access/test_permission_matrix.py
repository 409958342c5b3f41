"""Every persona x every endpoint x own-unit, other-unit and sensitive records: exactly what each may see.

The expected table is written out by hand from the default rules (own unit: everything; other units:
OFFICIAL only; OFFICIAL-SENSITIVE of another unit: only by grant; authority members: aggregates only),
not computed by the code under test.
"""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import PERSONAS
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.crime.models import Crime

pytestmark = pytest.mark.django_db

# Four records, one of each kind that matters, placed in Lambeth.
RECORDS = {
    "csu_sensitive": ("csu", "OFFICIAL-SENSITIVE", "PERSONAL"),
    "compass_sensitive": ("compass", "OFFICIAL-SENSITIVE", "PERSONAL"),
    "lambeth_official": ("borough-lambeth", "OFFICIAL", ""),
    "public_policeuk": ("vcd-analysts", "OFFICIAL", ""),
}
VISIBLE = {
    "csu_investigator": {"csu_sensitive", "lambeth_official", "public_policeuk"},
    "compass_officer": {"compass_sensitive", "lambeth_official", "public_policeuk"},
    "borough_analyst": {"lambeth_official", "public_policeuk"},
    "vcd_analyst": {"lambeth_official", "public_policeuk"},
    "vcd_supervisor": {"lambeth_official", "public_policeuk"},
    "auditor": {"lambeth_official", "public_policeuk"},
    "authority_member": set(),
    "tasking_officer": {"lambeth_official", "public_policeuk"},
    "jigsaw_panel_chair": {"lambeth_official", "public_policeuk"},
    "administrator": {"lambeth_official", "public_policeuk"},  # administrators get no special sight of records
}
SENSITIVE = {name for name, (_, marking, _) in RECORDS.items() if marking == "OFFICIAL-SENSITIVE"}
assert set(VISIBLE) == set(PERSONAS)


@pytest.fixture
def records(personas):
    made = {}
    with acting_as("test:setup"):
        for i, (name, (unit, marking, descriptors)) in enumerate(RECORDS.items()):
            made[name] = Crime.objects.create(
                crime_id=f"{i:064x}", month="2017-07-01", reported_by="Metropolitan Police Service",
                falls_within="Metropolitan Police Service", location=f"On or near {name}", lsoa_code="E01003014",
                crime_type="Violence and sexual offences", owner_unit_id=unit, sensitivity=marking,
                descriptors=descriptors, batch=_batch(),
                lsoa_id=_lsoa().id, ward_id=_lsoa().ward_id, borough_id=_lsoa().borough_id,
            )
    return made


def _lsoa():
    from vcdhub.geography.models import Lsoa

    return Lsoa.objects.get(code="E01003014")


def _batch():
    from django.utils import timezone

    from vcdhub.crime.models import ImportBatch

    now = timezone.now()
    batch, _ = ImportBatch.objects.get_or_create(
        sha256="f" * 64, defaults=dict(file_name="force-records.csv", source="test", kind="street",
                                       force="Metropolitan Police Service", month="2017-07-01", rows=4,
                                       imported_by="test", started_at=now, finished_at=now))
    return batch


def _names(records, ids):
    by_id = {c.pk: name for name, c in records.items()}
    return {by_id[i] for i in ids if i in by_id}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _seen_by_endpoint(client, records, user):
    """What each endpoint shows this user, as sets of record names (None where the endpoint refuses)."""
    seen = {}
    page = client.get("/crimes/")
    seen["web list"] = None if page.status_code == 403 else _names(records, [c.pk for c in page.context["page"]])
    seen["web detail"] = {name for name, c in records.items() if client.get(f"/crimes/{c.pk}/").status_code == 200}
    seen["web history"] = {name for name, c in records.items()
                           if client.get(f"/history/crime/crime/{c.pk}/").status_code == 200}
    csv_response = client.get("/crimes/export.csv")
    if csv_response.status_code == 403:
        seen["web csv"] = None
    else:
        rows = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
        seen["web csv"] = {name for name, c in records.items() if c.crime_id in {r["Crime ID"] for r in rows}}
    api = client.get("/api/crimes/", {"page_size": 1000})
    seen["api list"] = None if api.status_code == 403 else _names(records, [r["id"] for r in api.json()["results"]])
    seen["api detail"] = {name for name, c in records.items() if client.get(f"/api/crimes/{c.pk}/").status_code == 200}
    out = io.StringIO()
    call_command("export", "crimes", "--user", user.username, stdout=out, stderr=io.StringIO())
    exported = {r["Crime ID"] for r in csv.DictReader(io.StringIO(out.getvalue()))}
    seen["cli export"] = {name for name, c in records.items() if c.crime_id in exported}
    return seen


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_each_persona_sees_exactly_what_the_rules_allow(personas, records, persona):
    user = personas[persona]
    seen = _seen_by_endpoint(_client(user), records, user)
    expected = VISIBLE[persona]
    for endpoint, names in seen.items():
        if names is None:
            assert persona == "authority_member", f"{endpoint} refused {persona}"
            continue
        assert names == expected, f"{persona} via {endpoint}"


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_reads_of_sensitive_records_are_audited_and_refusals_recorded(personas, records, persona):
    user = personas[persona]
    client = _client(user)
    for name, crime in records.items():
        before = AuditEntry.objects.count()
        web = client.get(f"/crimes/{crime.pk}/")
        api = client.get(f"/api/crimes/{crime.pk}/")
        new = AuditEntry.objects.filter(seq__gt=before, user_id=user.pk, object_type="crime.crime",
                                        object_id=str(crime.pk))
        if persona == "authority_member":
            assert (web.status_code, api.status_code) == (403, 403)
        elif name in VISIBLE[persona]:
            assert (web.status_code, api.status_code) == (200, 200)
            reads = set(new.filter(kind=EntryKind.READ).values_list("action", flat=True))
            assert reads == ({"view", "api"} if name in SENSITIVE else set())
        else:
            assert (web.status_code, api.status_code) == (404, 404)
            denied = set(new.filter(kind=EntryKind.DENIED).values_list("action", flat=True))
            assert denied == {"view", "api"}, f"{persona} guessing {name} was not recorded"


def test_guessing_ids_changing_filters_and_exports_do_not_reach_another_units_sensitive_record(personas, records):
    user = personas["compass_officer"]
    client = _client(user)
    target = records["csu_sensitive"]
    # Guessing ids around the target.
    for pk in range(target.pk - 3, target.pk + 4):
        if pk != records["compass_sensitive"].pk:
            response = client.get(f"/crimes/{pk}/")
            assert response.status_code in (200, 404)
            assert target.location not in response.content.decode()
    # Changing a filter to point straight at it.
    for params in ({"ward": target.ward.code}, {"borough": target.borough.code, "crime_type": target.crime_type},
                   {"force": "metropolitan", "month_from": "2017-07", "month_to": "2017-07"}):
        assert target.location.encode() not in client.get("/crimes/", params).content
        assert target.crime_id not in b"".join(client.get("/crimes/export.csv", params).streaming_content).decode()
        assert target.pk not in [r["id"] for r in client.get("/api/crimes/", params).json()["results"]]
    assert client.get(f"/history/crime/crime/{target.pk}/").status_code == 404
    denied = AuditEntry.objects.filter(user_id=user.pk, kind=EntryKind.DENIED, object_id=str(target.pk))
    assert set(denied.values_list("action", flat=True)) == {"view", "history"}


def test_an_approved_time_limited_grant_opens_one_record_and_then_closes(personas, records):
    import datetime as dt

    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from vcdhub.access import actions
    from vcdhub.access.models import AccessGrant
    from vcdhub.audit.models import Decision

    user, supervisor = personas["compass_officer"], personas["vcd_supervisor"]
    target = records["csu_sensitive"]
    client = _client(user)
    assert client.get(f"/crimes/{target.pk}/").status_code == 404
    with acting_as("user:compass_officer", user=user):
        grant = actions.request_grant(user=user, record=target, reason="Missing person linked to this incident",
                                      days=7, requested_by=user)
    assert client.get(f"/crimes/{target.pk}/").status_code == 404  # not yet approved
    with acting_as("user:compass_officer", user=user), pytest.raises(PermissionDenied, match="supervisor"):
        actions.approve_grant(grant, approver=user, rationale={})
    with acting_as("user:vcd_supervisor", user=supervisor):
        own = actions.request_grant(user=supervisor, record=target, reason="curious", days=1, requested_by=supervisor)
        with pytest.raises(PermissionDenied, match="own access"):
            actions.approve_grant(own, approver=supervisor, rationale={})
    rationale = dict(information="Compass case 17/123 names the victim.", threat_and_risk="High-risk missing child.",
                     powers_and_policy="APP missing persons; DPA 2018 s.35.", options="Grant for 7 days, or refuse.",
                     action_taken="Grant for 7 days.")
    with acting_as("user:vcd_supervisor", user=supervisor):
        actions.approve_grant(grant, approver=supervisor, rationale=rationale)
    assert client.get(f"/crimes/{target.pk}/").status_code == 200
    assert client.get(f"/crimes/{records['compass_sensitive'].pk}/").status_code == 200
    # Other CSU records stay closed: the grant names one record.
    assert Decision.objects.get(object_type="access.accessgrant", object_id=str(grant.pk)).options.startswith("Grant")
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"/crimes/{target.pk}/").status_code == 404


def test_authority_members_get_aggregates_with_small_cells_suppressed(personas, records, settings):
    settings.VCDHUB_MIN_CELL = 5
    authority = _client(personas["authority_member"])
    analyst = _client(personas["vcd_analyst"])
    full = analyst.get("/api/crimes/counts/", {"level": "borough"}).json()
    shown = authority.get("/api/crimes/counts/", {"level": "borough"}).json()
    assert full["counts"]["E09000022"] == 4 and full["suppressed_below"] is None
    assert shown["counts"]["E09000022"] is None and shown["suppressed_below"] == 5
    assert shown["total"] is None
    geo = authority.get("/api/crimes/choropleth/", {"level": "borough"}).json()
    lambeth = next(f for f in geo["features"] if f["id"] == "E09000022")
    assert lambeth["properties"]["count"] is None
    settings.VCDHUB_MIN_CELL = 4
    assert authority.get("/api/crimes/counts/", {"level": "borough"}).json()["counts"]["E09000022"] == 4


def test_a_total_that_would_give_a_hidden_cell_back_is_hidden_too():
    from vcdhub.crime.counts import AreaCounts, suppress_small_cells

    hidden = suppress_small_cells(AreaCounts("ward", 12, 0, {"a": 2, "b": 10}), 5)
    assert hidden.by_code == {"a": None, "b": 10} and hidden.total is None  # else 12 - 10 = 2
    shown = suppress_small_cells(AreaCounts("ward", 10, 0, {"a": 0, "b": 10}), 5)
    assert shown.by_code == {"a": 0, "b": 10} and shown.total == 10
    unplaced = suppress_small_cells(AreaCounts("ward", 13, 3, {"b": 10}), 5)
    assert unplaced.unplaced is None and unplaced.total is None


def test_rules_are_data_an_administrator_changes_without_code(personas, records):
    from vcdhub.access.models import VisibilityRule
    from vcdhub.access.policy import forget

    user = personas["borough_analyst"]
    client = _client(user)
    assert client.get(f"/crimes/{records['public_policeuk'].pk}/").status_code == 200
    with acting_as("user:admin"):
        rule = VisibilityRule.objects.get(name="Other units: OFFICIAL only")
        rule.enabled = False
        rule.save()
    forget(user)
    # Only the own-unit rule is left: Lambeth's record stays open, the directorate's public record closes.
    assert client.get(f"/crimes/{records['public_policeuk'].pk}/").status_code == 404
    assert client.get(f"/crimes/{records['lambeth_official'].pk}/").status_code == 200
    change = AuditEntry.objects.get(object_type="access.visibilityrule", object_id=str(rule.pk))
    assert (change.actor, change.before["enabled"], change.after["enabled"]) == ("user:admin", True, False)
