"""Case-work records for the tests, written directly (the actions are tested on their own)."""

import datetime as dt
import itertools
import uuid

from django.utils import timezone

from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.casework.models import Case, CaseAction, Meeting

_numbers = itertools.count(1)


def make_case(unit: str = "csu", sensitivity: str = "OFFICIAL-SENSITIVE", *, subject=None, state: str = "managed",
              **fields) -> Case:
    """A RAMP case; its subject an OFFICIAL person of the same unit, whom every reader of records may see."""
    number = next(_numbers)
    subject = subject or make_person(unit, "OFFICIAL")
    now = timezone.now()
    values = {"kind": "ramp", "reference": f"RAMP-T-{number:06d}", "state": state, "opened_at": now,
              "state_since": now, "fictitious": True, **fields}
    with acting_as("test:setup"):
        return Case.objects.create(subject=subject, owner_unit_id=unit, sensitivity=sensitivity, **values)


def make_action(case: Case, assignee: str = "probation", due: dt.date | None = None, **fields) -> CaseAction:
    number = next(_numbers)
    values = {"title": f"Action {number}: visit the subject", "due": due or timezone.localdate(),
              "fictitious": True, **fields}
    with acting_as("test:setup"):
        return CaseAction.objects.create(case=case, assignee_id=assignee, owner_unit_id=case.owner_unit_id,
                                         sensitivity=case.sensitivity, descriptors=case.descriptors, **values)


def make_meeting(unit: str = "csu", sensitivity: str = "OFFICIAL-SENSITIVE", **fields) -> Meeting:
    number = next(_numbers)
    starts = (timezone.now() + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    values = {"kind": "ramp", "title": f"RAMP panel {number}", "starts_at": starts,
              "ends_at": starts + dt.timedelta(hours=2), "uid": f"{uuid.uuid4()}@vcdhub", "fictitious": True,
              **fields}
    with acting_as("test:setup"):
        return Meeting.objects.create(owner_unit_id=unit, sensitivity=sensitivity, **values)
