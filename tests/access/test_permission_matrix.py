"""Need-to-know beyond the generic matrix: guessing ids and filters, grants, rules as data, and counts.

Every persona x every record view and endpoint runs through the kit's generic tests (tests/kit.py), for the
crime module in tests/test_crime_module.py. The expected tables here are written out by hand from the default
rules (own unit: everything; other units: OFFICIAL only; OFFICIAL-SENSITIVE of another unit: only by grant;
authority members: aggregates only), not computed by the code under test.
"""


import pytest
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
    "csu_analyst": {"csu_sensitive", "lambeth_official", "public_policeuk"},
    "csu_handler": {"csu_sensitive", "lambeth_official", "public_policeuk"},
    "csu_panel_chair": {"csu_sensitive", "lambeth_official", "public_policeuk"},
    "probation_partner": set(),  # a partner agency's account reads no records: only actions assigned to it
    "compass_supervisor": {"compass_sensitive", "lambeth_official", "public_policeuk"},
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


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_counts_cover_exactly_the_records_the_list_shows(personas, records, persona, settings):
    """A count and a list never differ: the difference would be a record its reader may not see."""
    settings.VCDHUB_MIN_CELL = 1  # exact figures, to compare them: nothing withheld and no perturbation
    settings.VCDHUB_PERTURBATION_MAX_NOISE = 0
    client = _client(personas[persona])
    for params in ({}, {"crime_type": "Violence and sexual offences"}, {"ward": records["csu_sensitive"].ward.code},
                   {"month_from": "2017-07", "month_to": "2017-07"}):
        counts = client.get("/api/crimes/counts/", {"level": "borough", **params}).json()
        lambeth = counts["counts"].get("E09000022", 0)
        if persona in ("authority_member", "probation_partner"):
            assert lambeth == 2, "aggregate-only readers count the OFFICIAL records only"
        else:
            listed = client.get("/api/crimes/", {"page_size": 1000, **params}).json()["results"]
            assert lambeth == len(listed) == len(VISIBLE[persona]), (persona, params)


def test_aggregate_only_readers_get_perturbed_counts_with_small_cells_withheld(personas, records, settings):
    """Two OFFICIAL records in Lambeth: perturbed by at most 2 (so 0 to 4), then withheld if 1 to 4. A
    perturbed count may show a small true count as 0, so a zero proves nothing either."""
    settings.VCDHUB_MIN_CELL = 5
    authority = _client(personas["authority_member"])
    shown = authority.get("/api/crimes/counts/", {"level": "borough"}).json()
    assert shown["counts"]["E09000022"] in (None, 0) and shown["suppressed_below"] == 5
    assert shown["perturbed"] is True and shown["total"] in (None, 0)
    geo = authority.get("/api/crimes/choropleth/", {"level": "borough"}).json()
    lambeth = next(f for f in geo["features"] if f["id"] == "E09000022")
    assert lambeth["properties"]["count"] in (None, 0) and geo["properties"]["perturbed"] is True
    settings.VCDHUB_MIN_CELL, settings.VCDHUB_PERTURBATION_MAX_NOISE = 2, 0
    assert authority.get("/api/crimes/counts/", {"level": "borough"}).json()["counts"]["E09000022"] == 2
    # a user with no role at all reads aggregates only, and is protected the same way
    from django.contrib.auth import get_user_model

    nobody = _client(get_user_model().objects.create_user("no_role"))
    settings.VCDHUB_MIN_CELL, settings.VCDHUB_PERTURBATION_MAX_NOISE = 5, 2
    answer = nobody.get("/api/crimes/counts/", {"level": "borough"}).json()
    assert answer["counts"]["E09000022"] in (None, 0) and answer["perturbed"] is True


def test_a_total_that_would_give_a_hidden_cell_back_is_hidden_too():
    from vcdhub.crime.counts import AreaCounts, protect_counts
    from vcdhub.platform.disclosure import Disclosure

    policy = Disclosure(5)
    hidden = protect_counts(AreaCounts("ward", 12, 0, {"a": 2, "b": 10}), policy)
    assert hidden.by_code == {"a": None, "b": 10} and hidden.total is None  # else 12 - 10 = 2
    shown = protect_counts(AreaCounts("ward", 10, 0, {"a": 0, "b": 10}), policy)
    assert shown.by_code == {"a": 0, "b": 10} and shown.total == 10
    unplaced = protect_counts(AreaCounts("ward", 13, 3, {"b": 10}), policy)
    assert unplaced.unplaced is None and unplaced.total is None
    exact = protect_counts(AreaCounts("ward", 12, 0, {"a": 2, "b": 10}), Disclosure())
    assert exact.by_code == {"a": 2, "b": 10} and exact.total == 12


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
