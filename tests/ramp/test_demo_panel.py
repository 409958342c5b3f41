"""The demo's risk panel (demo.ramp), made through the actions: a case in every state, and offenders with recent
graded intelligence chosen first. The demo's crimes are years older than the harm score's window, so without
that the priority list scored most of the demo's cases 0."""

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.intel.factories import make_report
from tests.people.factories import make_person, make_role
from vcdhub.audit.context import acting_as
from vcdhub.casework.models import Case
from vcdhub.crime.models import Crime
from vcdhub.demo import ramp as demo_ramp
from vcdhub.demo.loader import create_users
from vcdhub.ingest.pipeline import run_import
from vcdhub.intel.models import ReportLink
from vcdhub.ramp.choices import SubjectType
from vcdhub.ramp.models import Referral
from vcdhub.ramp.priority import priority_list

pytestmark = pytest.mark.django_db
MARKING = ("csu", "OFFICIAL-SENSITIVE")


def _demo_people(offenders: int, victims: int) -> list:
    """CSU people as the demo makes them (source ids DEMO-...), each in a real crime as a suspect or a victim."""
    crimes = Crime.objects.exclude(crime_id="").order_by("pk").values_list("crime_id", flat=True)
    crimes = list(crimes[:offenders + victims])
    people = []
    for number, crime in enumerate(crimes):
        person = make_person(*MARKING, source_id=f"DEMO-T{number:05d}")
        make_role(person, crime, *MARKING, role="suspect" if number < offenders else "victim")
        people.append(person)
    return people[:offenders]


def test_the_demo_panel_takes_offenders_with_recent_graded_intelligence_first(london, street_sample):
    assert run_import([street_sample(200)], actor="test").ok
    with acting_as("test:setup"):
        create_users()
    offenders = _demo_people(60, 10)
    needed = sum(count - vulnerable for _, count, vulnerable in demo_ramp.STATES)
    graded = offenders[::3] + offenders[1::3]  # forty: more than the cases about offenders, but not all
    assert needed < len(graded) < len(offenders)
    for grade, person in zip(itertools.cycle("ABC"), graded):
        report = make_report(*MARKING, intelligence_assessment=grade,
                             submitted_at=timezone.now() - dt.timedelta(days=40))
        with acting_as("test:setup"):
            ReportLink.objects.create(report=report, kind="person", person=person)
    with acting_as("demo:setup"):
        made = demo_ramp.load_ramp()
    assert made["cases"] == Case.objects.filter(kind="ramp").count() == sum(n for _, n, _ in demo_ramp.STATES)
    about_offenders = set(Referral.objects.filter(subject_type=SubjectType.OFFENDER).values_list("case__subject_id",
                                                                                                 flat=True))
    assert len(about_offenders) == needed and about_offenders <= {person.pk for person in graded}
    ranked = priority_list(get_user_model().objects.get(username="chair"))
    assert [p for p in ranked if p.subject_type == SubjectType.OFFENDER]
    assert all(p.score > 0 for p in ranked if p.subject_type == SubjectType.OFFENDER)
