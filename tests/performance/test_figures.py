"""Figures that must not mislead (issue 11): no verdict without a baseline, never "inf", months not loaded are
no data (never zero crimes), coverage said once per force, trends that plot the indicator itself, and survey
values that belong to their own period. Expected values are computed independently (scipy, by hand)."""

import re

import pytest
from django.test import Client
from scipy import stats as sps

from tests.conftest import make_persona
from vcdhub.performance.engine import coverage_warnings, evaluate_all, monthly_trend, parse_period, trend_charts
from vcdhub.performance.indicators import parse_targets
from vcdhub.platform import charts

pytestmark = pytest.mark.django_db

ROBBERY = "[[indicator]]\nname='Robbery'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=7\n"
DETECTIONS = ("[[indicator]]\nname='Burglary detections'\nkind='rate'\ncrime_types=['Burglary']\n"
              "outcomes='sanction-detection'\ntarget=20\n")
CHARGED = "Suspect charged"


def _one(text, period, baseline=None):
    targets = parse_targets(text)
    [result] = evaluate_all(targets, parse_period(period), parse_period(baseline) if baseline else None)
    return result


def test_a_baseline_with_no_data_loaded_gives_no_verdict_and_no_infinity(make_crimes):
    for month in ("2016-01", "2016-06", "2016-12"):
        make_crimes(month, "Robbery", 40)
    result = _one(ROBBERY, "2016-01..2016-12", "2015-01..2015-12")
    assert (result.verdict, result.met, result.change_text) == ("no baseline data", None, "no baseline data")
    assert (result.baseline_value, result.change_pct, result.ci_low, result.ci_high) == (None, None, None, None)
    assert result.current_count == 120
    assert "baseline 2015-01..2015-12: no records loaded" in result.coverage_note

    client = Client()
    client.force_login(make_persona("vcd_analyst"))
    page = client.get("/performance/", {"period": "2016-01..2016-12", "baseline": "2015-01..2015-12"})
    html = page.content.decode()
    assert page.status_code == 200 and "no baseline data" in html
    assert not re.search(r"inf\s*%|%\s*to\s*inf|\binf\b", html), "an infinite figure reached the page"
    assert "beyond chance" not in html.split('id="targets-table"')[1].split("</table>")[0]


def test_a_rise_from_none_in_a_loaded_baseline_is_new_with_a_one_sided_interval(make_crimes):
    make_crimes("2016-07", "Burglary", 30)  # the baseline month is loaded, with no robbery in it
    make_crimes("2017-07", "Robbery", 16)
    result = _one(ROBBERY, "2017-07", "2016-07")
    # Exact interval for the ratio of two Poisson rates with equal exposure: conditional on the 16 crimes in all,
    # the share in the current period is binomial; its Clopper-Pearson lower bound p gives the ratio p / (1 - p).
    p_low = sps.beta.ppf(0.025, 16, 1)
    ratio_low = p_low / (1 - p_low)
    assert result.change_text == "new: none in the baseline"
    assert result.change_pct is None and result.ci_high is None
    assert result.ci_low == pytest.approx((ratio_low - 1) * 100, rel=1e-6)
    assert result.interval_text == f"at least {(ratio_low - 1) * 100:+.1f}%"
    assert (result.verdict, result.met) == ("not met", False)
    assert "inf" not in result.explanation and "against none in the baseline" in result.explanation


def test_months_not_loaded_are_no_data_and_rates_are_compared_over_the_months_loaded(make_crimes):
    # Baseline 2016-01..2016-12 has six months loaded, 60 robberies; the current year has all twelve, 60 too.
    for number in range(1, 13):
        make_crimes(f"2017-{number:02d}", "Robbery", 5)
        if number <= 6:
            make_crimes(f"2016-{number:02d}", "Robbery", 10)
    result = _one(ROBBERY, "2017-01..2017-12", "2016-01..2016-12")
    # 60 in 12 months against 60 in 6: the monthly rate halved.
    assert result.change_pct == pytest.approx(-50.0)
    assert "over the 12 and 6 months loaded" in result.explanation
    assert "baseline 2016-01..2016-12: 6 of 12 months not loaded (2016-07..2016-12)" in result.coverage_note


def test_coverage_warnings_are_one_line_per_force_with_month_ranges(make_crimes):
    make_crimes("2016-07", "Robbery", 10)
    make_crimes("2017-03", "Robbery", 10)
    warnings = coverage_warnings(parse_period("2017-01..2017-06"), parse_period("2016-01..2016-06"))
    assert warnings == ["Metropolitan Police Service: no records loaded for 2016-01..2016-06, 2017-01..2017-02, "
                        "2017-04..2017-06"]


def test_a_rate_indicator_trend_plots_the_monthly_rate_with_its_unit(make_crimes):
    detected = {"2017-01": 3, "2017-02": 5, "2017-03": 4, "2017-04": 6, "2017-05": 2, "2017-06": 5}
    for month, k in detected.items():
        make_crimes(month, "Burglary", k, outcome=CHARGED)
        make_crimes(month, "Burglary", 20 - k)
    targets = parse_targets(DETECTIONS)
    trend = monthly_trend(targets.indicators[0], targets, parse_period("2017-01").start,
                          parse_period("2017-06").start)
    assert trend.counts == pytest.approx([k / 20 * 100 for k in detected.values()])
    assert trend.unit == "%" and "%" in trend.y_label
    svg = charts.control_chart_svg(trend, "t")
    assert 'class="y-label"' in svg and "sanction detection" in svg
    assert "2017-03: 20.0%" in svg


def test_a_month_not_loaded_is_a_gap_in_the_trend_not_a_zero(make_crimes):
    for month in ("2017-01", "2017-02", "2017-04", "2017-05"):
        make_crimes(month, "Robbery", 10)
    targets = parse_targets(ROBBERY)
    trend = monthly_trend(targets.indicators[0], targets, parse_period("2017-01").start,
                          parse_period("2017-05").start)
    assert trend.months == ["2017-01", "2017-02", "2017-03", "2017-04", "2017-05"]
    assert trend.counts == [10, 10, None, 10, 10]
    assert trend.gaps == ["2017-03: no records loaded"]
    svg = charts.control_chart_svg(trend)
    assert svg.count("<polyline") == 2  # the line breaks at the gap


def test_control_limit_labels_sit_off_the_data_and_the_last_month_label_is_not_clipped(make_crimes):
    for number in range(1, 13):
        make_crimes(f"2017-{number:02d}", "Robbery", 10 + number % 3)
    targets = parse_targets(ROBBERY)
    [chart] = trend_charts(targets, parse_period("2017-12").start)
    svg = chart["svg"]
    plot_right = charts.WIDTH - charts.RIGHT
    label_x = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*class="limit-label"', svg)]
    assert len(label_x) == 3 and all(x > plot_right for x in label_x)
    points_x = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert max(points_x) <= plot_right
    x_labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"[^>]*class="x-label">([^<]+)<', svg)
    assert x_labels[-1][1:] == ("end", "2017-12")  # the last month is labelled, and ends at the plot's edge
    assert float(x_labels[-1][0]) <= plot_right


def test_label_positions_always_include_the_first_and_last_month():
    for n in range(1, 40):
        chosen = charts._label_positions(n)
        assert chosen[0] == 0 and chosen[-1] == n - 1 and len(chosen) <= 9
        assert chosen == sorted(set(chosen))


SURVEY = """[[indicator]]
name = "Confidence"
kind = "survey"
target = 81.0
[[indicator.survey]]
period = "2016-01..2016-03"
value = 76.0
[[indicator.survey]]
period = "2017-01..2017-03"
value = 80.0
label = "quarter 1"
"""


def test_a_survey_value_shows_only_for_its_own_period(london):
    q1_2017 = _one(SURVEY, "2017-02")
    assert (q1_2017.current_value, q1_2017.baseline_value, q1_2017.change_pct) == (80.0, 76.0, pytest.approx(4.0))
    assert "2017-01..2017-03, quarter 1" in q1_2017.explanation
    later = _one(SURVEY, "2017-07..2017-12")
    assert (later.current_value, later.verdict) == (None, "no survey value for this period")
    assert "2016-01..2016-03, 2017-01..2017-03" in later.explanation
    whole_2016 = _one(SURVEY, "2016-01..2016-12")
    assert whole_2016.current_value == 76.0 and whole_2016.baseline_value is None


def test_a_survey_value_with_no_period_is_never_shown_as_a_periods_figure(london):
    legacy = "[[indicator]]\nname='Confidence'\nkind='survey'\ntarget=81\nvalue=80\nperiod_label='quarter 1'\n"
    result = _one(legacy, "2017-07")
    assert (result.current_value, result.verdict) == (None, "no survey value for this period")
    assert "has no period" in result.explanation
    dated = legacy + "period='2017-07..2017-09'\n"
    assert _one(dated, "2017-07").current_value == 80.0
