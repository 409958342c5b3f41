"""Each input check is declared once (platform.inputs, geography.inputs, crime.inputs, places.parameters):
the page, the CLI and the action say the same thing about the same bad input."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from vcdhub.crime.inputs import crime_types
from vcdhub.geography.inputs import borough_key, resolve_boroughs
from vcdhub.places.parameters import PERMUTATIONS, check_request
from vcdhub.platform.inputs import InputError, Number, month_span, months_from_options

LAMBETH = "E09000022"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["E09000022", "e09000022", "Lambeth", "LAMBETH", " lambeth ", "Lambeth borough",
                                   "London Borough of Lambeth", "the borough of lambeth"])
def test_a_borough_is_found_by_code_or_name_in_any_case_with_or_without_borough(london, typed):
    assert resolve_boroughs([typed]) == [LAMBETH]


@pytest.mark.django_db
def test_royal_boroughs_and_unknown_boroughs(london):
    assert resolve_boroughs(["Royal Borough of Kingston upon Thames"]) == resolve_boroughs(["kingston upon thames"])
    with pytest.raises(InputError) as caught:
        resolve_boroughs(["Lambeth", "Gotham", "Narnia borough"])
    assert list(caught.value.errors) == ["borough"] and "Gotham, Narnia borough" in str(caught.value)
    assert borough_key("Borough") == "borough"  # the word alone is not emptied into a match for everything


def test_month_ranges_are_checked_field_by_field():
    assert month_span("2017-01", "2017-03")[1].month == 3
    with pytest.raises(InputError) as caught:
        month_span("2017-13", "July")
    assert set(caught.value.errors) == {"month_from", "month_to"}
    with pytest.raises(InputError) as caught:
        month_span("2017-04", "2017-03")
    assert caught.value.errors == {"month_to": "The end month is before the start month."}
    with pytest.raises(InputError, match="first month"):
        month_span("", "2017-03")


def test_the_period_alias_gives_the_same_range_and_refuses_to_be_mixed():
    assert months_from_options({"period": "2017-01..2017-03"}) == ("2017-01", "2017-03")
    assert months_from_options({"period": "2017-02"}) == ("2017-02", "2017-02")
    assert months_from_options({"month_from": "2017-01", "month_to": "2017-03"}) == ("2017-01", "2017-03")
    with pytest.raises(InputError):
        months_from_options({"period": "2017-01..2017-03", "month_from": "2017-01"})


def test_crime_types_are_police_uk_names_exactly():
    assert crime_types(["Robbery", "Robbery", "Drugs"]) == ["Robbery", "Drugs"]
    with pytest.raises(InputError, match="Unknown crime type: robbery"):
        crime_types(["robbery"])
    with pytest.raises(InputError, match="at least one"):
        crime_types([])


@given(st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True),
                 st.booleans().map(str)))
def test_a_declared_number_either_returns_a_value_in_bounds_or_says_why(raw):
    try:
        value = PERMUTATIONS.clean(raw)
    except InputError as exc:
        assert list(exc.errors) == ["permutations"] and exc.errors["permutations"].startswith("Permutations")
        return
    assert value is None or (isinstance(value, int) and 99 <= value <= 9_999)


def test_a_declared_float_refuses_nan_and_infinity():
    share = Number("share", "Share", float, minimum=0.01, maximum=1.0)
    for raw in ("nan", "inf", "-inf", float("nan")):
        with pytest.raises(InputError):
            share.clean(raw)


@pytest.mark.django_db
def test_the_page_the_cli_and_the_action_give_the_same_message_for_the_same_bad_option(client, london):
    from tests.conftest import make_persona

    request = {"kind": "hotspots", "crime_types": ["Robbery"], "month_from": "2017-06", "month_to": "2017-07",
               "level": "ward", "permutations": 5}
    with pytest.raises(InputError) as caught:
        check_request(**request)
    message = caught.value.errors["permutations"]
    assert message == "Permutations must be 99 to 9,999."

    client.force_login(make_persona("vcd_analyst"))
    page = client.post("/places/", {"kind": "hotspots", "crime_type": "Robbery", "month_from": "2017-06",
                                    "month_to": "2017-07", "level": "ward", "permutations": "5"})
    assert message in page.content.decode()

    with pytest.raises(CommandError) as cli:
        call_command("analyse", "hotspots", "--crime-type", "Robbery", "--from", "2017-06", "--to", "2017-07",
                     "--permutations", "5", stdout=io.StringIO())
    assert cli.value.returncode == 2 and str(cli.value) == f"--permutations: {message}"


@pytest.mark.django_db
def test_every_report_takes_from_and_to_and_the_period_alias_still_works(london, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", "equality", "--from", "2017-07", "--to", "2017-07", "--json", stdout=out, stderr=err)
    assert '"from"' in out.getvalue()
    call_command("report", "equality", "--period", "2017-07..2017-07", "--json", stdout=(again := io.StringIO()),
                 stderr=(note := io.StringIO()))
    assert again.getvalue() == out.getvalue() and "deprecated" in note.getvalue()
    call_command("report", "performance", "--from", "2017-07", "--to", "2017-07", "--json", stdout=io.StringIO(),
                 stderr=io.StringIO())
    for bad in (["--from", "2017-08", "--to", "2017-07"], ["--period", "2017-07", "--from", "2017-07"], []):
        with pytest.raises(CommandError) as caught:
            call_command("report", "performance", *bad, stdout=io.StringIO(), stderr=io.StringIO())
        assert caught.value.returncode == 2, bad
