"""The place analyses end to end: records in, stored and reproducible runs out, checked against independent
computations from the raw files (pandas, libpysal and esda called directly)."""

import io
import json
import math
import warnings

import esda
import numpy as np
import pandas as pd
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from libpysal.weights import fuzzy_contiguity
from numpy.testing import assert_allclose

from tests.conftest import read_rows, shared_data_or_skip, write_csv
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry
from vcdhub.geography.loader import BUNDLED_LOOKUP, BUNDLED_POPULATION
from vcdhub.geography.models import Ward
from vcdhub.ingest.pipeline import run_import
from vcdhub.places.actions import reproduce, run_analysis
from vcdhub.places.models import AnalysisRun
from vcdhub.places.prose import coverage_lines, summary_lines, title
from vcdhub.places.published import withhold

pytestmark = pytest.mark.django_db
LAMBETH = "E09000022"
ROBBERY = "Robbery"


def _months(first_year: int, last_year: int) -> list[str]:
    return [f"{y}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]


def _analyse(*args) -> dict:
    out = io.StringIO()
    call_command("analyse", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _ward_of() -> dict[str, str]:
    lookup = pd.read_csv(BUNDLED_LOOKUP, encoding="utf-8-sig", dtype=str)
    return dict(zip(lookup["LSOA11CD"], lookup["WD19CD"], strict=True))


def _raw_frame(paths) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths]
    return pd.concat(frames, ignore_index=True)


def test_a_run_stores_parameters_input_hash_and_code_version_and_reproduces(london, demo_file, tmp_path):
    assert run_import([demo_file(m, "metropolitan-street") for m in ("2017-06", "2017-07")], actor="test").ok
    with acting_as("test"):
        run = run_analysis("hotspots", crime_types=[ROBBERY], month_from="2017-06", month_to="2017-07",
                           level="ward", boroughs=[LAMBETH], actor="test", permutations=199, seed=None)
    assert run.parameters["seed"], "a seed is chosen and stored when none is given"
    assert run.parameters["boroughs"] == [LAMBETH] and run.parameters["permutations"] == 199
    assert len(run.input_sha256) == 64 and run.code_version.startswith("vcdhub ")
    assert run.libraries["esda"] != "absent"
    assert AuditEntry.objects.filter(action="analysis_run", object_id=str(run.pk)).exists()
    with acting_as("test"):
        again = reproduce(run, actor="test")
    assert again["same_input"] and again["same_result"], again
    # police.uk republishes the month without one Lambeth robbery: the run can no longer be reproduced, and
    # says why.
    header, rows = read_rows(demo_file("2017-07", "metropolitan-street"))
    ward_of = _ward_of()
    lambeth = set(Ward.objects.filter(borough__code=LAMBETH).values_list("code", flat=True))
    dropped = next(i for i, r in enumerate(rows) if r[9] == ROBBERY and ward_of.get(r[7]) in lambeth)
    republished = write_csv(tmp_path / "2017-07-metropolitan-street.csv", header, rows[:dropped] + rows[dropped + 1:])
    assert run_import([republished], actor="test").ok
    with acting_as("test"):
        changed = reproduce(run, actor="test")
    assert not changed["same_input"] and not changed["same_result"]
    with pytest.raises(CommandError) as caught:
        call_command("analyse", "reproduce", str(run.pk), stdout=io.StringIO())
    assert caught.value.returncode == 1


def test_hot_spots_equal_esda_on_independently_built_counts_and_weights(london, demo_file):
    months = ("2017-01", "2017-02", "2017-03")
    paths = [demo_file(m, "metropolitan-street") for m in months]
    assert run_import(paths, actor="test").ok
    result = _analyse("hotspots", "--crime-type", ROBBERY, "--from", months[0], "--to", months[-1], "--level",
                      "ward", "--borough", LAMBETH, "--permutations", "999", "--seed", "7")
    # Independently: counts from the raw files and the ONS lookup, weights from libpysal's own Queen builder.
    raw = _raw_frame(paths)
    raw["ward"] = raw["LSOA code"].map(_ward_of())
    wards = Ward.objects.filter(borough__code=LAMBETH).order_by("code")
    codes = [w.code for w in wards]
    counts = raw[raw["Crime type"] == ROBBERY].groupby("ward").size().reindex(codes, fill_value=0)
    assert [a["code"] for a in result["areas"]] == codes
    assert [a["count"] for a in result["areas"]] == counts.tolist()
    frame = pd.DataFrame({"code": codes})
    import geopandas

    gdf = geopandas.GeoDataFrame(frame, geometry=shapely.from_geojson([w.geometry for w in wards]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Neighbours share any boundary point (libpysal's older fuzzy_contiguity, not the code under test).
        w = fuzzy_contiguity(gdf, tolerance=0, buffering=False, ids=codes)
        w.transform = "B"
        direct = esda.G_Local(counts.to_numpy().astype(float), w, star=True, permutations=999, seed=7,
                              transform="B")
    assert_allclose([a["detail"]["z"] for a in result["areas"]], direct.Zs, rtol=1e-10)
    labels = {a["class"] for a in result["areas"]}
    assert labels <= {item["class"] for item in result["legend"]}
    assert sum(item["areas"] for item in result["legend"]) == len(codes)
    assert result["summary"]["fdr"]["method"] == "Benjamini-Hochberg"


def _robbery_history(tmp_path, demo_file, spike_ward: str | None, extra: int = 40, silent: bool = False):
    """Two years of real Lambeth robbery rows; optionally `extra` copies of a real robbery in one ward in the
    last month (an injected spike), and with `silent` none of that ward's own robberies before it."""
    header, _ = read_rows(demo_file("2017-12", "metropolitan-street"))
    ward_of = _ward_of()
    paths = []
    model = None
    for month in _months(2016, 2017):
        _, rows = read_rows(demo_file(month, "metropolitan-street"))
        rows = [r for r in rows if r[9] == ROBBERY or r[9] == "Burglary"]
        if spike_ward:
            model = model or next((r for r in rows if ward_of.get(r[7]) == spike_ward and r[9] == ROBBERY), None)
            if silent:
                rows = [r for r in rows if not (ward_of.get(r[7]) == spike_ward and r[9] == ROBBERY)]
        if month == "2017-12" and spike_ward:
            rows += [[f"spike{i:03d}", month, *model[2:]] for i in range(extra)]
        paths.append(write_csv(tmp_path / month / f"{month}-metropolitan-street.csv", header, rows))
    assert run_import(paths, actor="test").ok


def test_an_injected_robbery_spike_raises_an_alert_for_that_ward(london, tmp_path, demo_file):
    spike = "E05000416"  # Bishop's, Lambeth
    _robbery_history(tmp_path, demo_file, spike)
    result = _analyse("alerts", "--crime-type", ROBBERY, "--month", "2017-12", "--level", "ward", "--borough",
                      LAMBETH, "--min-history-years", "1")
    alerts = [a["code"] for a in result["alerts"]]
    assert spike in alerts
    row = next(a for a in result["areas"] if a["code"] == spike)
    assert row["detail"]["observed"] >= 40 and row["detail"]["p_adjusted"] < 0.05
    assert result["from"] == "2016-01", "the history starts where the data does, not five years back"


def test_a_ward_that_goes_from_no_robbery_to_sixteen_is_new_activity_not_greyed_out(london, tmp_path, demo_file):
    jump = "E05000416"  # Bishop's, Lambeth: its real robberies taken out of both years, then 16 in 2017-12
    _robbery_history(tmp_path, demo_file, jump, extra=16, silent=True)
    result = _analyse("alerts", "--crime-type", ROBBERY, "--month", "2017-12", "--level", "ward", "--borough",
                      LAMBETH, "--min-history-years", "1")
    row = next(a for a in result["areas"] if a["code"] == jump)
    assert (row["count"], row["class"]) == (16, "new activity")
    assert row["detail"]["expected"] == 0 and row["detail"]["observed"] == 16
    # By hand: P(X >= 16) for X ~ Poisson(1), the floor, is e^-1 (1/16! + 1/17! + ...); it is the smallest p of
    # the quiet wards tested for new activity, so its adjusted p is p times their number.
    p = math.fsum(math.exp(-1) / math.factorial(k) for k in range(16, 60))
    tested = [a for a in result["areas"] if a["class"] in ("new activity", "not assessed")
              and a["detail"]["p"] is not None]
    assert row["detail"]["p"] == pytest.approx(p, rel=1e-9)
    assert row["detail"]["p_adjusted"] == pytest.approx(p * len(tested), rel=1e-9)
    assert row["detail"]["reason"].startswith("new activity: 16 crimes in 2017-12 against 0.00 expected")
    assert result["summary"]["new_activity"] == [jump] and jump not in [a["code"] for a in result["alerts"]]
    legend = {item["class"]: item for item in result["legend"]}
    assert legend["new activity"]["areas"] == 1 and legend["new activity"]["colour"] not in (
        legend["not assessed"]["colour"], legend["alert"]["colour"], legend["no alert"]["colour"])
    run = AnalysisRun.objects.get(pk=result["run"])
    lines = summary_lines(withhold(run.result, None))
    assert ("1 ward with new activity: fewer than 1 crime expected, too few to assess against, but 5 or more in "
            "2017-12, beyond chance even against 1 crime or the ward's average month, whichever is more.") in lines


def test_the_real_series_without_a_spike_raises_no_alert_for_that_ward(london, tmp_path, demo_file):
    _robbery_history(tmp_path, demo_file, None)
    result = _analyse("alerts", "--crime-type", ROBBERY, "--month", "2017-12", "--level", "ward", "--borough",
                      LAMBETH, "--min-history-years", "1")
    assert "E05000416" not in [a["code"] for a in result["alerts"]]
    assert sum(item["areas"] for item in result["legend"]) == len(result["areas"])


def test_alerts_for_a_month_without_data_are_refused(london, demo_file):
    assert run_import([demo_file("2017-06", "metropolitan-street")], actor="test").ok
    with pytest.raises(CommandError) as caught:
        _analyse("alerts", "--crime-type", ROBBERY, "--month", "2017-09", "--borough", LAMBETH)
    assert caught.value.returncode == 2 and AnalysisRun.objects.count() == 0


def test_concentration_writes_its_lorenz_curve(london, demo_file, tmp_path):
    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok
    out = tmp_path / "lorenz.svg"
    result = _analyse("concentration", "--crime-type", ROBBERY, "--from", "2017-07", "--to", "2017-07",
                      "--borough", LAMBETH, "--lorenz", str(out))
    svg = out.read_text()
    assert svg.startswith("<svg") and f"Gini {result['gini']:.3f}" in svg and "lorenz-curve" in svg


def test_most_challenged_uses_rates_from_summed_lsoa_population(london, demo_file):
    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok
    result = _analyse("challenged", "--crime-type", "Violence and sexual offences", "--from", "2017-07", "--to",
                      "2017-07", "--level", "ward", "--borough", LAMBETH, "--top", "5")
    population = pd.read_csv(BUNDLED_POPULATION, dtype={"LSOA11CD": str, "Persons_All-Ages": int})
    population["ward"] = population["LSOA11CD"].map(_ward_of())
    by_ward = population.groupby("ward")["Persons_All-Ages"].sum()
    top = [a for a in result["areas"] if a["class"] == "most challenged"]
    assert len(top) == 5
    for area in top:
        assert area["detail"]["population"] == by_ward[area["code"]]
        assert area["detail"]["rate"] == pytest.approx(area["count"] / by_ward[area["code"]] * 1000)
        assert area["detail"]["reason"]
    assert result["summary"]["weights"] == {"count": 0.5, "rate": 0.5}


@pytest.mark.parametrize("args", [
    ["hotspots", "--crime-type", "Jaywalking", "--from", "2017-01", "--to", "2017-02"],
    ["hotspots", "--crime-type", ROBBERY, "--from", "2017-03", "--to", "2017-02"],
    ["hotspots", "--crime-type", ROBBERY, "--from", "2017-01", "--to", "2017-02", "--permutations", "10"],
    ["concentration", "--crime-type", ROBBERY, "--from", "2017-01", "--to", "2017-02", "--share", "0"],
    ["alerts", "--crime-type", ROBBERY, "--month", "2017-13"],
])
def test_bad_arguments_are_usage_errors_and_store_nothing(london, demo_file, args):
    assert run_import([demo_file("2017-01", "metropolitan-street")], actor="test").ok
    with pytest.raises(CommandError) as caught:
        call_command("analyse", *args, stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert AnalysisRun.objects.count() == 0


@pytest.mark.shared_data
def test_concentration_on_full_met_data_equals_an_independent_pandas_computation(london):
    months = ("2017-05", "2017-06", "2017-07")
    paths = [shared_data_or_skip("crime", "police-uk", m, f"{m}-metropolitan-street.csv.gz") for m in months]
    assert run_import(paths, actor="test").ok
    violence = "Violence and sexual offences"
    result = _analyse("concentration", "--crime-type", violence, "--from", months[0], "--to", months[-1],
                      "--level", "ward", "--share", "0.2")
    raw = _raw_frame(paths)
    raw["ward"] = raw["LSOA code"].map(_ward_of())
    raw["borough"] = raw["LSOA code"].map(
        pd.read_csv(BUNDLED_LOOKUP, encoding="utf-8-sig", dtype=str).set_index("LSOA11CD")["LAD19CD"])
    boroughs = set(raw["borough"].dropna())  # every borough the data covers
    lookup = pd.read_csv(BUNDLED_LOOKUP, encoding="utf-8-sig", dtype=str)
    wards = sorted(set(lookup.loc[lookup["LAD19CD"].isin(boroughs), "WD19CD"]))
    counts = raw[raw["Crime type"] == violence].groupby("ward").size().reindex(wards, fill_value=0)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    cumulative = np.cumsum([n for _, n in ranked]) / counts.sum()
    needed = int(np.searchsorted(cumulative, 0.2 - 1e-12) + 1)
    assert result["total"] == counts.sum()
    assert result["unplaced"] == int(((raw["Crime type"] == violence) & raw["ward"].isna()).sum())
    assert result["areas_needed"] == needed
    assert [(a["code"], a["count"]) for a in result["areas"]] == [(c, int(n)) for c, n in ranked[:needed]]
    assert_allclose([a["cumulative_share"] for a in result["areas"]], cumulative[:needed])


def test_a_borough_month_without_data_is_left_out_of_that_boroughs_baseline(london, demo_file):
    # In the bundled demo files, 2016-03 holds Brent's crimes only: Lambeth has no data that month.
    months = [m for m in _months(2016, 2017) if m <= "2017-03"]
    assert run_import([demo_file(m, "metropolitan-street") for m in months], actor="test").ok
    lambeth_ids = set(Ward.objects.filter(borough__code=LAMBETH).values_list("id", flat=True))
    from vcdhub.crime.models import Crime

    assert not Crime.objects.filter(month="2016-03-01", ward_id__in=lambeth_ids).exists()
    assert Crime.objects.filter(month="2016-03-01", borough__code="E09000005").exists()
    result = _analyse("alerts", "--crime-type", "Violence and sexual offences", "--month", "2017-03", "--level",
                      "borough", "--borough", "Lambeth", "--borough", "brent", "--min-history-years", "1")
    by_code = {a["code"]: a for a in result["areas"]}
    assert by_code[LAMBETH]["class"] == "not assessed", "a month without data must not be a zero baseline"
    # Not "expected count 0.00", which is what counting the missing month as zero gives.
    assert "only 0 earlier March" in by_code[LAMBETH]["detail"]["reason"], by_code[LAMBETH]["detail"]["reason"]
    assert by_code["E09000005"]["class"] in {"alert", "no alert"}
    assert [LAMBETH, "2016-03"] in result["borough_months_without_data"]
    assert result["summary"]["not_assessed"] == 1


@pytest.mark.parametrize("args,message", [
    (["--level", "borough"], "share a boundary"),
    (["--borough", "Lambth"], "Unknown borough: Lambth"),
    (["--borough", "E09000001"], "no crimes"),  # the City of London: no Met data at all
])
def test_unanswerable_requests_are_clear_usage_errors(london, demo_file, args, message):
    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok
    with pytest.raises(CommandError, match=message) as caught:
        call_command("analyse", "hotspots", "--crime-type", ROBBERY, "--from", "2017-07", "--to", "2017-07", *args,
                     stdout=io.StringIO())
    assert caught.value.returncode == 2 and AnalysisRun.objects.count() == 0


def test_the_command_prints_the_pages_sentences_then_its_table_and_how_the_run_was_stored(london, demo_file):
    # 2016-03 holds Brent's crimes only: Lambeth's missing month is a coverage warning.
    assert run_import([demo_file(m, "metropolitan-street") for m in ("2016-02", "2016-03", "2016-04")],
                      actor="test").ok
    out = io.StringIO()
    call_command("analyse", "hotspots", "--crime-type", ROBBERY, "--from", "2016-02", "--to", "2016-04",
                 "--borough", "Lambeth", "--borough", "Brent", "--permutations", "99", "--seed", "5", stdout=out)
    text = " ".join(out.getvalue().split())  # the console wraps long sentences
    run = AnalysisRun.objects.get()
    result = withhold(run.result, None)
    for line in [title(run, result), *summary_lines(result)]:
        assert " ".join(line.split()) in text
    for warning in coverage_lines(result):
        assert "Note: " + " ".join(warning.split()) in text
    assert "Lambeth in 2016-03" in text
    raw = run.result
    assert (f"{raw['total']:,} crimes placed in the {len(raw['areas'])} wards analysed; "
            f"{raw['unplaced']:,} in no known area; {raw['outside']:,} outside the areas analysed.") in text
    assert "Areas: 42 wards in Brent, Lambeth." in text and "┃ Code" in text
    assert text.endswith(f"Stored as run {run.pk}; input sha256 {run.input_sha256[:16]}; {run.code_version}; seed 5.")
