"""The differencing attacks of issue 10, run against the counts API as an authority member (an aggregate-only
reader). With small cells only withheld, each recovered every withheld count exactly; with cell key
perturbation, the attacker's answer is wrong far more often than right, and nothing tells them which."""

import re

import numpy as np
import pytest
from django.utils import timezone

from tests.conftest import make_persona
from tests.kit import client_for
from vcdhub.audit.context import acting_as
from vcdhub.crime.counts import count_by_area, counted_crimes, protect_counts
from vcdhub.crime.models import Crime, ImportBatch
from vcdhub.geography.models import Lsoa
from vcdhub.platform.disclosure import Disclosure

pytestmark = pytest.mark.django_db
WEAPONS, VIOLENCE = "Possession of weapons", "Violence and sexual offences"
BOROUGHS = ["E09000022", "E09000028", "E09000033"]  # Lambeth, Southwark, Westminster


@pytest.fixture
def counts_by_ward(london):
    """Crimes in every ward of three boroughs: weapons counts small (1 to 4: withheld), violence larger, in two
    months. Record keys from a seeded generator, so the test is repeatable."""
    rng = np.random.default_rng(20261129)
    now = timezone.now()
    crimes, truth = [], {}
    with acting_as("test:setup"):
        batch = ImportBatch.objects.create(sha256="a" * 64, file_name="f.csv", source="test", kind="street",
                                           force="Metropolitan Police Service", month="2017-06-01", rows=0,
                                           imported_by="test", started_at=now, finished_at=now)
        lsoas = {}
        for lsoa in Lsoa.objects.filter(borough__code__in=BOROUGHS).select_related("ward").order_by("code"):
            lsoas.setdefault(lsoa.ward.code, lsoa)
        for ward, lsoa in lsoas.items():
            for month in ("2017-06-01", "2017-07-01"):
                for crime_type, n in ((WEAPONS, int(rng.integers(1, 5))), (VIOLENCE, int(rng.integers(20, 60)))):
                    truth[(ward, month, crime_type)] = n
                    crimes += [Crime(month=month, crime_type=crime_type, reported_by="Metropolitan Police Service",
                                     falls_within="Metropolitan Police Service", batch=batch, lsoa_id=lsoa.id,
                                     ward_id=lsoa.ward_id, borough_id=lsoa.borough_id,
                                     record_key=int(rng.integers(0, 256))) for _ in range(n)]
        Crime.objects.bulk_create(crimes)
    return truth


def _api(client, **params) -> dict:
    query = [("level", params.pop("level", "ward")), *[("borough", b) for b in BOROUGHS]]
    for key, value in params.items():
        query += [(key, v) for v in (value if isinstance(value, list) else [value])]
    response = client.get("/api/crimes/counts/", query)
    assert response.status_code == 200, response.content
    return response.json()


def _true(truth, ward, months, types) -> int:
    return sum(truth[(ward, m, t)] for m in months for t in types)


def _rate(recovered: dict, actual: dict) -> float:
    return sum(recovered[w] == actual[w] for w in recovered) / len(recovered)


def test_x_plus_y_minus_y_no_longer_gives_back_the_withheld_cells_of_x(counts_by_ward):
    truth = counts_by_ward
    client = client_for(make_persona("authority_member"))
    month = {"month_from": "2017-07", "month_to": "2017-07"}
    x = _api(client, crime_type=WEAPONS, **month)
    y = _api(client, crime_type=VIOLENCE, **month)
    both = _api(client, crime_type=[WEAPONS, VIOLENCE], **month)
    assert x["perturbed"] and x["suppressed_below"] == 5
    withheld = [ward for ward, n in x["counts"].items() if n is None]
    assert len(withheld) > 30  # most weapons cells are small, and withheld
    recovered = {w: both["counts"][w] - y["counts"][w] for w in withheld}
    actual = {w: _true(truth, w, ["2017-07-01"], [WEAPONS]) for w in withheld}
    assert _rate(recovered, actual) < 0.5
    # Asking again gives the same figures (no fresh noise to average away).
    assert _api(client, crime_type=[WEAPONS, VIOLENCE], **month) == both


def test_two_month_windows_do_not_give_back_one_months_withheld_cells(counts_by_ward):
    truth = counts_by_ward
    client = client_for(make_persona("authority_member"))
    two = _api(client, crime_type=VIOLENCE, month_from="2017-06", month_to="2017-07")
    one = _api(client, crime_type=VIOLENCE, month_from="2017-06", month_to="2017-06")
    wards = list(two["counts"])
    recovered = {w: two["counts"][w] - one["counts"][w] for w in wards}
    actual = {w: _true(truth, w, ["2017-07-01"], [VIOLENCE]) for w in wards}
    assert _rate(recovered, actual) < 0.5
    assert all(abs(recovered[w] - actual[w]) <= 4 for w in wards)  # the noise is bounded, as configured


def test_a_borough_total_less_its_wards_shown_does_not_give_back_the_withheld_wards(counts_by_ward):
    truth = counts_by_ward
    client = client_for(make_persona("authority_member"))
    misses = []
    for borough in BOROUGHS:
        for month in ("2017-06", "2017-07"):
            answer = client.get("/api/crimes/counts/", {"level": "ward", "borough": borough, "crime_type": WEAPONS,
                                                        "month_from": month, "month_to": month}).json()
            assert answer["total"] is not None  # a perturbed total is a cell of its own: shown, not withheld
            withheld = [w for w, n in answer["counts"].items() if n is None]
            recovered = answer["total"] - sum(n for n in answer["counts"].values() if n is not None)
            misses.append(recovered != sum(truth[(w, f"{month}-01", WEAPONS)] for w in withheld))
    assert sum(misses) >= len(misses) // 2


def test_without_perturbation_the_same_attack_recovers_every_withheld_cell(counts_by_ward):
    """The control: the old rule (withholding only) fails the first attack completely, so the tests above
    can tell a protected table from an unprotected one."""
    truth = counts_by_ward
    user = make_persona("authority_member")
    withholding_only = Disclosure(5)

    def ward_counts(types):
        params = {"month_from": "2017-07", "month_to": "2017-07", "crime_type": types, "borough": BOROUGHS}
        return protect_counts(count_by_area(counted_crimes(user, params)[1], "ward"), withholding_only).by_code

    x, y, both = ward_counts([WEAPONS]), ward_counts([VIOLENCE]), ward_counts([WEAPONS, VIOLENCE])
    withheld = [w for w, n in x.items() if n is None]
    recovered = {w: both[w] - y[w] for w in withheld}
    assert _rate(recovered, {w: _true(truth, w, ["2017-07-01"], [WEAPONS]) for w in withheld}) == 1.0


def test_readers_of_records_get_exact_counts_and_no_perturbation(counts_by_ward):
    truth = counts_by_ward
    answer = _api(client_for(make_persona("vcd_analyst")), crime_type=WEAPONS, month_from="2017-07",
                  month_to="2017-07")
    assert answer["perturbed"] is False and answer["suppressed_below"] is None
    assert answer["counts"] == {w: truth[(w, "2017-07-01", WEAPONS)] for w in answer["counts"]}


# --- three place runs ------------------------------------------------------------------------------------------------

def _place_run(client, types: list[str]) -> dict:
    """Ask for a concentration run as the signed-in user (the web form queues a job; run it as a worker
    would), and read its counts by ward from the GeoJSON download."""
    from vcdhub.platform.jobs import run_pending_jobs
    from vcdhub.platform.models import Job

    response = client.post("/places/", {"kind": "concentration", "crime_type": types, "month_from": "2017-07",
                                        "month_to": "2017-07", "level": "ward", "boroughs": BOROUGHS})
    assert response.status_code == 302, response.content
    run_pending_jobs()
    job = Job.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert job.status == "done", job.error + job.traceback
    data = client.get(job.result_url.rstrip("/") + "/download.geojson").json()
    return {f["properties"]["code"]: f["properties"]["count"] for f in data["features"]}


def test_three_place_runs_do_not_give_back_the_withheld_wards_of_one(counts_by_ward):
    truth = counts_by_ward
    client = client_for(make_persona("authority_member"))
    x = _place_run(client, [WEAPONS])
    y = _place_run(client, [VIOLENCE])
    both = _place_run(client, [WEAPONS, VIOLENCE])
    withheld = [ward for ward, n in x.items() if n is None]
    assert len(withheld) > 30
    recovered = {w: both[w] - y[w] for w in withheld}
    assert _rate(recovered, {w: _true(truth, w, ["2017-07-01"], [WEAPONS]) for w in withheld}) < 0.5


def test_an_aggregate_only_reader_cannot_open_a_run_computed_from_exact_counts(counts_by_ward):
    """An analyst's run holds exact counts: differenced against another, its shown cells would give the
    withheld ones back; the refusal is on the audit chain."""
    from vcdhub.audit.models import AuditEntry, EntryKind
    from vcdhub.places.models import AnalysisRun

    truth = counts_by_ward
    exact = _place_run(client_for(make_persona("vcd_analyst")), [WEAPONS, VIOLENCE])
    assert exact == {w: _true(truth, w, ["2017-07-01"], [WEAPONS, VIOLENCE]) for w in exact}
    run = AnalysisRun.objects.get(perturbed=False)
    member = client_for(make_persona("authority_member"))
    for path in ("", "table/", "download.csv", "download.geojson", "download.png", f"areas/{next(iter(exact))}/"):
        assert member.get(f"/places/runs/{run.pk}/{path}").status_code == 403, path
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_id=f"/places/runs/{run.pk}/").exists()


def test_without_perturbation_three_place_runs_recover_every_withheld_ward(counts_by_ward, monkeypatch):
    """The control for the place runs: withholding alone loses every withheld ward to X+Y minus Y."""
    monkeypatch.setattr(Disclosure, "perturbs", property(lambda self: False))
    client = client_for(make_persona("authority_member"))
    x, y, both = (_place_run(client, types) for types in ([WEAPONS], [VIOLENCE], [WEAPONS, VIOLENCE]))
    withheld = [ward for ward, n in x.items() if n is None]
    recovered = {w: both[w] - y[w] for w in withheld}
    assert _rate(recovered, {w: _true(counts_by_ward, w, ["2017-07-01"], [WEAPONS]) for w in withheld}) == 1.0


def test_the_home_page_count_is_perturbed_for_an_aggregate_only_reader(counts_by_ward):
    from vcdhub.platform.disclosure import perturbation_table
    from vcdhub.stats.perturbation import CellKeyPerturbation

    crimes = Crime.objects.all()
    exact = crimes.count()
    key_sum = sum(crimes.values_list("record_key", flat=True))
    expected = int(CellKeyPerturbation(perturbation_table()).fit([exact], [key_sum]).perturbed_[0])
    page = client_for(make_persona("authority_member")).get("/")
    assert page.context["crimes"] == expected
    assert re.search(rf"{expected:,} crime records\s+loaded, up to \d{{4}}-\d{{2}} \(to protect individuals",
                     page.content.decode())
    assert client_for(make_persona("vcd_analyst")).get("/").context["crimes"] == exact
