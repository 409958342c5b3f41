"""The review queue's ranking, worked by hand: each factor's points from configuration, the register's flags and
protocol forms the reader may see, repeat episodes, open cases elsewhere, and how unusual the time missing is
against a Kaplan-Meier estimate over similar episodes."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.casework.factories import make_case
from tests.missing.factories import as_, child, report
from tests.people.factories import make_flag, make_person
from vcdhub.missing import actions, queue

WEIGHTS = {"grade": {"high": 8, "medium": 4, "low": 1, "very_low": 0}, "child": 3, "older_adult": 2,
           "looked_after": 3, "cse": 4, "cce": 4, "mental_health": 2, "dementia": 3, "substance": 1,
           "risk_to_others": 2, "repeat_90d": 1, "repeat_cap": 5, "unusual_duration": 4, "unusual_from": 0.5,
           "open_case": 2}


@pytest.fixture
def team(personas):
    return {"worker": personas["compass_officer"], "csu": personas["csu_investigator"]}


@override_settings(VCDHUB_MISSING_VULNERABILITY=WEIGHTS, VCDHUB_MISSING_MIN_GROUP=1000)
def test_the_rank_is_the_sum_of_its_terms_worked_by_hand(team):
    worker, now = team["worker"], timezone.now()
    # A: a 14-year-old, high risk, from a care home, with exploitation indicators: 8 + 3 + 3 + 4 = 18.
    a = report(worker, subject=child(age=14), grade="high", indicators=["cse"], from_kind="care",
               from_place="Oak House", now=now - dt.timedelta(hours=1), last_seen_at=now - dt.timedelta(hours=2))
    # B: an adult, medium risk, with a mental-health flag on the register the worker may see: 4 + 2 = 6.
    adult = make_person("compass", "OFFICIAL", birth_year=1985)
    make_flag(adult, "compass", "OFFICIAL", kind="mental_health")
    b = report(worker, subject=adult, grade="medium", now=now - dt.timedelta(hours=1),
               last_seen_at=now - dt.timedelta(hours=3))
    # C: an 80-year-old, low risk, a Herbert Protocol form handed over: 1 + 2 + 3 = 6, missing longer than B.
    c = report(worker, subject=make_person("compass", "OFFICIAL", birth_year=now.year - 80, birth_month=1,
                                           birth_day=1), grade="low", now=now - dt.timedelta(hours=1),
               last_seen_at=now - dt.timedelta(hours=9))
    as_(worker, lambda: actions.add_protocol_form(worker, c, {"kind": "herbert", "given_by": "A son",
                                                              "given_at": now, "medical": "Memantine"}))
    ranked = queue.rank(worker, now=now)
    assert [r.case for r in ranked] == [a, c, b]
    assert [r.score for r in ranked] == [18, 6, 6]
    assert {t.factor: t.points for t in ranked[0].terms} == {"grade": 8, "child": 3, "looked_after": 3, "cse": 4}
    assert any("Herbert Protocol" in line for line in ranked[1].explanation)
    assert ranked[2].explanation[1] == "Mental health (the register's mental health flag): +2"
    assert "not enough closed episodes" in ranked[0].comparison.text  # too few to compare: no duration term


@override_settings(VCDHUB_MISSING_VULNERABILITY=WEIGHTS, VCDHUB_MISSING_MIN_GROUP=1000)
def test_a_flag_the_reader_may_not_see_adds_nothing(team, personas):
    worker, now = team["worker"], timezone.now()
    adult = make_person("compass", "OFFICIAL", birth_year=1985)
    make_flag(adult, "csu", "OFFICIAL-SENSITIVE", kind="mental_health")  # the CSU's: compass may not see it
    report(worker, subject=adult, grade="medium", now=now)
    (row,) = queue.rank(worker, now=now)
    assert row.score == 4 and [t.factor for t in row.terms] == ["grade"]


@override_settings(VCDHUB_MISSING_VULNERABILITY=WEIGHTS, VCDHUB_MISSING_MIN_GROUP=1000,
                   VCDHUB_MISSING_REPEAT={"child": {"episodes": 99, "days": 90}, "adult": {"episodes": 99,
                                                                                          "days": 365}})
def test_repeat_episodes_and_an_open_risk_panel_case_add_their_points(team):
    worker, now = team["worker"], timezone.now()
    adult = make_person("compass", "OFFICIAL", birth_year=1990)
    for days in (200, 60, 30):  # two of the three earlier episodes fall in the 90 days
        earlier = report(worker, subject=adult, grade="low", now=now - dt.timedelta(days=days))
        as_(worker, lambda case=earlier: actions.found(worker, case, {
            "found_at": case.missing_episode.last_seen_at + dt.timedelta(hours=5), "found_how": "returned",
            "found_place": "Home", "reason": "Came home."}))
    make_case("compass", "OFFICIAL-SENSITIVE", subject=adult, state="managed")  # an open RAMP case
    current = report(worker, subject=adult, grade="low", now=now)
    (row,) = queue.rank(worker, now=now)
    assert row.case == current and (row.repeats_90, row.repeats_365) == (2, 3)
    assert {t.factor: t.points for t in row.terms} == {"grade": 1, "repeat_90d": 2, "open_case": 2}
    assert row.score == 5


def _closed_medium_adults(worker, now, hours_found):
    """Closed episodes of adults graded medium, one found after each of `hours_found` hours, three weeks ago."""
    for hours in hours_found:
        person = make_person("compass", "OFFICIAL", birth_year=1980)
        seen = now - dt.timedelta(days=20 + hours)
        case = report(worker, subject=person, grade="medium", now=seen + dt.timedelta(minutes=30),
                      last_seen_at=seen)
        as_(worker, lambda case=case, seen=seen, hours=hours: actions.found(worker, case, {
            "found_at": seen + dt.timedelta(hours=hours), "found_how": "by_police", "found_place": "Street",
            "reason": "Found."}))


@override_settings(VCDHUB_MISSING_VULNERABILITY=WEIGHTS, VCDHUB_MISSING_MIN_GROUP=5)
def test_time_missing_against_similar_episodes_by_kaplan_meier(team):
    worker, now = team["worker"], timezone.now()
    # Ten closed episodes of adults graded medium, found after 1, 2, ..., 10 hours, and one still open at 20.
    _closed_medium_adults(worker, now, range(1, 11))
    person = make_person("compass", "OFFICIAL", birth_year=1980)
    current = report(worker, subject=person, grade="medium", now=now - dt.timedelta(hours=19),
                     last_seen_at=now - dt.timedelta(hours=20))
    (row,) = queue.rank(worker, now=now)
    # By hand: the open episode is at risk at every event time; at the k-th hour 12 - k episodes are at risk and
    # one ends, so S(20) = 10/11 * 9/10 * ... * 1/2 = 1/11, and the share that ended sooner is 10/11.
    assert row.case == current
    assert row.comparison.share_shorter == pytest.approx(10 / 11)
    assert row.comparison.text.startswith("missing longer than 90% of similar episodes (adult, medium; 11")
    assert {t.factor: t.points for t in row.terms}["unusual_duration"] == round(4 * 10 / 11, 2)
    assert row.score == pytest.approx(4 + round(4 * 10 / 11, 2))


@override_settings(VCDHUB_MISSING_VULNERABILITY=WEIGHTS, VCDHUB_MISSING_MIN_GROUP=5)
def test_the_comparison_names_a_risk_grade_in_words(team):
    worker, now = team["worker"], timezone.now()
    _closed_medium_adults(worker, now, range(1, 7))
    person = make_person("compass", "OFFICIAL", birth_year=1980)
    report(worker, subject=person, grade="very_low", now=now - dt.timedelta(hours=9),
           last_seen_at=now - dt.timedelta(hours=10))
    (row,) = queue.rank(worker, now=now)
    # One very-low episode is too few, so adults of any grade are the comparison, and the text says why.
    assert row.comparison.text.endswith("; adult, very low has too few)")
    assert "very_low" not in row.comparison.text
