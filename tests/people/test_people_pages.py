"""The people pages: search, the person's page (what each user may see of it), adding to a person."""

import re

import pytest

from tests.conftest import make_persona
from tests.kit import client_for
from tests.people.factories import make_flag, make_link, make_person, make_role
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.people.models import Identifier, Person, PersonName

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(london):
    return make_persona("vcd_analyst")


def listed(client, **query) -> set[str]:
    response = client.get("/people/", query)
    assert response.status_code == 200
    return {row["object"].source_id for row in response.context["rows"]}


def test_a_flag_the_user_may_not_see_is_left_out_without_a_trace(analyst):
    person = make_person("vcd-analysts", "OFFICIAL", given_name="Dana", surname="Whitlock")
    hidden = make_flag(person, "csu", "OFFICIAL-SENSITIVE", kind="da_perpetrator", detail="DASH high risk 2026")
    shown = make_flag(person, "vcd-analysts", "OFFICIAL", kind="weapons", detail="Carried a blade, 2025")
    analyst_page = page_text(client_for(analyst), f"/people/{person.pk}/")
    assert "Carried a blade" in analyst_page and "DASH high risk" not in analyst_page
    api = client_for(analyst).get("/api/person-flags/", {"person": person.pk}).json()
    assert [f["id"] for f in api["results"]] == [shown.pk]
    csu = client_for(make_persona("csu_investigator"))
    assert "DASH high risk" in csu.get(f"/people/{person.pk}/").content.decode()
    assert AuditEntry.objects.filter(kind=EntryKind.READ, object_type="people.flag", object_id=str(hidden.pk),
                                     user_id=make_persona("csu_investigator").pk).exists()
    with acting_as("test:setup"):
        hidden.delete()
    assert page_text(client_for(analyst), f"/people/{person.pk}/") == analyst_page  # nothing betrays it


def page_text(client, url: str) -> str:
    """The page without what differs on every request (CSP nonces, CSRF tokens)."""
    text = client.get(url).content.decode()
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_victims_and_offenders_of_a_crime_are_seen_together_by_a_user_who_may_read_both(analyst):
    victim = make_person("vcd-analysts", "OFFICIAL", given_name="Vic", surname="Tim")
    suspect = make_person("vcd-analysts", "OFFICIAL", given_name="Sus", surname="Pect")
    secret = make_person("csu", "OFFICIAL-SENSITIVE", given_name="Hidden", surname="Witness")
    make_role(victim, "crime-1", "vcd-analysts", "OFFICIAL", role="victim")
    make_role(suspect, "crime-1", "vcd-analysts", "OFFICIAL", role="suspect")
    make_role(secret, "crime-1", "csu", "OFFICIAL-SENSITIVE", role="witness")
    page = client_for(analyst).get(f"/people/{victim.pk}/")
    together = page.context["roles"][0]["together"]
    assert [r.person.surname for r in together] == ["Pect"]
    assert "Witness" not in page.content.decode()
    csu = client_for(make_persona("csu_investigator")).get(f"/people/{victim.pk}/")
    assert sorted(r.person.surname for r in csu.context["roles"][0]["together"]) == ["Pect", "Witness"]


def test_search_forgives_spelling_nicknames_and_aliases(analyst):
    jonathan = make_person("vcd-analysts", "OFFICIAL", given_name="Jonathan", surname="Smith", birth_year=1984)
    smyth = make_person("vcd-analysts", "OFFICIAL", given_name="Jon", surname="Smyth", birth_year=1985)
    initial = make_person("vcd-analysts", "OFFICIAL", given_name="J", surname="Smith", birth_year=1990)
    other = make_person("vcd-analysts", "OFFICIAL", given_name="Mary", surname="Jones", birth_year=1984)
    with acting_as("test:setup"):
        PersonName.objects.create(person=other, kind="alias", given_name="Jonny", surname="Smith")
        Identifier.objects.create(person=jonathan, kind="pnc", value="84/123456A")
    client = client_for(analyst)
    assert listed(client, name="jon smith") == {p.source_id for p in (jonathan, smyth, initial, other)}
    rows = client.get("/people/", {"name": "jonathan smith"}).context["rows"]
    assert rows[0]["object"] == jonathan  # the name as typed comes first, sound-alikes and aliases after
    assert listed(client, name="smyth") >= {jonathan.source_id, smyth.source_id}
    assert listed(client, name="jon smith", born="1984-1985") == {jonathan.source_id, smyth.source_id,
                                                                  other.source_id}
    assert listed(client, identifier="84/123456a") == {jonathan.source_id}
    assert listed(client, name="mary") == {other.source_id}
    response = client.get("/people/", {"born": "eighties"})
    assert response.status_code == 200 and "born" in response.context["filterset"].errors


def test_a_search_finds_only_people_the_user_may_see(analyst):
    make_person("sapphire", "OFFICIAL-SENSITIVE", given_name="Secret", surname="Smith")
    visible = make_person("vcd-analysts", "OFFICIAL", given_name="Open", surname="Smith")
    assert listed(client_for(analyst), name="smith") == {visible.source_id}
    api = client_for(analyst).get("/api/people/", {"name": "smith"}).json()
    assert [p["source_id"] for p in api["results"]] == [visible.source_id]


def test_people_are_added_and_added_to_through_the_pages(london):
    investigator = make_persona("csu_investigator")
    client = client_for(investigator)
    response = client.post("/people/add/", {"source_id": "CSU-77", "given_name": "Ann", "surname": "Lee",
                                            "date_of_birth": "1990-13-01", "owner_unit": "csu",
                                            "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": ["PERSONAL"]})
    assert response.status_code == 400
    assert "month 13 does not exist" in response.context["form"].errors["date_of_birth"][0]
    response = client.post("/people/add/", {"source_id": "CSU-77", "given_name": "Ann", "surname": "Lee",
                                            "date_of_birth": "1990-12-01", "owner_unit": "csu",
                                            "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": ["PERSONAL"]})
    assert response.status_code == 302
    pk = response["Location"].rstrip("/").split("/")[-1]
    response = client.post(f"/people/{pk}/add/flags/", {
        "kind": "self_harm", "flagged_on": "2026-11-01", "review_on": "2026-10-01", "source": "Custody",
        "owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": ["PERSONAL"]})
    assert response.status_code == 400 and "review_on" in response.context["form"].errors
    response = client.post(f"/people/{pk}/add/flags/", {
        "kind": "self_harm", "flagged_on": "2026-11-01", "review_on": "2027-02-01", "source": "Custody",
        "owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": ["PERSONAL"]})
    assert response.status_code == 302
    assert "Self-harm" in client.get(f"/people/{pk}/").content.decode()
    response = client.post(f"/people/{pk}/edit/", {"source_id": "CSU-77", "given_name": "Ann", "surname": "Leigh",
                                                   "date_of_birth": "1990-12"})
    assert response.status_code == 302
    edited = Person.objects.get(pk=pk)  # an edit changes what is known, and keeps the marking as it was
    assert (edited.surname, edited.date_of_birth, edited.owner_unit_id, edited.sensitivity, edited.descriptors) \
        == ("Leigh", "1990-12", "csu", "OFFICIAL-SENSITIVE", "PERSONAL")
    assert client.get(f"/people/{pk}/add/nonsense/").status_code == 404


def test_links_show_the_other_person_only_when_they_may_be_seen(analyst):
    person = make_person("vcd-analysts", "OFFICIAL", surname="Linked")
    friend = make_person("vcd-analysts", "OFFICIAL", surname="Friend")
    hidden = make_person("csu", "OFFICIAL-SENSITIVE", surname="Partner")
    make_link(person, friend, "vcd-analysts", "OFFICIAL")
    make_link(hidden, person, "vcd-analysts", "OFFICIAL", kind="ex_partner")
    page = client_for(analyst).get(f"/people/{person.pk}/")
    assert [link.other.surname for link in page.context["links"]] == ["Friend"]
    assert "PARTNER" not in page.content.decode()


def test_the_person_page_makes_as_many_queries_for_many_roles_and_links_as_for_one(analyst):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = make_person("vcd-analysts", "OFFICIAL")

    def add(n):
        for _ in range(n):
            other = make_person("vcd-analysts", "OFFICIAL-SENSITIVE")
            make_role(person, f"crime-{other.pk}", "vcd-analysts", "OFFICIAL-SENSITIVE")
            make_role(other, f"crime-{other.pk}", "vcd-analysts", "OFFICIAL", role="suspect")
            make_flag(person, "vcd-analysts", "OFFICIAL-SENSITIVE")
            make_link(person, other, "vcd-analysts", "OFFICIAL")

    client = client_for(analyst)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/people/{person.pk}/").status_code == 200
        return len(captured)

    add(1)
    client.get(f"/people/{person.pk}/")
    few = queries()
    add(6)
    assert queries() == few


def test_flag_reviews_list_what_is_overdue_and_what_falls_due(analyst):
    import datetime as dt

    from django.utils import timezone

    from vcdhub.people.models import Flag

    person = make_person("vcd-analysts", "OFFICIAL")
    today = timezone.localdate()
    flags = {}
    for name, days in (("overdue", -3), ("soon", 20), ("later", 60), ("far", 200)):
        flags[name] = make_flag(person, "vcd-analysts", "OFFICIAL", detail=name)
        with acting_as("test:setup"):
            Flag.objects.filter(pk=flags[name].pk).update(review_on=today + dt.timedelta(days=days))
    make_flag(person, "csu", "OFFICIAL-SENSITIVE", detail="hidden-overdue")
    client = client_for(analyst)

    def shown(review):
        rows = client.get("/people/flags/", {"review": review}).context["rows"]
        return [row["object"].detail for row in rows]

    assert shown("overdue") == ["overdue"]  # the CSU's flag is not the analyst's to see, overdue or not
    assert shown("30") == ["overdue", "soon"]
    assert shown("90") == ["overdue", "soon", "later"]
    assert shown("") == ["overdue", "soon", "later", "far"]  # soonest review first
    assert client.get("/people/flags/", {"review": "tomorrow"}).context["filterset"].errors


def test_the_landing_page_counts_the_flags_to_review_that_the_user_may_see(analyst):
    import datetime as dt

    from django.utils import timezone

    from vcdhub.people.models import Flag

    person = make_person("vcd-analysts", "OFFICIAL")
    today = timezone.localdate()
    for unit, sensitivity, days in (("vcd-analysts", "OFFICIAL", -1), ("vcd-analysts", "OFFICIAL", 10),
                                    ("csu", "OFFICIAL-SENSITIVE", -1), ("vcd-analysts", "OFFICIAL", 100)):
        flag = make_flag(person, unit, sensitivity)
        with acting_as("test:setup"):
            Flag.objects.filter(pk=flag.pk).update(review_on=today + dt.timedelta(days=days))
    reviews = client_for(analyst).get("/").context["reviews"]
    assert (reviews["overdue"], reviews["soon"]) == (1, 1)  # the CSU's overdue flag is not counted for them
    csu = client_for(make_persona("csu_investigator")).get("/").context["reviews"]
    assert (csu["overdue"], csu["soon"]) == (2, 1)  # the CSU sees its own, and the analysts' OFFICIAL ones
    assert "reviews" not in client_for(make_persona("authority_member")).get("/").context


def test_a_part_or_a_link_naming_a_person_the_user_may_not_see_is_not_found(london):
    """A flag, role or place link the user's rules reach, on a person they may not see, would name that person
    on its own page: it is hidden with its person. So is a link with a hidden person at either end."""
    from tests.kit import client_for
    from tests.people.factories import make_link, make_place, make_role

    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE", surname="Hiddenname")
    shown = make_person("csu", "OFFICIAL-SENSITIVE")
    parts = {"flag": make_flag(hidden, "csu", "OFFICIAL-SENSITIVE"),
             "crime role": make_role(hidden, "crime-x", "csu", "OFFICIAL-SENSITIVE"),
             "place link": make_place(hidden, "csu", "OFFICIAL-SENSITIVE"),
             "person link": make_link(shown, hidden, "csu", "OFFICIAL-SENSITIVE")}
    client = client_for(make_persona("csu_investigator"))
    urls = {"flag": "/people/flags/{}/", "crime role": "/people/crime-roles/{}/", "place link":
            "/people/place-links/{}/", "person link": "/people/person-links/{}/"}
    for name, part in parts.items():
        response = client.get(urls[name].format(part.pk))
        assert response.status_code == 404 and "HIDDENNAME" not in response.content.decode().upper(), name
    flags = client.get("/people/flags/").content.decode()
    assert "HIDDENNAME" not in flags.upper()
    assert client.get("/api/person-links/").json()["count"] == 0
