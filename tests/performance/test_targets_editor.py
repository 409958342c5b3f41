"""The targets editor (issue 11): one row per indicator, each problem beside its field; the TOML file stays the
import and export format, and round-trips through the form."""

import re

import pytest
from django.test import Client

from tests.conftest import make_persona
from vcdhub.audit.models import AuditEntry
from vcdhub.performance.indicators import parse_targets
from vcdhub.performance.models import TargetSet
from vcdhub.performance.targets import current_targets
from vcdhub.performance.targets_form import indicator_formset, to_toml

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(london):
    client = Client()
    client.force_login(make_persona("vcd_supervisor"))
    return client


def _post_data(client) -> dict:
    """The editor's form as the browser would send it, unchanged."""
    formset = client.get("/performance/targets/").context["formset"]
    data = {f"indicator-{k}": v for k, v in
            {"TOTAL_FORMS": formset.total_form_count(), "INITIAL_FORMS": formset.initial_form_count(),
             "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}.items()}
    for i, form in enumerate(formset.forms):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value in (None, "") or name == "DELETE":
                continue
            data[f"indicator-{i}-{name}"] = value
    data["reason"] = "quarterly review"
    return data


def test_the_editor_shows_one_row_per_indicator_and_saving_unchanged_keeps_the_targets(supervisor):
    before = current_targets()
    page = supervisor.get("/performance/targets/")
    html = page.content.decode()
    assert html.count('<fieldset class="indicator') == len(before.indicators) + 1  # and a blank row to add one
    response = supervisor.post("/performance/targets/", _post_data(supervisor))
    assert response.status_code == 302
    after = current_targets()
    assert after.indicators == before.indicators and after.area_sets == before.area_sets
    entry = AuditEntry.objects.filter(object_type="performance.targetset").latest("seq")
    assert entry.reason == "quarterly review" and entry.actor == "user:vcd_supervisor"


def test_each_problem_is_shown_beside_its_field_and_nothing_is_saved(supervisor):
    data = _post_data(supervisor)
    data["indicator-1-target"] = "500"  # a percentage over 100
    data["indicator-2-crime_types"] = []
    data["indicator-5-surveys"] = "2017-13..2017-14, 80\nquarter 3"
    response = supervisor.post("/performance/targets/", data)
    assert response.status_code == 200 and not TargetSet.objects.exists()
    forms = response.context["formset"].forms
    assert "outside 0.0 to 100.0" in " ".join(forms[1].errors["target"])
    assert "crime types" in " ".join(forms[2].errors["crime_types"])
    survey_errors = " ".join(forms[5].errors["surveys"])
    assert "line 2" in survey_errors  # the line without a percentage, named by its line
    html = response.content.decode()
    assert 'id="form-problems"' in html and "beside their fields" in html
    # Each help text is rendered under the id the field's aria-describedby names.
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for target in described.split():
            assert f'id="{target}"' in html, target


def test_an_indicator_is_added_and_one_removed(supervisor):
    data = _post_data(supervisor)
    total = int(data["indicator-TOTAL_FORMS"])
    new = total - 1  # the blank row
    data.update({f"indicator-{new}-name": "Knife possession", f"indicator-{new}-kind": "reduction",
                 f"indicator-{new}-target": "10", f"indicator-{new}-crime_types": ["Possession of weapons"],
                 f"indicator-{new}-areas": "all"})
    data["indicator-0-DELETE"] = "on"
    assert supervisor.post("/performance/targets/", data).status_code == 302
    names = [i.name for i in current_targets().indicators]
    assert "Knife possession" in names and "Gun-enabled crime" not in names


def test_toml_exports_and_round_trips_through_the_form(supervisor):
    exported = supervisor.get("/performance/targets/", {"format": "toml"})
    assert exported["Content-Disposition"] == 'attachment; filename="vcdhub-targets.toml"'
    text = exported.content.decode()
    assert parse_targets(text).indicators == current_targets().indicators
    targets = parse_targets(text)
    assert to_toml(targets) == text
    assert indicator_formset(targets).initial_form_count() == len(targets.indicators)


def test_a_toml_file_is_still_imported_whole(supervisor):
    text = "[[indicator]]\nname='Robbery'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=7\n"
    assert supervisor.post("/performance/targets/", {"toml": text, "reason": "pilot"}).status_code == 302
    assert [i.name for i in current_targets().indicators] == ["Robbery"]
    bad = supervisor.post("/performance/targets/", {"toml": text.replace("reduction", "reducton"), "reason": "x"})
    assert "'kind' must be one of" in " ".join(bad.context["problems"])
