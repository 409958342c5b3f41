"""Equality figures that were wrong (issue 11): rates per 1,000 over a population other than the one the searches
cover, charts each on its own scale without axes, numbers without separators or units, tables without a period.

Expected values are worked out here from the population files themselves (read with the csv module, not through
vcdhub.equality.groups) and the records created by each test."""

import csv
import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import make_persona
from tests.kit import client_for
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import ImportBatch, StopSearch
from vcdhub.equality.engine import equality_report
from vcdhub.geography.models import Lsoa
from vcdhub.platform.months import parse_month

pytestmark = pytest.mark.django_db

FORCE = "Metropolitan Police Service"
LAMBETH, BRENT, CITY = "E09000022", "E09000005", "E09000001"
LONDON_BOROUGHS = [f"E09{n:06d}" for n in range(2, 34)]  # the Met's 32; the City of London has its own force
JUNE, JULY = "2017-06", "2017-07"
POPULATION = settings.DATA_DIR / "demo" / "population"


# --- the records and the population, independently ------------------------------------------------------------

def add_searches(month: str, borough: str | None, n: int, officer: str = "White", *, outcome: str = "A no further "
                 "action disposal", obj: str = "Controlled drugs", keys: list[int] | None = None, force: str = FORCE,
                 self_defined: str = "", **fields) -> list[StopSearch]:
    """n searches in `borough` (None: with no location) in `month`, each with the record key given (0 by default)."""
    first = parse_month(month)
    now = timezone.now()
    with acting_as("test:setup"):
        batch, _ = ImportBatch.objects.get_or_create(
            kind="stop-and-search", force=force, month=first, defaults={
                "sha256": f"{month}{force}".encode().hex()[:64].ljust(64, "0"), "file_name": f"{month}-test.csv",
                "source": "test", "rows": 0, "imported_by": "test", "started_at": now, "finished_at": now})
        lsoa = Lsoa.objects.filter(borough__code=borough).order_by("code").first() if borough else None
        place = {"lsoa_id": lsoa.id, "ward_id": lsoa.ward_id, "borough_id": lsoa.borough_id} if lsoa else {}
        when = dt.datetime(first.year, first.month, 3, 12, tzinfo=dt.UTC)
        records = [StopSearch(month=first, force=force, type="Person search", date=when, date_text=when.isoformat(),
                              officer_defined_ethnicity=officer, self_defined_ethnicity=self_defined, outcome=outcome,
                              object_of_search=obj, batch=batch, record_key=(keys[i] if keys else 0), **place,
                              **fields) for i in range(n)]
        return StopSearch.objects.bulk_create(records)


def census(code: str) -> dict[str, int]:
    """A local authority's Census 2011 ethnic groups, officer-style (Chinese, Mixed and Other as "Other")."""
    with open(POPULATION / "la-ethnic-groups-census2011.csv", encoding="utf-8-sig") as f:
        row = next(r for r in csv.DictReader(f) if r["geography code"] == code and r["Rural Urban"] == "Total")

    def value(name: str) -> int:
        return int(row[f"Ethnic Group: {name}; measures: Value"])

    chinese = value("Asian/Asian British: Chinese")
    return {"White": value("White"), "Black": value("Black"), "Asian": value("Asian") - chinese,
            "Other": chinese + value("Mixed") + value("Other")}


def police_defined(name: str) -> dict[str, int]:
    with open(POPULATION / "police-defined-demographics.csv", encoding="utf-8-sig") as f:
        row = next(r for r in csv.DictReader(f) if r["Police force"] == name)
    return {"White": int(row["White"]), "Black": int(row["Black (or Black British)"]),
            "Asian": int(row["Asian (or Asian British)"]),
            "Other": int(row["Chinese"]) + int(row["Mixed"]) + int(row["Other"])}


def report(first: str, last: str, **kwargs) -> dict:
    return equality_report(parse_month(first), parse_month(last), **kwargs)


def rows(table: dict) -> dict[str, dict]:
    return {r["group"]: r for r in table["rows"]}


# --- denominators -----------------------------------------------------------------------------------------------

def test_the_boroughs_of_the_met_add_up_to_its_police_defined_population():
    """The two population tables are mapped alike, so the covered boroughs' sum and the force row agree."""
    met = police_defined("Metropolitan")
    assert {g: sum(census(code)[g] for code in LONDON_BOROUGHS) for g in met} == met


def test_searches_in_two_boroughs_are_divided_by_those_boroughs_population(london):
    for month, (lw, lb, bw, bb) in ((JUNE, (30, 20, 10, 12)), (JULY, (25, 15, 8, 9))):
        add_searches(month, LAMBETH, lw, "White")
        add_searches(month, LAMBETH, lb, "Black")
        add_searches(month, BRENT, bw, "White")
        add_searches(month, BRENT, bb, "Black")
    result = report(JUNE, JULY)
    [force] = result["forces"]
    pop = {g: census(LAMBETH)[g] + census(BRENT)[g] for g in ("White", "Black")}
    black, white = 20 + 15 + 12 + 9, 30 + 25 + 10 + 8
    table = rows(force["officer"])
    assert table["Black"]["rate"] == pytest.approx(black / pop["Black"] * 1000, rel=1e-12)
    assert table["White"]["rate"] == pytest.approx(white / pop["White"] * 1000, rel=1e-12)
    assert table["Black"]["ratio"] == pytest.approx((black / pop["Black"]) / (white / pop["White"]), rel=1e-12)
    assert table["Black"]["population"] == pop["Black"]
    # Both population tables map the census groups alike: officer-style "Other" holds Chinese, Mixed and Other.
    assert [table[g]["population"] for g in ("Asian", "Other")] == [census(LAMBETH)[g] + census(BRENT)[g]
                                                                    for g in ("Asian", "Other")]
    # The whole force's population would make the rate several times too low; the page says what is covered.
    assert table["Black"]["rate"] > 5 * black / police_defined("Metropolitan")["Black"] * 1000
    assert "2 of the force's 32 boroughs" in force["scope"]["label"] and "Brent, Lambeth" in force["scope"]["label"]
    assert force["scope"]["rates_withheld"] == ""
    # The monthly trend divides by the same population.
    july = next(r for r in force["trend"] if r["month"] == JULY)
    assert july["per_1000"]["Black"] == pytest.approx((15 + 9) / pop["Black"] * 1000, rel=1e-12)
    assert july["ratio_black_white"] == pytest.approx(((15 + 9) / pop["Black"]) / ((25 + 8) / pop["White"]))
    # The weapons split too.
    [weapons, rest] = force["objects"]
    assert rows(rest)["Black"]["rate"] == pytest.approx(black / pop["Black"] * 1000, rel=1e-12)
    assert rows(weapons)["Black"]["rate"] == 0


def test_searches_in_every_borough_are_divided_by_the_force_population_and_unplaced_ones_count(london):
    for code in LONDON_BOROUGHS:
        add_searches(JULY, code, 2, "Black")
        add_searches(JULY, code, 1, "White")
    add_searches(JULY, None, 3, "Black")  # no location: still the force's searches
    result = report(JULY, JULY)
    [force] = result["forces"]
    met = police_defined("Metropolitan")
    table = rows(force["officer"])
    assert table["Black"]["searches"] == 2 * 32 + 3
    assert table["Black"]["rate"] == pytest.approx((2 * 32 + 3) / met["Black"] * 1000, rel=1e-12)
    assert table["White"]["rate"] == pytest.approx(32 / met["White"] * 1000, rel=1e-12)
    assert force["scope"]["label"] == "the whole force area (32 boroughs)"
    assert any("3 searches of them had no location" in note for note in force["scope"]["notes"])
    assert any(note.startswith("3 searches had no location and could not be placed") for note in result["coverage"])


def test_a_borough_loaded_in_only_some_months_is_left_out_and_named(london):
    add_searches(JUNE, LAMBETH, 12, "Black")
    add_searches(JULY, LAMBETH, 8, "Black")
    add_searches(JUNE, LAMBETH, 10, "White")
    add_searches(JULY, LAMBETH, 10, "White")
    add_searches(JUNE, BRENT, 40, "Black")  # Brent: June only
    add_searches(JUNE, None, 2, "Black")
    result = report(JUNE, JULY)
    [force] = result["forces"]
    table = rows(force["officer"])
    assert table["Black"]["searches"] == 20
    assert table["Black"]["rate"] == pytest.approx(20 / census(LAMBETH)["Black"] * 1000, rel=1e-12)
    notes = " ".join(force["scope"]["notes"])
    assert "Brent: 1 of 2" in notes and "40 searches in boroughs with searches loaded in only some months" in notes
    assert "2 searches with no location" in notes
    boroughs = {b["name"]: b for b in result["boroughs"]}
    assert rows(boroughs["Lambeth"]["officer"])["Black"]["rate"] == pytest.approx(
        20 / census(LAMBETH)["Black"] * 1000, rel=1e-12)
    brent = rows(boroughs["Brent"]["officer"])["Black"]
    assert brent["searches"] == 40 and brent["rate"] is None and brent["ratio"] is None
    assert "in 1 of the 2 months" in boroughs["Brent"]["rates_withheld"]


def test_no_borough_loaded_in_every_month_withholds_the_rates_with_the_reason(london):
    add_searches(JUNE, LAMBETH, 30, "Black")
    add_searches(JUNE, LAMBETH, 30, "White")
    add_searches(JULY, BRENT, 30, "Black")
    add_searches(JULY, BRENT, 30, "White")
    result = report(JUNE, JULY)
    [force] = result["forces"]
    reason = force["scope"]["rates_withheld"]
    assert reason.startswith("withheld: searches are loaded for 2 of the force's 32 boroughs")
    for table in (force["officer"], force["self"], *force["objects"]):
        for row in table["rows"]:
            assert row["rate"] is None and row["ratio"] is None and row["rate_high"] is None, row
            assert row["notes"]["rate"] == reason
    assert rows(force["officer"])["Black"]["searches"] == 60  # counts stay; only rates per head go
    assert all(r["per_1000"]["Black"] is None and r["ratio_black_white"] is None for r in force["trend"])
    page = client_for(make_persona("vcd_analyst")).get("/equality/", {"month_from": JUNE, "month_to": JULY})
    text = html.unescape(page.content.decode())
    assert f"are {reason}" in text and not re.search(r"\b(inf|nan)\b", text)


def test_searches_with_no_location_at_all_cannot_show_their_coverage_so_rates_are_withheld(london):
    add_searches(JULY, None, 50, "Black")
    add_searches(JULY, None, 50, "White")
    [force] = report(JULY, JULY)["forces"]
    assert "none of the force's searches in the period has a location" in force["scope"]["rates_withheld"]
    assert rows(force["officer"])["Black"]["rate"] is None


def test_a_force_without_a_population_has_no_rates(london):
    add_searches(JULY, LAMBETH, 20, "Black", force="British Transport Police")
    [force] = report(JULY, JULY)["forces"]
    assert force["scope"]["rates_withheld"] == "withheld: there is no population for British Transport Police's area"
    assert rows(force["officer"])["Black"]["rate"] is None


def test_the_demo_month_is_divided_by_its_four_boroughs(london, demo_file):
    """Real records: the demo holds four boroughs, so the Met table is over their population."""
    from vcdhub.ingest.pipeline import run_import

    assert run_import([demo_file(JULY, "metropolitan-stop-and-search")], actor="test").ok
    [force] = report(JULY, JULY)["forces"]
    codes = sorted(StopSearch.objects.values_list("borough__code", flat=True).distinct())
    assert len(codes) == 4 and None not in codes
    black = StopSearch.objects.filter(officer_defined_ethnicity="Black").count()
    assert rows(force["officer"])["Black"]["rate"] == pytest.approx(
        black / sum(census(code)["Black"] for code in codes) * 1000, rel=1e-12)
    assert "4 of the force's 32 boroughs" in force["scope"]["label"]


# --- the page: charts on one scale with axes, numbers with separators and units, tables with their period -----

class Tables(HTMLParser):
    """Each table's caption and its rows' cell texts; each SVG's tick labels and tick positions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.charts, self._cell, self._caption, self._tick = [], [], None, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = ""
        elif tag == "svg" and "ratio-chart" in attrs.get("class", ""):
            self.charts.append({"ticks": [], "axes": set(), "style": "style" in attrs})
        elif self.charts and tag == "line" and attrs.get("class") in ("x-axis", "y-axis"):
            self.charts[-1]["axes"].add(attrs["class"])
        elif self.charts and tag == "text" and attrs.get("class") == "x-tick":
            self._tick = attrs["x"]
        elif self.charts and tag == "text" and attrs.get("class") == "x-label":
            self.charts[-1]["axes"].add("x-label")
        if self.charts and "style" in attrs:
            self.charts[-1]["style"] = True

    def handle_endtag(self, tag):
        if tag == "caption":
            self._caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell += data
        if self._tick is not None:
            self.charts[-1]["ticks"].append((data, self._tick))
            self._tick = None


def parse(html: str) -> Tables:
    found = Tables()
    found.feed(html)
    return found


@pytest.fixture
def two_boroughs(london):
    """Lambeth with a large White count (thousands separators) and Brent, with different ratios, two months."""
    for month in (JUNE, JULY):
        add_searches(month, LAMBETH, 1200, "White")
        add_searches(month, LAMBETH, 700, "Black")
        add_searches(month, LAMBETH, 60, "Asian", outcome="Arrest")
        add_searches(month, BRENT, 30, "White")
        add_searches(month, BRENT, 90, "Black", obj="Offensive weapons")
        add_searches(month, LAMBETH, 50, "White", obj="Offensive weapons")
        add_searches(month, BRENT, 12, "Other")


def test_the_charts_share_one_scale_with_axes(two_boroughs):
    page = client_for(make_persona("vcd_analyst")).get("/equality/", {"month_from": JUNE, "month_to": JULY})
    found = parse(page.content.decode())
    # The force, its two object splits, and two boroughs.
    assert len(found.charts) == 5
    for chart in found.charts:
        assert chart["axes"] == {"x-axis", "y-axis", "x-label"} and not chart["style"]
        assert chart["ticks"] == found.charts[0]["ticks"]  # the same ticks at the same places: one scale
    labels = [label for label, _ in found.charts[0]["ticks"]]
    assert "1×" in labels and len(labels) >= 3
    # The scale holds every ratio shown: Brent's Black ratio is far above Lambeth's.
    report_ = page.context["report"]
    ratios = [r["ratio"] for b in report_["boroughs"] for r in b["officer"]["rows"] if r["ratio"]]
    scale = report_["chart_scale"]
    assert scale.low <= min(ratios) and max(ratios) <= scale.high


def test_every_table_states_its_period_and_every_number_its_separators_and_units(two_boroughs):
    page = client_for(make_persona("vcd_analyst")).get("/equality/", {"month_from": JUNE, "month_to": JULY})
    text = page.content.decode()
    found = parse(text)
    assert len(found.tables) == 9  # the force: two schemes, two splits, the trend; two boroughs: two schemes
    for table in found.tables:
        assert "2017-06 to 2017-07" in table["caption"], table["caption"]
    cells = [cell for table in found.tables for row in table["rows"][1:] for cell in row[1:]]  # no header, month
    bare = [cell for cell in cells if re.search(r"(?<![\d,.])\d{4,}(?![\d-])", cell)]
    assert not bare, bare[:5]
    lambeth = next(t for t in found.tables if t["caption"].startswith("Lambeth, officer-defined"))
    white = next(row for row in lambeth["rows"] if row and row[0] == "White")
    assert white[1] == "2,500"
    assert white[2] == f"{census(LAMBETH)['White']:,} people"
    assert white[3].endswith(")") and " per 1,000 (" in white[3]
    assert white[4].startswith("1×") or white[4].startswith("1.00×")
    assert white[5].endswith("%)") and white[6].endswith("%)")
    assert f"{2 * (1200 + 700 + 60 + 50):,} searches in all" in text


def test_the_authority_report_charts_share_one_scale_with_axes(two_boroughs):
    from vcdhub.performance.authority import build_context, render_html
    from vcdhub.performance.engine import parse_period

    text = render_html(build_context(parse_period("2017-06..2017-07")))
    section = html.unescape(text[text.index("Equality: stop and search"):text.index("Data coverage")])
    found = parse(section)
    assert len(found.charts) == 3  # all searches, weapons, everything else
    assert all(c["axes"] == {"x-axis", "y-axis", "x-label"} and c["ticks"] == found.charts[0]["ticks"]
               for c in found.charts)
    assert all("2017-06 to 2017-07" in t["caption"] for t in found.tables)
    assert "2 of the force's 32 boroughs" in section


def _row(group, ratio=None, low=None, high=None, **extra) -> dict:
    return {"group": group, "ratio": ratio, "ratio_low": low, "ratio_high": high, **extra}


def test_a_ratio_chart_marks_withheld_groups_and_intervals_off_its_scale():
    from vcdhub.platform.charts import RatioScale, ratio_chart_svg, ratio_scale

    reference = _row("White", 1.0)
    rows = [reference, _row("Black", 3.1, 2.0, 200.0), _row("Other", 0.0, 0.0, 0.7),
            _row("Asian", notes={"ratio": "withheld: fewer than 5 searches"})]
    scale = ratio_scale(rows)
    assert scale == RatioScale(0.5, 64.0)  # powers of two around what is shown, capped at 64×
    svg = ratio_chart_svg(rows, "test", scale)
    found = parse(f"<div>{svg}</div>")
    [chart] = found.charts
    assert chart["axes"] == {"x-axis", "y-axis", "x-label"} and not chart["style"]
    # Eight ticks, 0.5× to 64×: every other one labelled, 1× always, so the labels do not run together.
    assert [label for label, _ in chart["ticks"]] == ["1×", "4×", "16×", "64×"]
    assert svg.count('y2="' + str(10 + 26 * 4 + 4) + '"') == 8  # a tick mark below the axis for each
    assert svg.count('class="y-tick"') == 4  # every group keeps its row
    assert "withheld<title>Asian: withheld: fewer than 5 searches</title>" in svg
    # Off the scale: Black's upper limit (200×), and Other's lower limit (0, which a log scale never reaches).
    assert svg.count('class="off-scale"') == 2
    assert "Other: 0.00× (95% interval 0.00× to 0.70×)" in svg
    # Only the reference group (or nothing) to draw: no chart.
    assert ratio_chart_svg([reference, _row("Black", notes={"ratio": "withheld"})], "t", scale) == ""
