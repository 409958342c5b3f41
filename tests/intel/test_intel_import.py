"""`vcdhub intel import` and `export`: graded rows only, all or nothing per file, line-numbered errors,
re-import changes nothing, an export imports again unchanged, and hostile files are refused cleanly."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_persona
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry
from vcdhub.intel.imports import import_reports
from vcdhub.intel.models import Report, ReportLink
from vcdhub.platform.csvimport import ImportRefused

pytestmark = pytest.mark.django_db


def good() -> str:
    rows = [
        "reference,submitted_at,owner_unit,sensitivity,source_evaluation,intelligence_assessment,handling_code,"
        "handling_conditions,text,sanitised_text,person_source_ids,latitude,longitude,grading_scheme",
        "CSU-IR-1,2026-02-01T10:00:00,csu,,1,B,P,,Knife kept at flat 3,,P-1;P-2,51.4620,-0.1160,",
        "CSU-IR-2,2026-02-02T11:30:00+00:00,csu,OFFICIAL,2,C,C,Police only,Named source says X,A source says X,,,,",
        "CSU-IR-3,2025-12-01T09:00:00,csu,,B,2,1,,Legacy grade,,,,,5x5x5",
    ]
    return "\n".join(rows) + "\n"


@pytest.fixture
def investigator(london):
    user = make_persona("csu_investigator")
    make_person("csu", "OFFICIAL-SENSITIVE", source_id="P-1")
    make_person("vcd-analysts", "OFFICIAL", source_id="P-2")
    return user


def write(tmp_path, text, name="intel.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def run(path, user=None):
    with acting_as("test", user=user):
        return import_reports(path, actor=user, sensitivity="OFFICIAL-SENSITIVE")


def test_a_file_of_graded_reports_imports_whole(tmp_path, investigator):
    result = run(write(tmp_path, good()), investigator)
    assert (result.rows, result.created) == (3, 3)
    first = Report.objects.get(reference="CSU-IR-1")
    assert (first.grade, first.state, first.sensitivity, first.needs_sanitising) == (
        "1-B-P", "graded", "OFFICIAL-SENSITIVE", False)
    assert first.lsoa is not None and first.lsoa.borough.name == "Lambeth"
    assert sorted(ReportLink.objects.filter(report=first).values_list("person__source_id", flat=True)) == ["P-1",
                                                                                                          "P-2"]
    coded = Report.objects.get(reference="CSU-IR-2")
    assert (coded.grade, coded.state, coded.needs_sanitising, coded.sensitivity) == ("2-C-C", "sanitised", True,
                                                                                      "OFFICIAL")
    legacy = Report.objects.get(reference="CSU-IR-3")
    assert (legacy.grading_scheme, legacy.grade) == ("5x5x5", "B21")
    assert first.steps.get().step == "import"


def test_importing_the_same_file_again_changes_nothing_and_other_content_is_refused(tmp_path, investigator):
    path = write(tmp_path, good())
    run(path, investigator)
    entries = AuditEntry.objects.count()
    again = run(path, investigator)
    assert (again.created, again.unchanged) == (0, 3)
    assert [e.kind for e in AuditEntry.objects.order_by("seq")[entries:]] == ["import"]
    with pytest.raises(ImportRefused) as refused:
        run(write(tmp_path, good().replace("Knife kept at flat 3", "Knife kept at flat 4"), "changed.csv"),
            investigator)
    assert "line 2, column 'reference'" in str(refused.value)


@pytest.mark.parametrize(("change", "where"), [
    (lambda t: t.replace(",1,B,P,", ",,B,P,"), "line 2, column 'source_evaluation'"),
    (lambda t: t.replace(",1,B,P,", ",4,B,P,"), "line 2, column 'source_evaluation'"),
    (lambda t: t.replace(",2,C,C,Police only,", ",2,C,C,,"), "line 3, column 'handling_conditions'"),
    (lambda t: t.replace(",B,2,1,", ",2,B,P,"), "line 4, column 'source_evaluation'"),  # 3x5x2 grade, 5x5x5 row
    (lambda t: t.replace("P-1;P-2", "P-1;NOBODY"), "line 2, column 'person_source_ids'"),
    (lambda t: t.replace("2026-02-01T10:00:00", "yesterday"), "line 2, column 'submitted_at'"),
    (lambda t: t.replace("CSU-IR-2", "CSU-IR-1"), "line 3, column 'reference'"),
    (lambda t: t.replace(",csu,OFFICIAL,", ",sapphire,OFFICIAL,"), "line 3, column 'owner_unit'"),
    (lambda t: t.replace("51.4620,-0.1160", "91,-0.1160"), "line 2, column 'latitude'"),
    (lambda t: t.replace("Named source says X,A source says X", "Named source says X,Named source says X"),
     "line 3, column 'sanitised_text'"),
    (lambda t: t.replace("reference,", "ref,", 1), "line 1, column 'ref'"),
    (lambda t: "", "file"),
    (lambda t: t.splitlines()[0] + "\n", "file"),
])
def test_a_bad_line_is_named_and_nothing_is_written(tmp_path, investigator, change, where):
    with pytest.raises(ImportRefused) as refused:
        run(write(tmp_path, change(good())), investigator)
    assert where in str(refused.value), str(refused.value)
    assert not Report.objects.exists()


def test_a_user_imports_only_into_their_own_units_and_links_only_people_they_may_see(tmp_path, london):
    compass = make_persona("compass_officer")
    make_person("csu", "OFFICIAL-SENSITIVE", source_id="P-1")
    make_person("vcd-analysts", "OFFICIAL", source_id="P-2")
    with pytest.raises(ImportRefused) as refused:
        run(write(tmp_path, good().replace(",csu,", ",compass,")), compass)
    assert "line 2, column 'person_source_ids'" in str(refused.value)  # P-1 is the CSU's: hidden from Compass
    assert not Report.objects.exists()


def test_the_cli_exports_what_the_user_may_see_and_the_export_imports_again_unchanged(tmp_path, investigator):
    call_command("intel", "import", str(write(tmp_path, good())), "--user", "csu_investigator",
                 stdout=io.StringIO(), stderr=io.StringIO())
    out = tmp_path / "out.csv"
    call_command("intel", "export", "-o", str(out), "--user", "csu_investigator", stderr=io.StringIO())
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["reference"] for r in rows} == {"CSU-IR-1", "CSU-IR-2", "CSU-IR-3"}
    assert {r["person_source_ids"] for r in rows} == {"P-1;P-2", ""}
    assert run(out, investigator).unchanged == 3
    make_persona("compass_officer")
    other = tmp_path / "compass.csv"
    call_command("intel", "export", "-o", str(other), "--user", "compass_officer", stderr=io.StringIO())
    rows = list(csv.DictReader(other.open(encoding="utf-8")))
    assert [r["reference"] for r in rows] == ["CSU-IR-2"]  # the one OFFICIAL report
    stdout = io.StringIO()
    call_command("intel", "export", stdout=stdout, stderr=io.StringIO())  # no user: OFFICIAL reports only
    assert [r["reference"] for r in csv.DictReader(io.StringIO(stdout.getvalue()))] == ["CSU-IR-2"]


def test_the_cli_reports_a_refused_file_line_by_line_and_exits_1(tmp_path, investigator):
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("intel", "import", str(write(tmp_path, good().replace(",1,B,P,", ",9,B,P,"))),
                     "--user", "csu_investigator", stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "line 2, column 'source_evaluation'" in err.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(max_size=40), min_size=14, max_size=14), raw=st.binary(max_size=200))
def test_hostile_files_are_imported_whole_or_refused_whole(tmp_path, investigator, cells, raw):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(good().splitlines()[0].split(","))
    writer.writerow(cells)
    for text in (buffer.getvalue().encode("utf-8", "surrogatepass"), good().encode() + raw):
        before = Report.objects.count()
        path = write(tmp_path, text, "hostile.csv")
        try:
            result = run(path, investigator)
        except ImportRefused as refused:
            assert refused.errors and all(e.reason for e in refused.errors)
            assert Report.objects.count() == before
        else:
            assert Report.objects.count() == before + result.created
