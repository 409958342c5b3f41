"""Missing-person episodes for the tests: through the actions (as a user reports one), or written directly for the
kit's permission tests."""

import datetime as dt
import itertools

from django.utils import timezone

from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.casework.models import Case
from vcdhub.missing import actions
from vcdhub.missing.models import Episode

_numbers = itertools.count(1)


def as_(user, call):
    with acting_as(f"user:{user.username}", user=user):
        return call()


def child(unit: str = "compass", sensitivity: str = "OFFICIAL", age: int = 15, **fields):
    """A person on the register who is `age` today (born on 1 January)."""
    return make_person(unit, sensitivity, birth_year=timezone.localdate().year - age, birth_month=1, birth_day=1,
                       **fields)


def report(user, *, now: dt.datetime | None = None, **values) -> Case:
    """A report through missing.actions.report, as `user`, with sensible values (any may be overridden)."""
    now = now or timezone.now()
    subject = values.pop("subject", None) or make_person("compass", "OFFICIAL")
    defaults = {"subject": subject, "reported_at": now, "reported_by": "Jane Carer, key worker",
                "reporter_contact": "020 7946 0000", "from_kind": "home", "from_place": "1 Test Street, London",
                "from_postcode": "se1 7pb", "last_seen_at": now - dt.timedelta(hours=3),
                "last_seen_place": "The bus stop on Test Street", "grade": "medium",
                "grade_rationale": "Out of character; no phone.", "owner_unit": "compass",
                "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL"}
    return as_(user, lambda: actions.report(user, {**defaults, **values}, now=now))


def make_episode(unit: str = "compass", sensitivity: str = "OFFICIAL-SENSITIVE", *, subject=None,
                 state: str = "missing", **fields) -> Case:
    """An episode written directly (the kit's permission tests): its subject an OFFICIAL person of the unit."""
    number = next(_numbers)
    subject = subject or make_person(unit, "OFFICIAL")
    now = timezone.now()
    with acting_as("test:setup"):
        case = Case.objects.create(kind="missing", reference=f"MIS-T-{number:06d}", state=state, opened_at=now,
                                   state_since=now, fictitious=True, subject=subject, owner_unit_id=unit,
                                   sensitivity=sensitivity)
        values = {"reported_at": now, "reported_by": "Test reporter", "from_kind": "home",
                  "from_place": "1 Test Street", "last_seen_at": now - dt.timedelta(hours=2), "grade": "medium",
                  "graded_at": now, "grade_rationale": "Test", "reviewed_at": now, "supervised_at": now,
                  "next_review_at": now + dt.timedelta(hours=8), "next_supervision_at": now + dt.timedelta(hours=24),
                  **fields}
        Episode.objects.create(case=case, **values)
    return case
