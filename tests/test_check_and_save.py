"""platform.actions.check_and_save: the model's own validation, without a query for a related record the action
already holds, and with every uniqueness and constraint check still made."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.casework.factories import make_case
from vcdhub.audit.context import acting_as
from vcdhub.casework.choices import LinkKind
from vcdhub.casework.models import CaseLink
from vcdhub.platform.actions import StateConflict, check_and_save

pytestmark = pytest.mark.django_db


def test_a_related_record_the_action_holds_is_not_queried_again():
    case = make_case()
    with acting_as("test:actions"), CaptureQueriesContext(connection) as queries:
        check_and_save(CaseLink(case=case, kind=LinkKind.CRIME, crime_ref="abc"))
    assert not [q["sql"] for q in queries.captured_queries if 'FROM "casework_case" ' in q["sql"]]


def test_a_unique_constraint_that_names_a_held_record_is_still_checked():
    """Leaving the held key out of full_clean skipped every unique constraint naming it: the second link reached
    the database and failed there (IntegrityError) instead of being refused with a message."""
    case = make_case()
    with acting_as("test:actions"):
        check_and_save(CaseLink(case=case, kind=LinkKind.CRIME, crime_ref="abc"))
        with pytest.raises(ValidationError) as refused:
            check_and_save(CaseLink(case=case, kind=LinkKind.CRIME, crime_ref="abc"))
    assert refused.value.messages
    assert CaseLink.objects.filter(case=case).count() == 1


def test_a_record_that_only_duplicates_one_held_is_a_conflict_and_with_another_fault_a_plain_refusal():
    """A duplicate is right input the records held do not allow (the API's 409); beside a wrong field it is
    one more fault of the input (a 400 naming both)."""
    case = make_case()
    with acting_as("test:actions"):
        check_and_save(CaseLink(case=case, kind=LinkKind.CRIME, crime_ref="abc"))
        with pytest.raises(StateConflict) as conflict:
            check_and_save(CaseLink(case=case, kind=LinkKind.CRIME, crime_ref="abc"))
        with pytest.raises(ValidationError) as refused:
            check_and_save(CaseLink(case=case, kind=LinkKind.CRIME, crime_ref="abc"), {"note": ["Too long."]})
    assert conflict.value.messages
    assert not isinstance(refused.value, StateConflict)
    assert "note" in refused.value.message_dict and len(refused.value.message_dict) == 2


def test_a_related_record_given_only_by_its_id_is_still_looked_for():
    case = make_case()
    with acting_as("test:actions"), pytest.raises(ValidationError) as refused:
        check_and_save(CaseLink(case_id=case.pk + 100_000, kind=LinkKind.CRIME, crime_ref="abc"))
    assert "case" in refused.value.message_dict
