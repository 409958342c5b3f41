import csv
import gzip
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client
from numpy.testing import assert_allclose
from scipy import stats as sps

from tests.conftest import make_persona
from vcdhub.crime.models import StopSearch
from vcdhub.equality.engine import equality_report
from vcdhub.equality.groups import borough_populations, force_populations, force_row_name, self_group
from vcdhub.ingest.pipeline import run_import
from vcdhub.platform.months import parse_month

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value,group", [
    ("White - English/Welsh/Scottish/Northern Irish/British", "White"),
    ("White - White British (W1)", "White"),
    ("Black/African/Caribbean/Black British - African", "Black"),
    ("Black or Black British - Caribbean (B1)", "Black"),
    ("Asian/Asian British - Chinese", "Asian"),
    ("Chinese or other ethnic group - Chinese (O1)", "Asian"),
    ("Chinese or other ethnic group - Any other ethnic group (O9)", "Other"),
    ("Mixed/Multiple ethnic groups - White and Black Caribbean", "Mixed"),
    ("Other ethnic group - Any other ethnic group", "Other"),
    ("Other ethnic group - Not stated", "Not stated"),
    ("Not Stated (NS)", "Not stated"),
    ("", "Not stated"),
])
def test_self_defined_groups(value, group):
    assert self_group(value) == group


def test_denominators():
    met = force_populations()[force_row_name("Metropolitan Police Service", force_populations())]
    assert met["officer"]["Black"] == 1_088_447 and met["officer"]["Other"] == 123_987 + 404_990 + 280_887
    assert met["self"]["Asian"] == 1_386_619 + 123_987
    lambeth = borough_populations()["E09000022"]["self"]
    assert (lambeth["White"], lambeth["Black"]) == (173_025, 78_542)
    assert force_row_name("Avon and Somerset Constabulary", force_populations()) == "Avon & Somerset"
    assert force_row_name("Nowhere Police", force_populations()) is None


def test_report_matches_an_independent_count_of_the_file(london, demo_file):
    path = demo_file("2017-07", "metropolitan-stop-and-search")
    assert run_import([path], actor="test").ok
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_group = Counter(r["Officer-defined ethnicity"] or "Not stated" for r in rows)
    arrests = Counter(r["Officer-defined ethnicity"] for r in rows if r["Outcome"] in ("Suspect arrested", "Arrest"))
    report = equality_report(parse_month("2017-07"), parse_month("2017-07"))
    [force] = report["forces"]
    table = {r["group"]: r for r in force["officer"]["rows"]}
    for group in ("White", "Black", "Asian", "Other"):
        assert table[group]["searches"] == by_group[group]
        assert table[group]["arrests"] == arrests[group]
    assert force["officer"]["not_stated"] == by_group["Not stated"]
    # The ratio's interval, independently: exact binomial on Black searches out of Black + White, scaled by
    # the populations of the four boroughs the searches cover (not the whole Met: issue 11).
    codes = set(StopSearch.objects.values_list("borough__code", flat=True))
    pop = {g: sum(borough_populations()[code]["officer"][g] for code in codes) for g in ("White", "Black")}
    n = by_group["Black"] + by_group["White"]
    ci = sps.binomtest(by_group["Black"], n).proportion_ci(0.95, method="exact")
    scale = pop["White"] / pop["Black"]
    assert_allclose([table["Black"]["ratio_low"], table["Black"]["ratio_high"]],
                    [ci.low / (1 - ci.low) * scale, ci.high / (1 - ci.high) * scale], rtol=1e-9)
    assert table["Black"]["rate"] == pytest.approx(by_group["Black"] / pop["Black"] * 1000)
    # Borough tables use census denominators; every demo search was placed in one of four boroughs.
    assert {b["name"] for b in report["boroughs"]} == {"Lambeth", "Haringey", "Newham", "Brent"}
    assert sum(b["officer"]["total"] for b in report["boroughs"]) == len(rows)
    lambeth = next(b for b in report["boroughs"] if b["name"] == "Lambeth")
    self_rows = {r["group"]: r for r in lambeth["self"]["rows"]}
    assert self_rows["Mixed"]["population"] == borough_populations()["E09000022"]["self"]["Mixed"]
    assert sum(r["searches"] for r in lambeth["self"]["rows"]) + lambeth["self"]["not_stated"] == \
        lambeth["self"]["total"]


def test_command_and_page(london, demo_file):
    assert run_import([demo_file("2017-07", "metropolitan-stop-and-search")], actor="test").ok
    out = io.StringIO()
    call_command("report", "equality", "--from", "2017-07", "--to", "2017-07", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["forces"][0]["force"] == "Metropolitan Police Service"
    assert {"rate", "ratio", "ratio_low", "ratio_high", "arrest_rate", "rri_arrest", "too_small"} <= set(
        data["forces"][0]["officer"]["rows"][0])
    client = Client()
    client.force_login(make_persona("vcd_analyst"))
    page = client.get("/equality/", {"month_from": "2017-07", "month_to": "2017-07"})
    assert page.status_code == 200 and b"<svg" in page.content and b"Ratio to the White rate" in page.content
    bad = client.get("/equality/", {"month_from": "2017-07", "month_to": "2017-01"})
    assert "month_to" in bad.context["form"].errors


def test_monthly_trend_counts_and_ratio(london, demo_file):
    assert run_import([demo_file(m, "metropolitan-stop-and-search") for m in ("2017-06", "2017-07")],
                      actor="test").ok
    report = equality_report(parse_month("2017-06"), parse_month("2017-07"))
    july = next(r for r in report["forces"][0]["trend"] if r["month"] == "2017-07")
    with gzip.open(demo_file("2017-07", "metropolitan-stop-and-search"), "rt", encoding="utf-8") as f:
        counts = Counter(r["Officer-defined ethnicity"] for r in csv.DictReader(f))
    assert july["counts"]["Black"] == counts["Black"] and july["counts"]["White"] == counts["White"]
    codes = set(StopSearch.objects.values_list("borough__code", flat=True))  # the four demo boroughs
    pop = {g: sum(borough_populations()[code]["officer"][g] for code in codes) for g in ("White", "Black")}
    assert july["ratio_black_white"] == pytest.approx((counts["Black"] / pop["Black"]) / (counts["White"] /
                                                                                            pop["White"]))
