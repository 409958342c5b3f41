"""The analyst's explorer (issue 11): it opens on the latest twelve months, offers only what the data has, says
"no data loaded" rather than "no crimes match", sorts, links each record by its id, names its CSV after its
filter in the table's order, compares periods CompStat-style and draws the filter's monthly trend."""

import csv
import io
import re

import pytest
from scipy import stats as sps

from tests.conftest import make_persona
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db

MONTHS = ("2016-06", "2016-07", "2017-06", "2017-07")


@pytest.fixture
def loaded(london, demo_file):
    assert run_import([demo_file(m, "metropolitan-street") for m in MONTHS], actor="test").ok


@pytest.fixture
def analyst(client, london):
    user = make_persona("vcd_analyst")
    client.force_login(user)
    return user


def test_the_explorer_opens_on_the_latest_twelve_months_of_loaded_data(client, analyst, loaded):
    page = client.get("/crimes/")
    form = page.context["filterset"].form
    assert (form["month_from"].value(), form["month_to"].value()) == ("2016-08", "2017-07")
    expected = Crime.objects.filter(month__gte="2016-08-01", month__lte="2017-07-01").count()
    assert page.context["total"] == expected
    html = page.content.decode()
    assert "month_from=2016-08" in html.split("Download CSV")[0].rsplit("href=", 1)[1]  # the CSV carries it


def test_the_pickers_offer_only_what_the_data_has_and_say_no_data_loaded(client, analyst, loaded):
    page = client.get("/crimes/")
    html = page.content.decode()
    boroughs = set(re.findall(r'<option value="(E09\d+)"', html.split('id="id_borough"')[1].split("</select>")[0]))
    with_data = set(Crime.objects.exclude(borough=None).values_list("borough__code", flat=True))
    assert boroughs == with_data and "E09000007" not in boroughs  # Camden has no data in the demo
    types = re.findall(r'<option value="([^"]+)"', html.split('id="id_crime_type"')[1].split("</select>")[0])
    assert set(types) == set(Crime.objects.values_list("crime_type", flat=True).distinct())
    assert "Violent crime" not in types  # used before 2013 only

    camden = client.get("/crimes/", {"borough": "E09000007", "month_from": "2017-01", "month_to": "2017-07"})
    text = camden.content.decode()
    assert "No data loaded for Camden" in text and "No crimes match" not in text
    assert 'value="E09000007" selected' in text  # chosen, so still offered
    early = client.get("/crimes/", {"month_from": "2015-01", "month_to": "2015-06"}).content.decode()
    assert "No data loaded for 2015-01..2015-06" in early


def test_columns_sort_and_the_csv_keeps_the_order_and_names_its_filter(client, analyst, loaded):
    params = {"crime_type": "Robbery", "month_from": "2017-07", "month_to": "2017-07", "sort": "borough"}
    page = client.get("/crimes/", params)
    rows = list(page.context["page"].object_list)
    assert [r.borough.name if r.borough else "" for r in rows] == sorted(
        r.borough.name if r.borough else "" for r in rows)
    html = page.content.decode()
    assert 'aria-sort="ascending"' in html and "sort=-borough" in html
    assert f'href="/crimes/{rows[0].pk}/"' in html  # each record is linked by its id

    export = client.get("/crimes/export.csv", params)
    assert export["Content-Disposition"] == 'attachment; filename="crimes_2017-07_robbery_by-borough.csv"'
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))[1:]
    expected = list(Crime.objects.filter(crime_type="Robbery", month="2017-07-01")
                    .order_by("borough__name", "pk").values_list("crime_id", flat=True))
    assert [line[0] for line in lines] == expected


def test_a_wrong_sort_falls_back_to_the_newest_first(client, analyst, loaded):
    page = client.get("/crimes/", {"sort": "password"})
    months = [r.month for r in page.context["page"].object_list]
    assert months == sorted(months, reverse=True)


def test_compstat_compares_each_period_with_a_year_earlier(client, analyst, loaded):
    page = client.get("/crimes/", {"crime_type": "Burglary", "month_from": "2017-06", "month_to": "2017-07"})
    rows = {c.label: c for c in page.context["comparisons"]}
    burglary = Crime.objects.filter(crime_type="Burglary")
    july, july_before = (burglary.filter(month=m).count() for m in ("2017-07-01", "2016-07-01"))
    latest = rows["Latest month"]
    assert (latest.current_months, latest.previous_months) == ("2017-07", "2016-07")
    assert (latest.current, latest.previous) == (july, july_before)
    # The change and its exact interval, independently: conditional on the total, the current share is
    # binomial; Clopper-Pearson bounds p give the rate ratio p / (1 - p).
    n = july + july_before
    low, high = sps.beta.ppf(0.025, july, n - july + 1), sps.beta.ppf(0.975, july + 1, n - july)
    assert latest.change_text == f"{(july / july_before - 1) * 100:+.1f}%"
    assert latest.interval_text == f"{(low / (1 - low) - 1) * 100:+.1f}% to {(high / (1 - high) - 1) * 100:+.1f}%"
    assert latest.beyond_chance == (not low / (1 - low) <= 1 <= high / (1 - high))
    # Year to date: only June and July are loaded in both years, so only they are compared.
    ytd = rows["Year to date"]
    june, june_before = (burglary.filter(month=m).count() for m in ("2017-06-01", "2016-06-01"))
    assert (ytd.current, ytd.previous) == (june + july, june_before + july_before)
    assert "left out: 2017-01, 2017-02, 2017-03, 2017-04, 2017-05" in ytd.note
    assert "inf" not in page.content.decode().split('id="compstat"')[1].split("</table>")[0]


def test_compstat_says_no_data_a_year_earlier_when_there_is_none(client, analyst, london, demo_file):
    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok
    [latest, *_] = client.get("/crimes/").context["comparisons"]
    assert (latest.change_text, latest.previous, latest.beyond_chance) == ("no data a year earlier", None, None)


def test_the_explorer_draws_the_filters_monthly_trend_with_gaps_for_months_not_loaded(client, analyst, loaded):
    page = client.get("/crimes/", {"crime_type": "Robbery", "month_from": "2016-06", "month_to": "2017-07"})
    svg = page.context["trend_svg"]
    assert svg.count("<polyline") == 2  # 2016-06..07, then a gap to 2017-06..07
    june = Crime.objects.filter(crime_type="Robbery", month="2017-06-01").count()
    assert f"2017-06: {june:,}<" in svg


def test_show_on_map_from_a_borough_filter_opens_its_wards(client, analyst, loaded):
    html = client.get("/crimes/", {"borough": "E09000022"}).content.decode()
    link = re.search(r'href="/map/\?([^"]+)"', html).group(1)
    assert "borough=E09000022" in link and "level=ward" in link


def test_applying_the_filter_keeps_the_form_and_announces_the_result(client, analyst, loaded):
    html = client.get("/crimes/").content.decode()
    form = re.search(r'<form[^>]+id="filters"[^>]*>', html).group(0)
    assert 'hx-target="#results"' in form and 'hx-select="#results"' in form  # the form itself is not swapped
    assert 'id="explorer-status"' in html and 'aria-live="polite"' in html
    assert html.index('id="explorer-status"') < html.index('id="results"')  # outside what is swapped
