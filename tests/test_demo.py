"""The demo shows London: the bundled London-wide police.uk set covers every borough the shared Met data covers,
the demo load marks a seeded few percent of records OFFICIAL-SENSITIVE for several units and leaves one access
request waiting, and a second load changes nothing.

The database tests load a 1-in-8 sample of the latest bundled month through the demo loader (every borough still
has hundreds of rows), so they take seconds, not the minute a full month would. The load is made once for the
module (`loaded`), by the demo command, inside a transaction that is rolled back when the module ends; each test
runs in a savepoint within it."""

import csv
import io
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from tests.conftest import SHARED, make_persona, read_rows, write_csv
from vcdhub.access.models import AccessGrant, Membership, RoleAssignment
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry
from vcdhub.crime.models import Crime, Outcome, StopSearch
from vcdhub.demo import markings
from vcdhub.demo.loader import DATA, REQUESTER, USERS, load_demo
from vcdhub.intel.models import Dissemination, LinkProposal, Report
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink

MONTHS = [f"2017-{m:02d}" for m in range(1, 13)]  # scripts/make_demo_data.py: DEMO_MONTHS
LATEST = MONTHS[-1]
COVERED_SHARE = 0.005  # scripts/make_demo_data.py: a borough holding less of a month's rows has only strays
LOOKUP = settings.DATA_DIR / "demo" / "geography" / "london-lsoa11-ward19-borough.csv"
SIZE_BUDGET = 60_000_000  # bytes: data/demo and data/test together


def lsoa_boroughs() -> dict[str, str]:
    with open(LOOKUP, encoding="utf-8-sig") as f:
        return {r["LSOA11CD"]: r["LAD19CD"] for r in csv.DictReader(f)}


def boroughs_of(path: Path, lookup: dict[str, str], share: float = 0.0) -> set[str]:
    """The boroughs a street file's LSOA codes fall in (holding at least `share` of its rows)."""
    codes = pl.read_csv(path, columns=["LSOA code"], infer_schema=False)["LSOA code"].fill_null("")
    counts: Counter = Counter()
    for code, n in codes.value_counts().iter_rows():
        counts[lookup.get(code)] += n
    total = sum(counts.values())
    return {b for b, n in counts.items() if b and n >= share * total}


def street(folder: Path, month: str) -> Path:
    return folder / month / f"{month}-metropolitan-street.csv.gz"


def test_the_demo_ships_twelve_london_wide_months_and_the_tests_their_four_boroughs():
    lookup = lsoa_boroughs()
    assert sorted(p.name for p in DATA.iterdir()) == MONTHS
    for month in MONTHS:
        kinds = sorted(p.name.removeprefix(f"{month}-") for p in (DATA / month).iterdir())
        assert kinds == ["btp-street.csv.gz", "metropolitan-outcomes.csv.gz", "metropolitan-stop-and-search.csv.gz",
                         "metropolitan-street.csv.gz"], month
        assert len(boroughs_of(street(DATA, month), lookup)) >= 25, month
    test_set = settings.DATA_DIR / "test" / "police-uk"
    assert boroughs_of(street(test_set, "2017-07"), lookup) == {"E09000005", "E09000014", "E09000022", "E09000025"}
    size = sum(p.stat().st_size for top in ("demo", "test") for p in (settings.DATA_DIR / top).rglob("*")
               if p.is_file())
    assert size < SIZE_BUDGET, f"the bundled data is {size / 1e6:.1f} MB"


@pytest.mark.shared_data
def test_every_shipped_month_covers_every_borough_the_shared_met_data_covers():
    """Boroughs with data in the demo, month by month, are the boroughs the full shared files cover: none left out,
    and none added from the few stray rows the shared files hold on the edges of the seven boroughs they miss."""
    lookup = lsoa_boroughs()
    for month in MONTHS:
        shared = SHARED / "crime" / "police-uk" / month / f"{month}-metropolitan-street.csv.gz"
        if not shared.exists():
            pytest.skip(f"needs the full shared data at {shared}")
        assert boroughs_of(street(DATA, month), lookup) == boroughs_of(shared, lookup, COVERED_SHARE), month


def test_the_markings_rules_choose_disjoint_reproducible_shares():
    bands = markings.bands()
    for crime_type, ranges in bands.items():
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False)), crime_type
        assert ranges[-1][1] < 0.2, crime_type  # a few percent, never most of a crime type
    assert {rule.unit for rule in markings.RULES} >= {"sapphire", "csu", "rvctf"}
    assert markings.position("abc") == markings.position("abc") and 0 <= markings.position("abc") < 1
    assert markings.chosen_rule(markings.VIOLENCE, "") is None  # anti-social behaviour: no Crime ID, never chosen
    ids = [f"{i:064x}" for i in range(20_000)]
    chosen = Counter(getattr(markings.chosen_rule(markings.VIOLENCE, i), "unit", None) for i in ids)
    assert abs(chosen["sapphire"] / len(ids) - 0.03) < 0.006 and abs(chosen["csu"] / len(ids) - 0.05) < 0.008


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """Every eighth row of each of the latest bundled month's files, in the bulk-download layout."""
    folder = tmp_path_factory.mktemp("demo-sample")
    for path in sorted((DATA / LATEST).glob("*.csv.gz")):
        header, rows = read_rows(path)
        write_csv(folder / LATEST / path.name, header, rows[::8])
    return folder


def state() -> dict:
    """What a load may change, counted."""
    return {
        "crimes": Crime.objects.count(), "outcomes": Outcome.objects.count(),
        "searches": StopSearch.objects.count(),
        "markings": Counter(Crime.objects.values_list("owner_unit_id", "sensitivity", "descriptors")),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "memberships": Membership.objects.count(), "roles": RoleAssignment.objects.count(),
        "grants": list(AccessGrant.objects.values_list("pk", "user__username", "object_id", "approved_at",
                                                       "revoked_at", "expires_at")),
        "audit": AuditEntry.objects.count(),
        "people": sorted(Person.objects.values_list("source_id", "given_name", "surname", "owner_unit_id")),
        "crime roles": CrimeRole.objects.count(), "flags": Flag.objects.count(), "links": PersonLink.objects.count(),
        "reports": sorted(Report.objects.values_list("reference", "state", "text")),
        "disseminations": Dissemination.objects.count(), "proposals": LinkProposal.objects.count(),
    }


def _load(folder: Path):
    with acting_as("demo:setup"):
        return load_demo(folder, actor="demo:setup")


def _more_people():
    """The small seeded version: the sample holds an eighth of one month, so people go to ten times the share."""
    from vcdhub.demo import people as demo_people

    return {k: min(1.0, 10 * v) for k, v in demo_people.SHARES.items()}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, sample, tmp_path_factory):
    """The sample loaded once for the module's tests, by the command `make demo` runs (a load takes 7 s on SQLite,
    17 s on PostgreSQL), in a transaction rolled back at the module's end. Gives what the load made and what the
    command printed."""
    from tests.conftest import constraints_checked_now, kept_for_the_module
    from vcdhub.demo import people as demo_people
    from vcdhub.demo.management.commands import demo as command

    made = []

    def load_and_keep(*args, **kwargs):
        made.append(load_demo(*args, **kwargs))
        return made[-1]

    key = tmp_path_factory.mktemp("demo-key") / "demo-key.pem"
    output = io.StringIO()
    with kept_for_the_module(django_db_blocker):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(demo_people, "SHARES", _more_people())
            patch.setattr(command, "load_demo", load_and_keep)
            patch.setattr(settings, "VCDHUB_AUDIT_SIGNING_KEY", str(key))
            call_command("demo", "load", "--data", str(sample), stdout=output)
        constraints_checked_now()
        [result] = made
        result.printed, result.signing_key = output.getvalue(), key
        yield result


@pytest.mark.django_db
def test_the_command_reports_what_it_loaded(loaded):
    # `make demo` runs only this command: it migrates and makes the audit chain's signing key itself.
    out, key = loaded.printed, loaded.signing_key
    assert key.exists() and key.with_name("demo-key.pem.pub").exists()
    assert "signing key" in out and str(key) in out
    assert "Marked OFFICIAL-SENSITIVE" in out and "Access request waiting for a supervisor" in out
    assert "Fictitious people" in out and "Fictitious intelligence" in out
    assert ", ".join(u for u, *_ in USERS) in out


@pytest.mark.django_db
def test_the_demo_load_covers_london(loaded):
    result = loaded
    assert result.imported.totals()["files_rejected"] == 0
    covered = set(Crime.objects.exclude(borough=None).values_list("borough__code", flat=True).distinct())
    assert covered == boroughs_of(street(DATA, LATEST), lsoa_boroughs())
    assert len(covered) >= 25
    shared = SHARED / "crime" / "police-uk" / LATEST / f"{LATEST}-metropolitan-street.csv.gz"
    if shared.exists():
        assert covered >= boroughs_of(shared, lsoa_boroughs(), COVERED_SHARE)


@pytest.mark.django_db
def test_the_demo_holds_official_sensitive_records_of_several_units_and_a_waiting_request(loaded):
    result = loaded
    sensitive = Crime.objects.filter(sensitivity="OFFICIAL-SENSITIVE")
    by_unit = Counter(sensitive.values_list("owner_unit_id", flat=True))
    assert set(by_unit) == {"sapphire", "csu", "rvctf"} and by_unit == Counter(result.marked)
    share = sensitive.count() / Crime.objects.count()
    assert 0.005 < share < 0.05, f"{share:.2%} of the records are OFFICIAL-SENSITIVE"
    violence = Crime.objects.filter(crime_type=markings.VIOLENCE, reported_by=markings.FORCE)
    for unit, nominal in (("sapphire", 0.03), ("csu", 0.05)):
        got = violence.filter(owner_unit_id=unit).count() / violence.count()
        assert abs(got - nominal) < 0.015, (unit, got)
    assert not sensitive.exclude(reported_by=markings.FORCE).exists()  # other forces' records are not the Met's
    assert set(sensitive.values_list("descriptors", flat=True)) == {"PERSONAL", "OPERATIONAL"}
    # Need-to-know, visible in the demo: the CSU investigator sees the CSU's records, the directorate's analyst not.
    analyst, investigator = make_persona("vcd_analyst"), make_persona("csu_investigator")
    assert not Crime.objects.restrict(analyst).filter(sensitivity="OFFICIAL-SENSITIVE").exists()
    assert Crime.objects.restrict(investigator).filter(owner_unit_id="csu").count() == by_unit["csu"]
    assert not Crime.objects.restrict(investigator).filter(owner_unit_id="sapphire").exists()
    # One request waits for a supervisor: the Lambeth analyst's, for a CSU record in Lambeth.
    grant = AccessGrant.objects.get()
    assert grant == result.request and grant.user.username == REQUESTER and grant.status == "waiting for a supervisor"
    record = Crime.objects.get(pk=grant.object_id)
    assert (record.owner_unit_id, record.borough.code) == ("csu", "E09000022")


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing(loaded, sample, monkeypatch):
    from vcdhub.demo import people as demo_people

    monkeypatch.setattr(demo_people, "SHARES", _more_people())  # as `loaded` was made
    before = state()
    again = _load(sample)
    assert again.imported.totals()["files_unchanged"] == len(list(sample.rglob("*.csv.gz")))
    assert (again.marked, again.users_created, again.request) == ({}, 0, None)
    assert state() == before


@pytest.mark.django_db
def test_the_demo_people_are_fictitious_tied_to_real_crimes_and_shaped_like_real_records(loaded, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from vcdhub.demo import people as demo_people

    monkeypatch.setattr(demo_people, "SHARES", _more_people())  # as `loaded` was made, for the seeded rebuild
    result = loaded
    assert result.people["people"] == Person.objects.exclude(source_id__startswith="DEMO-MIS-").count() > 500
    assert not Person.objects.filter(fictitious=False).exists()
    refs = set(CrimeRole.objects.values_list("crime_ref", flat=True))
    # Real, violent crimes (police.uk gives a few Crime IDs to more than one row: one of them is violent).
    violent = set(Crime.objects.filter(crime_id__in=refs, crime_type__in=demo_people.SHARES)
                  .values_list("crime_id", flat=True))
    assert violent == refs
    suspected = Counter(CrimeRole.objects.filter(role__in=["suspect", "charged", "convicted"])
                        .values_list("person_id", flat=True))
    assert max(suspected.values()) >= 3 and Counter(suspected.values())[1] > len(suspected) / 3  # a heavy tail
    assert CrimeRole.objects.filter(role="victim").values("person").annotate(n=Count("pk")).filter(n__gt=1).exists()
    dyads = PersonLink.objects.filter(kind__in=["partner", "ex_partner"])
    assert dyads.exists() and set(dyads.values_list("owner_unit_id", flat=True)) == {"csu"}
    assert PersonLink.objects.filter(kind="co_offender").exists()
    twice = Person.objects.filter(source_id__endswith="D")  # a second unit's record of the same person
    assert 0.02 < twice.count() / Person.objects.count() < 0.12
    assert len(set(twice.values_list("owner_unit_id", flat=True))) > 1
    today = timezone.localdate()
    assert Flag.objects.filter(review_on__lt=today).exists() and Flag.objects.filter(review_on__gte=today).exists()
    assert not Flag.objects.filter(flagged_on__gt=today).exists()
    assert not Flag.objects.filter(flagged_on__lt=today - dt.timedelta(days=800)).exists()
    # Seeded: the same crimes give the same people.
    chosen = demo_people.chosen_crimes()
    first, second = demo_people.build(chosen, today), demo_people.build(chosen, today)
    assert [(p.source_id, p.given_name, p.surname) for p in first.people] == [
        (p.source_id, p.given_name, p.surname) for p in second.people]
    # Need-to-know: the CSU's people are the CSU's.
    analyst = make_persona("vcd_analyst")
    assert not Person.objects.restrict(analyst).filter(owner_unit_id="csu").exists()


@pytest.mark.django_db
def test_the_demo_intelligence_is_graded_shared_by_the_rules_and_sliced_by_unit(loaded):
    from vcdhub.demo import intel as demo_intel
    from vcdhub.intel.actions import grade_errors
    from vcdhub.intel.models import ReportStep, SharedReport
    from vcdhub.platform import fulltext

    result = loaded
    reports = Report.objects.all()
    assert result.intel["reports"] == reports.count() == demo_intel.REPORTS
    assert not reports.filter(fictitious=False).exists()
    graded = reports.exclude(state__in=["submitted", "reviewed"])
    for report in graded:
        assert not grade_errors(report.grading_scheme, {"source_evaluation": report.source_evaluation,
                                                        "intelligence_assessment": report.intelligence_assessment,
                                                        "handling_code": report.handling_code},
                                report.handling_conditions), report.reference
    assert graded.filter(grading_scheme="5x5x5").exists() and graded.filter(handling_code="C").exists()
    assert reports.filter(state="submitted").exists() and reports.filter(state="disseminated").exists()
    # Only the sanitised version of a report that needs one ever went out; code 5 never went out.
    assert not Dissemination.objects.filter(report__needs_sanitising=True, version="original").exists()
    assert not Dissemination.objects.filter(report__grading_scheme="5x5x5", handling_code="5").exists()
    assert not SharedReport.objects.filter(dissemination__version="sanitised").exclude(
        text__in=Report.objects.values("sanitised_text")).exists()
    # Life cycles end where the report stands, dated back from the load, never in the future.
    for report in reports.order_by("?")[:50]:
        steps = list(ReportStep.objects.filter(report=report).order_by("at", "pk"))
        assert steps[0].step == "submit" and steps[-1].to_state == report.state
    assert not ReportStep.objects.filter(at__gt=timezone.now()).exists()
    # Each demo user sees a different slice; the searches find only that slice.
    users = {name: get_user_model().objects.get(username=name) for name in ("analyst", "csu", "intel", "compass")}
    seen = {name: set(Report.objects.restrict(user).values_list("pk", flat=True)) for name, user in users.items()}
    assert seen["csu"] == seen["intel"] and seen["csu"] and seen["analyst"] and not seen["csu"] & seen["analyst"]
    assert not seen["compass"] and SharedReport.objects.restrict(users["compass"]).exists()
    assert set(fulltext.matching(Report.objects.restrict(users["csu"]), "said").values_list("pk", flat=True)) \
        <= seen["csu"]
    assert LinkProposal.objects.exists() and result.intel["link proposals"] == LinkProposal.objects.count()


@pytest.mark.django_db
def test_the_demo_missing_persons_are_fictitious_histories_with_repeats_forms_and_a_long_tail(loaded):
    """Repeat episodes from placements that propose referrals, Herbert forms for older adults with dementia,
    long-term missing adults, and durations with a long tail (demo.missing)."""
    import statistics

    from vcdhub.casework.models import Case
    from vcdhub.demo.missing import PREFIX
    from vcdhub.missing.models import Episode, Proposal, ProtocolForm

    made = loaded.missing
    people = Person.objects.filter(source_id__startswith=PREFIX)
    assert people.count() == made["people"] and all(p.fictitious for p in people)
    cases = Case.objects.filter(kind="missing")
    assert cases.count() == made["episodes"] and all(c.fictitious for c in cases)
    assert ProtocolForm.objects.filter(kind="herbert").count() == made["herbert forms"] > 0
    assert Proposal.objects.exists()  # looked-after children's repeat episodes
    assert Episode.objects.exclude(placement_key="").values("placement_key").distinct().count() == 4
    still = cases.filter(state="missing")
    assert still.count() == made["still missing"]
    long_term = [c for c in still if (timezone.now() - c.missing_episode.last_seen_at).days > 90]
    assert len(long_term) >= 5
    hours = [(e.found_at - e.last_seen_at).total_seconds() / 3600
             for e in Episode.objects.exclude(found_at=None)]
    assert statistics.mean(hours) > statistics.median(hours) * 1.2  # a long right tail
