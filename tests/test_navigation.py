"""The menu offers each user exactly the pages they may open: every link answers 200 for them, and every page of
the menu's kind that answers 200 for them is in it. An authority member's menu once offered the crime explorer
(a bare 403) and the Access page (of no use to a reader of aggregates)."""

import re

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS, make_persona
from vcdhub.access.models import VisibilityRule
from vcdhub.audit.context import acting_as
from vcdhub.platform.registry import navigation_entries

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="modules"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>(.*?)</a>', re.S)


def menu(client, path="/") -> dict[str, str]:
    """{url: link text} of the menu on `path`."""
    response = client.get(path)
    assert response.status_code == 200, path
    found = NAV.search(response.content.decode())
    assert found, f"no menu on {path}"
    return {url: re.sub(r"<[^>]+>", "", text).strip() for url, text in LINK.findall(found.group(1))}


def menu_pages() -> set[str]:
    """Every page the menu may offer anyone: each registered entry, the API docs and Django's admin."""
    return {reverse(entry.url_name) for entry in navigation_entries()} | {reverse("api-docs"), reverse("admin:index")}


def opens(client, url) -> bool:
    return client.get(url).status_code == 200


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_menu_link_opens_and_every_page_the_persona_may_open_is_in_the_menu(client, london, persona):
    client.force_login(make_persona(persona))
    links = menu(client)
    dead = {url: client.get(url).status_code for url in links if not opens(client, url)}
    assert not dead, f"{persona}'s menu offers pages that refuse them: {dead}"
    missing = {url for url in menu_pages() - set(links) if opens(client, url)}
    assert not missing, f"{persona} may open {missing}, but the menu does not offer it"


def test_an_authority_member_is_offered_neither_the_explorer_nor_the_access_page(client, london):
    client.force_login(make_persona("authority_member"))
    links = menu(client)
    assert reverse("crime:explorer") not in links and reverse("access:grants") not in links
    assert reverse("crime:map") in links  # what they may use is still there
    # ... and the pages themselves refuse them, in the same words the menu went by.
    assert client.get(reverse("crime:explorer")).status_code == 403
    assert client.get(reverse("access:grants")).status_code == 403


def test_the_menu_follows_the_rules_as_data(client, london):
    """The menu asks the page's own rule: with the record rules switched off, an analyst reads aggregates only, and
    the explorer and Access leave the menu as the pages start refusing."""
    client.force_login(make_persona("vcd_analyst"))
    assert reverse("crime:explorer") in menu(client)
    with acting_as("test:setup"):
        for rule in VisibilityRule.objects.all():
            rule.enabled = False
            rule.save()
    links = menu(client)
    assert reverse("crime:explorer") not in links and reverse("access:grants") not in links
    assert client.get(reverse("crime:explorer")).status_code == 403


def test_staff_administrators_are_offered_the_admin(client, london):
    user = make_persona("administrator")
    user.is_staff = True
    user.save()
    client.force_login(user)
    links = menu(client)
    assert links.get(reverse("admin:index")) == "Administration" and opens(client, reverse("admin:index"))
    assert reverse("admin:index") not in menu_for(client, "vcd_analyst")


def menu_for(client, persona) -> dict[str, str]:
    client.force_login(make_persona(persona))
    return menu(client)


def _request(requester, record_id, days=7):
    from vcdhub.access import actions
    from vcdhub.crime.models import Crime

    with acting_as(f"user:{requester.username}", user=requester):
        return actions.request_grant(user=requester, model=Crime, object_id=record_id, reason="Linked case",
                                     days=days, requested_by=requester)


def test_deciders_see_how_many_requests_wait_in_the_menu_and_on_their_landing_page(client, london):
    supervisor = make_persona("vcd_supervisor")
    _request(make_persona("compass_officer"), 101, days=7)
    _request(make_persona("csu_investigator"), 102, days=1)
    _request(supervisor, 103)  # their own: another supervisor decides it
    client.force_login(supervisor)
    access = reverse("access:grants")
    assert menu(client)[access] == "Access 2 waiting for your decision"
    home = client.get("/").content.decode()
    panel = re.search(r'<section class="waiting-panel".*?</section>', home, re.S).group(0)
    assert "Access requests waiting for your decision: 2" in panel
    assert "asks for crime 101 for 7 days" in panel and "asks for crime 102 for 1 day" in panel
    assert "crime 103" not in panel and f'href="{access}#waiting"' in panel
    # Everywhere else the count stays, the list does not.
    assert menu(client, reverse("crime:map"))[access] == "Access 2 waiting for your decision"
    assert "waiting-panel" not in client.get(reverse("crime:map")).content.decode()
    # Those who do not decide see no count and no list.
    client.force_login(make_persona("compass_officer"))
    assert menu(client)[access] == "Access"
    assert "waiting-panel" not in client.get("/").content.decode()


def test_the_landing_page_counts_its_list_in_one_query(client, london):
    """The menu's count on the landing page is the length of the list shown there: asking for both is one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    supervisor = make_persona("vcd_supervisor")
    _request(make_persona("compass_officer"), 101)
    client.force_login(supervisor)
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    asking = [q["sql"] for q in captured if "access_accessgrant" in q["sql"] and '"approved_at" IS NULL' in q["sql"]]
    assert len(asking) == 1, asking
