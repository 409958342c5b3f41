"""Performance indicators on constructed data with hand-computed answers, and on real data against an
independent computation from the raw files."""

import csv
import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from numpy.testing import assert_allclose
from scipy import stats as sps

from tests.conftest import shared_data_or_skip
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import
from vcdhub.performance.engine import evaluate_all, parse_period
from vcdhub.performance.indicators import TargetsFileError, parse_targets

pytestmark = pytest.mark.django_db


TARGETS = """
[area_sets]
"lambeth only" = ["Lambeth"]

[[indicator]]
name = "Robbery"
kind = "reduction"
crime_types = ["Robbery"]
target = 7.0

[[indicator]]
name = "Robbery in Lambeth"
kind = "reduction"
crime_types = ["Robbery"]
areas = "lambeth only"
target = 7.0

[[indicator]]
name = "Burglary SD rate"
kind = "rate"
crime_types = ["Burglary"]
outcomes = "sanction-detection"
target = {target}

[[indicator]]
name = "Knife crime"
kind = "reduction"
crime_types = ["Robbery"]
flags = ["knife_enabled"]
target = 5.0

[[indicator]]
name = "Confidence"
kind = "survey"
target = 81.0
[[indicator.survey]]
period = "2017-07..2017-09"
value = 80.0
sample_size = 1000
"""


def _results(target=20.0):
    targets = parse_targets(TARGETS.replace("{target}", str(target)))
    return {r.name: r for r in evaluate_all(targets, parse_period("2017-07"), parse_period("2016-07"))}


def test_reduction_by_hand(make_crimes):
    make_crimes("2016-07", "Robbery", 20)
    make_crimes("2017-07", "Robbery", 10)
    make_crimes("2017-07", "Robbery", 7, lsoa="E01000001")  # City of London: outside the area set
    make_crimes("2017-08", "Robbery", 50)  # outside the period
    lambeth = _results()["Robbery in Lambeth"]
    # 10 against 20: ratio 0.5, exact interval (0.20901, 1.11918), so the change is -50%, -79.1% to +11.9%.
    assert (lambeth.current_count, lambeth.baseline_count) == (10, 20)
    assert lambeth.change_pct == pytest.approx(-50.0)
    assert_allclose([lambeth.ci_low, lambeth.ci_high], [-79.099, 11.918], atol=5e-3)
    assert lambeth.verdict == "not distinguishable from no change" and lambeth.met is None
    everywhere = _results()["Robbery"]
    assert (everywhere.current_count, everywhere.baseline_count) == (17, 20)


def test_a_real_fall_meets_the_target_and_a_real_rise_does_not(make_crimes):
    make_crimes("2016-07", "Robbery", 1000)
    make_crimes("2017-07", "Robbery", 800)
    result = _results()["Robbery"]
    assert result.met is True and result.verdict == "met" and result.ci_high < 0
    Crime.objects.filter(month="2017-07-01").delete()
    make_crimes("2017-07", "Robbery", 1200)
    result = _results()["Robbery"]
    assert result.met is False and result.ci_low > 0 and "increase" in result.explanation


@pytest.mark.parametrize("target,verdict,met", [(20.0, "met", True), (30.0, "not distinguishable from the target",
                                                                       None), (50.0, "not met", False)])
def test_rate_against_its_target(make_crimes, target, verdict, met):
    make_crimes("2017-07", "Burglary", 34, outcome="Offender sent to prison")
    make_crimes("2017-07", "Burglary", 66, outcome="Investigation complete; no suspect identified")
    make_crimes("2016-07", "Burglary", 10, outcome="Offender given a caution")
    make_crimes("2016-07", "Burglary", 40, outcome="Unable to prosecute suspect")
    rate = _results(target)["Burglary SD rate"]
    # 34 of 100: Wilson 95% interval 25.46% to 43.72% (see tests/stats); baseline 10 of 50 = 20%.
    assert (rate.numerator, rate.denominator, rate.current_value, rate.baseline_value) == (34, 100, 34.0, 20.0)
    assert_allclose([rate.ci_low, rate.ci_high], [25.4615, 43.7223], atol=1e-3)
    assert rate.change_pct == pytest.approx(14.0)
    assert (rate.verdict, rate.met) == (verdict, met)


def test_missing_flags_and_surveys(make_crimes):
    make_crimes("2017-07", "Robbery", 3)
    results = _results()
    assert results["Knife crime"].verdict == "no data" and "knife_enabled" in results["Knife crime"].explanation
    survey = results["Confidence"]
    # 80% of 1,000: Wilson centre 0.80192/1.003841 = 0.79885, half-width 0.024772, so 77.41% to 82.36%;
    # the 81% target is inside it.
    assert survey.verdict == "not distinguishable from the target"
    assert_allclose([survey.ci_low, survey.ci_high], [77.408, 82.362], atol=0.001)


@pytest.mark.parametrize("text,problem", [
    ("[[indicator]]\nname='x'\nkind='reduce'\ncrime_types=['Robbery']\ntarget=5", "'kind' must be one of"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robery']\ntarget=5", "unknown crime types"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']", "'target' is required"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']\ntarget='five'", "must be a number"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=500", "outside 0.0 to 100.0"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=5\nareas='north'", "area set"),
    ("[[indicator]]\nname='x'\nkind='rate'\ncrime_types=['Robbery']\ntarget=5\noutcomes='charged'", "outcome set"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=5\ncolour='red'", "unknown field"),
    ("[[indicator]]\nname='x'\nkind='survey'\ntarget=5", "needs at least one [[indicator.survey]]"),
    ("[[indicator]]\nname='x'\nkind='survey'\ntarget=5\n[[indicator.survey]]\nvalue=5", "'period' is required"),
    ("[[indicator]]\nname='x'\nkind='survey'\ntarget=5\n[[indicator.survey]]\nperiod='2017-13'\nvalue=5",
     "not a month"),
    ("[[indicator]]\nname='x'\nkind='survey'\ntarget=5\n[[indicator.survey]]\nperiod='2017-01..2017-03'\nvalue=5\n"
     "[[indicator.survey]]\nperiod='2017-03'\nvalue=6", "cover the same month"),
    ("[[indicator]]\nname='x'\nkind='survey'\ntarget=5\nvalue=5\nbaseline_value=4", "belongs to no period"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=5\nperiod='2017-01'",
     "survey indicators only"),
    ("[[indicator]\nname='x'", "not valid TOML"),
    ("", "no [[indicator]]"),
    ("[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=5\n"
     "[[indicator]]\nname='x'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=5", "used twice"),
])
def test_a_bad_targets_file_names_each_problem(text, problem):
    with pytest.raises(TargetsFileError) as caught:
        parse_targets(text)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_an_area_set_naming_an_unknown_borough_is_an_error(london):
    targets = parse_targets("[area_sets]\nnorth = ['Gotham']\n[[indicator]]\nname='x'\nkind='reduction'\n"
                            "crime_types=['Robbery']\nareas='north'\ntarget=5")
    with pytest.raises(TargetsFileError, match="Gotham"):
        evaluate_all(targets, parse_period("2017-07"))


def test_the_command_prints_json_with_the_documented_fields(make_crimes, tmp_path):
    make_crimes("2016-07", "Robbery", 20)
    make_crimes("2017-07", "Robbery", 10)
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS.replace("{target}", "20"))
    out = io.StringIO()
    call_command("report", "performance", "--targets", str(path), "--period", "2017-07", "--json", stdout=out,
                 stderr=io.StringIO())
    rows = json.loads(out.getvalue())
    assert {"name", "kind", "baseline_value", "current_value", "change_pct", "target", "met", "ci_low",
            "ci_high"} <= set(rows[0])
    robbery = rows[0]
    assert (robbery["baseline_value"], robbery["current_value"], robbery["change_pct"]) == (20, 10, -50.0)
    with pytest.raises(CommandError):
        call_command("report", "performance", "--targets", str(path), "--period", "2017-13")
    # Periods of different lengths compare rates per month: 10 in one month against 20 over two is no change.
    make_crimes("2016-06", "Burglary", 5)  # June 2016 is loaded (with no robbery), so it counts as a month
    out = io.StringIO()
    call_command("report", "performance", "--targets", str(path), "--period", "2017-07", "--baseline",
                 "2016-06..2016-07", "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())[0]["change_pct"] == pytest.approx(0.0)


@pytest.mark.shared_data
def test_real_data_matches_an_independent_computation_from_the_raw_files(london):
    files = [shared_data_or_skip("crime", "police-uk", m, f"{m}-metropolitan-street.csv.gz")
             for m in ("2016-07", "2017-07")]
    assert run_import(files, actor="test").ok
    results = {r.name: r for r in evaluate_all(parse_targets(TARGETS.replace("{target}", "20")),
                                               parse_period("2017-07"), parse_period("2016-07"))}
    # Independent: count straight from the CSV files, intervals from SciPy's own binomial routines.
    counts, burglary, detected = {}, {}, {}
    from vcdhub.performance.outcomes import SANCTION_DETECTION

    for path in files:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        month = rows[0]["Month"]
        counts[month] = sum(r["Crime type"] == "Robbery" for r in rows)
        burglary[month] = sum(r["Crime type"] == "Burglary" for r in rows)
        detected[month] = sum(r["Crime type"] == "Burglary" and r["Last outcome category"] in SANCTION_DETECTION
                              for r in rows)
    robbery = results["Robbery"]
    assert (robbery.current_count, robbery.baseline_count) == (counts["2017-07"], counts["2016-07"])
    n = counts["2017-07"] + counts["2016-07"]
    p_low, p_high = sps.binomtest(counts["2017-07"], n).proportion_ci(0.95, method="exact")
    assert_allclose([robbery.ci_low, robbery.ci_high],
                    [(p_low / (1 - p_low) - 1) * 100, (p_high / (1 - p_high) - 1) * 100], rtol=1e-9)
    rate = results["Burglary SD rate"]
    assert (rate.numerator, rate.denominator) == (detected["2017-07"], burglary["2017-07"])
    wilson = sps.binomtest(detected["2017-07"], burglary["2017-07"]).proportion_ci(0.95, method="wilson")
    assert_allclose([rate.ci_low, rate.ci_high], [wilson.low * 100, wilson.high * 100], rtol=1e-9)
