"""`vcdhub people import` and `export`: all or nothing per file, line-numbered errors, re-import changes
nothing, an export imports again unchanged, and hostile files are refused cleanly."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_persona
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry
from vcdhub.people.imports import COLUMNS, ImportRefused, import_people
from vcdhub.people.models import Address, Identifier, Person

pytestmark = pytest.mark.django_db
MARKING = {"owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL", "handling": ""}
GOOD = """source_id,given_name,surname,date_of_birth,street_number,address_1,address_2,town,postcode,pnc
CSU-1,Jon,Smith,1984-03-07,12,Acre Lane,,London,sw21aa,84/1234A
CSU-2,Mary,O'Brien,19900101,,,,,,
CSU-3,,,,,,,,,
CSU-4,Pierre,Dupont,1975,3,Rue de Rivoli,,Paris,75001,
"""


def write(tmp_path, text: str, name: str = "people.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def run(path, user=None):
    with acting_as("test", user=user):
        return import_people(path, actor=user, marking=MARKING)


@pytest.fixture
def investigator(london):
    return make_persona("csu_investigator")


def test_a_file_imports_whole_with_incomplete_and_foreign_records(tmp_path, investigator):
    result = run(write(tmp_path, GOOD), investigator)
    assert (result.rows, result.created) == (4, 4)
    jon = Person.objects.get(source_id="CSU-1")
    assert (jon.birth_year, jon.birth_month, jon.birth_day, jon.owner_unit_id) == (1984, 3, 7, "csu")
    assert Address.objects.get(person=jon).postcode == "SW2 1AA"
    assert Identifier.objects.get(person=jon).value == "84/1234A"
    assert Person.objects.get(source_id="CSU-2").birth_day == 1
    assert Address.objects.get(person__source_id="CSU-4").postcode == "75001"  # not a UK postcode: kept
    assert Person.objects.get(source_id="CSU-3").name == "(no name recorded)"


def test_importing_the_same_file_again_changes_nothing(tmp_path, investigator):
    path = write(tmp_path, GOOD)
    run(path, investigator)
    entries = AuditEntry.objects.count()
    again = run(path, investigator)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 4)
    new = AuditEntry.objects.order_by("seq")[entries:]
    assert [e.kind for e in new] == ["import"]  # the import is recorded; nothing else was written
    changed = run(write(tmp_path, GOOD.replace("Acre Lane", "Brixton Hill"), "moved.csv"), investigator)
    assert (changed.changed, changed.unchanged) == (1, 3)
    assert Address.objects.filter(person__source_id="CSU-1").count() == 2  # the old address is kept


@pytest.mark.parametrize("text, where", [
    (GOOD + "CSU-5,Ann,Lee,1990-02-30,,,,,,\n", "line 6, column 'date_of_birth'"),
    (GOOD + "CSU-1,Jon,Smith,1984-03-07,,,,,,\n", "line 6, column 'source_id'"),
    (GOOD.replace("CSU-2,", ",", 1), "line 3, column 'source_id'"),
    (GOOD + "CSU-9,too,many,cells,,,,,,,,,\n", "line 6"),
    ("source_id,nickname\nX,1\n", "line 1, column 'nickname'"),
    ("given_name\nJon\n", "line 1, column 'source_id'"),
    ("source_id,source_id\nA,B\n", "line 1, column 'source_id'"),
    ("", "file"),
    ("source_id\n", "file"),
    (GOOD + 'CSU-6,"unterminated\n', "line 6"),
    (GOOD + "CSU-7,Ann,Lee,,,,,,," + "x" * 2000 + "\n", "line 6, column 'pnc'"),
    (GOOD + "CSU-\x008,Ann,Lee,,,,,,,\n", "line 6, column 'source_id'"),  # the key, looked up before any save
    (GOOD + "CSU-8,A\x00nn,Lee,,,,,,,\n", "line 6, column 'given_name'"),
])
def test_a_wrong_line_refuses_the_whole_file_and_names_the_line(tmp_path, investigator, text, where):
    with pytest.raises(ImportRefused) as refused:
        run(write(tmp_path, text), investigator)
    assert any(str(e).startswith(where) for e in refused.value.errors), refused.value.errors
    assert not Person.objects.exists()


def test_bytes_that_are_not_utf8_are_named_by_line(tmp_path, investigator):
    path = write(tmp_path, GOOD.encode() + "CSU-8,Zoë,Brontë,,,,,,,\n".encode("latin-1"))
    with pytest.raises(ImportRefused) as refused:
        run(path, investigator)
    assert str(refused.value.errors[0]).startswith("line 6: not UTF-8")
    assert not Person.objects.exists()


def test_a_byte_order_mark_is_allowed(tmp_path, investigator):
    assert run(write(tmp_path, "\ufeff" + GOOD), investigator).created == 4


def test_an_export_imports_again_unchanged(tmp_path, investigator):
    run(write(tmp_path, GOOD), investigator)
    out = io.StringIO()
    call_command("people", "export", "--user", "csu_investigator", stdout=out, stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == COLUMNS and len(rows) == 5
    again = run(write(tmp_path, out.getvalue(), "export.csv"), investigator)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 4)


def test_the_command_imports_and_refuses_with_line_numbers(tmp_path, investigator):
    out, err = io.StringIO(), io.StringIO()
    call_command("people", "import", str(write(tmp_path, GOOD)), "--user", "csu_investigator", "--unit", "csu",
                 stdout=out, stderr=err)
    assert "4 rows: 4 new, 0 changed, 0 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("people", "import", str(write(tmp_path, GOOD + "X,a,b,1984-99,,,,,,\n", "bad.csv")),
                     "--user", "csu_investigator", "--unit", "csu", stdout=out, stderr=err)
    assert "bad.csv: line 6, column 'date_of_birth': month 99 does not exist" in err.getvalue()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("people", "import", str(write(tmp_path, GOOD, "other.csv")), "--user", "csu_investigator",
                     "--unit", "sapphire", stdout=out, stderr=err)
    assert "other.csv: file, column 'owner_unit': You may only make records owned by one of your own units" \
        in err.getvalue()


CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=12), max_size=6),
       header=st.lists(st.sampled_from(COLUMNS + ["junk"]), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_hostile_file_is_imported_whole_or_refused_whole(tmp_path_factory, investigator, header, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path = tmp_path_factory.mktemp("hostile") / "hostile.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    before = set(Person.objects.values_list("pk", flat=True))
    try:
        result = run(path, investigator)
    except ImportRefused as refused:
        assert refused.errors and all(str(e) for e in refused.errors)
        assert set(Person.objects.values_list("pk", flat=True)) == before  # nothing half-written
    else:
        assert result.rows == result.created + result.changed + result.unchanged


def test_the_duplicates_command_prints_pairs_and_clusters_as_json(tmp_path, investigator):
    text = GOOD + "CSU-5,Jonathan,Smyth,1984-03-07,12,Acre Lane,,London,SW2 1AA,\n"
    run(write(tmp_path, text), investigator)
    out = io.StringIO()
    call_command("people", "duplicates", "--json", "--threshold", "0.5", stdout=out, stderr=io.StringIO())
    found = json.loads(out.getvalue())
    assert {"left_source_id": "CSU-1", "right_source_id": "CSU-5"}.items() <= found["pairs"][0].items()
    assert found["clusters"] == [["CSU-1", "CSU-5"]]
    printed = AuditEntry.objects.filter(kind="read", object_type="people.person").values_list("object_id", flat=True)
    assert set(printed) == set(map(str, Person.objects.filter(source_id__in=["CSU-1", "CSU-5"])
                                   .values_list("pk", flat=True)))  # what it printed, read as sensitive


def test_the_duplicates_command_prints_one_line_a_pair_as_text(tmp_path, investigator):
    text = GOOD + "CSU-5,Jonathan,Smyth,1984-03-07,12,Acre Lane,,London,SW2 1AA,\n"
    run(write(tmp_path, text), investigator)
    out = io.StringIO()
    call_command("people", "duplicates", "--threshold", "0.5", stdout=out, stderr=io.StringIO())
    first, *_, summary = out.getvalue().splitlines()
    assert first.split()[:2] == ["CSU-1", "CSU-5"]  # it crashed here: the pairs' fields were misnamed
    assert summary == "1 pair at or above 0.5, in 1 cluster"


def test_a_row_naming_a_hidden_person_refuses_the_file_and_the_refusal_stays_on_the_chain(tmp_path, investigator):
    """The file's transaction is rolled back whole; the refusal recorded inside it went with it."""
    from tests.people.factories import make_person
    from vcdhub.audit.models import EntryKind

    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE")
    with pytest.raises(ImportRefused):
        run(write(tmp_path, f"source_id,given_name\n{hidden.source_id},Ann\n"), investigator)
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="people.person",
                                     object_id=str(hidden.pk), user_id=investigator.pk).count() == 1
    assert Person.objects.count() == 1
