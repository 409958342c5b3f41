"""The priority list's harm score against hand-computed values: which crimes and intelligence count, their
weights, their decay on the half-life, the window, and that each reader's score covers only what they may see."""

import datetime as dt
import math

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests.casework.factories import make_case
from tests.intel.factories import make_report
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import Crime, ImportBatch
from vcdhub.geography.models import Lsoa
from vcdhub.intel.models import ReportLink
from vcdhub.people.models import CrimeRole
from vcdhub.ramp.models import Referral
from vcdhub.ramp.priority import priority_list

AS_OF = dt.date(2026, 11, 30)
HARM = {"half_life_days": 365, "window_days": 1000,
        "crime_weights": {"Violence and sexual offences": 365, "Robbery": 365, "Possession of weapons": 180},
        "intelligence_weights": {"3x5x2 A": 60, "3x5x2 B": 45}}


def crime(n: int, crime_type: str, month: dt.date, unit="vcd-analysts", sensitivity="OFFICIAL") -> Crime:
    now = timezone.now()
    batch, _ = ImportBatch.objects.get_or_create(
        sha256="f" * 64, defaults=dict(file_name="force.csv", source="test", kind="street", rows=0,
                                       force="Metropolitan Police Service", month="2017-07-01", imported_by="test",
                                       started_at=now, finished_at=now))
    lsoa = Lsoa.objects.first()
    return Crime.objects.create(crime_id=f"harm{n:060d}", month=month, reported_by="Metropolitan Police Service",
                                falls_within="Metropolitan Police Service", location=f"Place {n}",
                                crime_type=crime_type, owner_unit_id=unit, sensitivity=sensitivity, batch=batch,
                                lsoa_id=lsoa.id, ward_id=lsoa.ward_id, borough_id=lsoa.borough_id)


def role(person, crime_: Crime, kind: str, recorded_on=None, unit="csu", sensitivity="OFFICIAL"):
    return CrimeRole.objects.create(person=person, crime_ref=crime_.crime_id, role=kind, recorded_on=recorded_on,
                                    owner_unit_id=unit, sensitivity=sensitivity)


@pytest.fixture
def scored(personas, london):
    """A case whose subject has, as of 2026-11-30 (a crime is dated by its month, whatever its role's date):
    - a violent offence (suspect) in 2026-11: age 29, weight 365 -> 365 * 0.5 ** (29 / 365)
    - a robbery (charged) in 2025-11: age 394 -> 365 * 0.5 ** (394 / 365)
    - a weapons possession (convicted) dated 2024-12-05: age 725 -> 180 * 0.5 ** (725 / 365)
    - a robbery (convicted) 2023-01-01: age 1429, outside the 1000-day window -> left out
    - a drugs offence (suspect) in 2026-10: age 60, no weight -> listed as unweighted
    - a violent offence where the subject is the VICTIM: not counted for an offender
    - a violent offence (suspect) owned by compass, OFFICIAL-SENSITIVE: counted only for those who may see it
    - an intelligence report graded 2-B-P submitted 2026-05-04 (age 210): 45 * 0.5 ** (210 / 365)
    """
    with acting_as("test:setup"):
        subject = make_person("csu", "OFFICIAL")
        case = make_case("csu", "OFFICIAL-SENSITIVE", subject=subject, state="managed")
        Referral.objects.create(case=case, subject_type="offender", referred_by="t", referring_unit_id="csu",
                                referred_at=timezone.now(), basis="b")
        role(subject, crime(1, "Violence and sexual offences", dt.date(2026, 11, 1)), "suspect", AS_OF)
        role(subject, crime(2, "Robbery", dt.date(2025, 11, 1)), "charged", dt.date(2025, 11, 30))
        role(subject, crime(3, "Possession of weapons", dt.date(2024, 12, 5)), "convicted")
        role(subject, crime(4, "Robbery", dt.date(2023, 1, 1)), "convicted")
        role(subject, crime(5, "Drugs", dt.date(2026, 10, 1)), "suspect", dt.date(2026, 10, 31))
        role(subject, crime(6, "Violence and sexual offences", dt.date(2026, 11, 1)), "victim", AS_OF)
        hidden = crime(7, "Violence and sexual offences", dt.date(2026, 11, 1), "compass", "OFFICIAL-SENSITIVE")
        role(subject, hidden, "suspect", AS_OF, unit="compass", sensitivity="OFFICIAL-SENSITIVE")
        report = make_report("csu", "OFFICIAL-SENSITIVE", source_evaluation="2", intelligence_assessment="B",
                             submitted_at=dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC))
        ReportLink.objects.create(report=report, kind="person", person=subject)
    return case


@override_settings(VCDHUB_RAMP_HARM=HARM)
def test_the_harm_score_is_the_hand_computed_sum_term_by_term(scored, personas):
    [ranked] = priority_list(personas["csu_investigator"], as_of=AS_OF)
    violence, robbery = 365 * 0.5 ** (29 / 365), 365 * 0.5 ** (394 / 365)
    weapons = 180 * 0.5 ** (725 / 365)
    intelligence = 45 * 0.5 ** (210 / 365)
    assert math.isclose(ranked.score, violence + robbery + weapons + intelligence, rel_tol=1e-12)
    terms = {t.category: (t.count, t.weight, round(t.contribution, 6)) for t in ranked.terms}
    assert terms == {"Violence and sexual offences": (1, 365, round(violence, 6)),
                     "Robbery": (1, 365, round(robbery, 6)),
                     "Possession of weapons": (1, 180, round(weapons, 6)),
                     "Intelligence 3x5x2 B": (1, 45, round(intelligence, 6))}
    assert ranked.unweighted == {"Drugs": 1} and ranked.outside_window == 1
    assert ranked.explanation[0].startswith("1 × Violence and sexual offences (weight 365 days each")
    assert any("Drugs: no weight, not counted" in line for line in ranked.explanation)


@override_settings(VCDHUB_RAMP_HARM=HARM)
def test_a_reader_who_may_see_more_crimes_gets_them_counted_and_no_one_else_does(scored, personas):
    csu = priority_list(personas["csu_investigator"], as_of=AS_OF)[0].score
    with acting_as("test:setup"):  # let the CSU see compass's sensitive crime and role
        Crime.objects.filter(crime_id=f"harm{7:060d}").update(sensitivity="OFFICIAL")
        CrimeRole.objects.filter(crime_ref=f"harm{7:060d}").update(sensitivity="OFFICIAL")
    assert math.isclose(priority_list(personas["csu_investigator"], as_of=AS_OF)[0].score,
                        csu + 365 * 0.5 ** (29 / 365))


@override_settings(VCDHUB_RAMP_HARM=HARM)
def test_a_vulnerable_subject_counts_the_crimes_against_them(scored, personas):
    Referral.objects.filter(case=scored).update(subject_type="vulnerable")
    [ranked] = priority_list(personas["csu_investigator"], as_of=AS_OF)
    intelligence = 45 * 0.5 ** (210 / 365)
    # the one violent offence against them (in 2026-11: age 29), and the report
    assert math.isclose(ranked.score, 365 * 0.5 ** (29 / 365) + intelligence)


@override_settings(VCDHUB_RAMP_HARM=HARM)
def test_events_after_the_as_of_date_are_not_counted(scored, personas):
    [ranked] = priority_list(personas["csu_investigator"], as_of=dt.date(2025, 12, 1))
    # robbery (2025-11-01: age 30), weapons (2024-12-05: age 361); the report and the November 2026 crimes came later
    assert math.isclose(ranked.score, 365 * 0.5 ** (30 / 365) + 180 * 0.5 ** (361 / 365))


@override_settings(VCDHUB_RAMP_HARM=HARM)
def test_the_priority_page_and_api_rank_with_the_explanation(scored, personas):
    client = Client()
    client.force_login(personas["csu_investigator"])
    page = client.get("/ramp/priority/")
    assert page.status_code == 200 and scored.reference in page.content.decode()
    rows = client.get("/api/ramp-priority/").json()
    assert rows[0]["reference"] == scored.reference and rows[0]["rank"] == 1
    assert {t["category"] for t in rows[0]["terms"]} >= {"Robbery", "Possession of weapons"}
    other = Client()
    other.force_login(personas["compass_officer"])
    assert other.get("/api/ramp-priority/").json() == []  # the case is the CSU's, OFFICIAL-SENSITIVE


@override_settings(VCDHUB_RAMP_HARM=HARM)
def test_two_cases_about_one_person_each_count_their_own_events(scored, personas):
    """An offender's case counts the crimes they did; a vulnerable person's case about the same person, the crimes
    against them."""
    with acting_as("test:setup"):
        other = make_case("csu", "OFFICIAL-SENSITIVE", subject=scored.subject, state="managed")
        Referral.objects.create(case=other, subject_type="vulnerable", referred_by="t", referring_unit_id="csu",
                                referred_at=timezone.now(), basis="b")
    scores = {p.case.pk: p.score for p in priority_list(personas["csu_investigator"], as_of=AS_OF)}
    intelligence = 45 * 0.5 ** (210 / 365)
    assert math.isclose(scores[other.pk], 365 * 0.5 ** (29 / 365) + intelligence)
    assert scores[scored.pk] > scores[other.pk]
