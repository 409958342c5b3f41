"""Every error page is in the site's layout and says what to do: 403, 404, a refused record (with "request access"
where the user's role may ask) and 500, which renders without the database or a request context.

This module is also a URLconf (the site's, plus a page that fails), for the 500 tests here and the browser tests'
500 page (tests/access/pages.py)."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import path

from tests.access.pages import made_record
from tests.conftest import make_persona
from vcdhub import urls as site_urls
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.platform import errors


def fails(request):
    raise RuntimeError("a bug")


def fails_on_the_database(request):
    raise OperationalError("the database is not answering")


urlpatterns = [path("fails/", fails), path("fails/database/", fails_on_the_database), *site_urls.urlpatterns]
handler403, handler404, handler500 = site_urls.handler403, site_urls.handler404, site_urls.handler500

LAYOUT = ('<a class="skip-link" href="#content">', '<header class="topbar">', '<main id="content"', "<footer>",
          "vcdhub/app.css")


def in_layout(html: str) -> bool:
    return all(part in html for part in LAYOUT)


def says_what_to_do(html: str) -> bool:
    return "<h2>What you can do</h2>" in html and 'href="/">Go to the home page</a>' in html


_record = made_record


def _denied() -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.filter(kind=EntryKind.DENIED).order_by("seq")
                .values_list("action", "object_type", "object_id"))


@pytest.mark.django_db
def test_a_page_refused_to_a_role_is_a_403_in_the_layout_that_says_what_to_do(client, london):
    client.force_login(make_persona("authority_member"))
    before = _denied()
    response = client.get("/crimes/")
    html = response.content.decode()
    assert response.status_code == 403 and in_layout(html) and says_what_to_do(html)
    assert "Your role reads aggregate figures only." in html and '<nav class="modules"' in html
    assert "/crimes/" not in re.search(r'<nav class="modules".*?</nav>', html, re.S).group(0)
    assert _denied() == [*before, ("page", "page", "/crimes/")]  # audited once, as before

    client.force_login(make_persona("vcd_analyst"))
    html = client.get("/audit/").content.decode()
    assert "This page is for auditor." in html and "ask an administrator to give your account the role" in html


@pytest.mark.django_db
def test_a_missing_page_is_a_404_in_the_layout_that_says_what_to_do(client, london):
    client.force_login(make_persona("vcd_analyst"))
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and in_layout(html) and says_what_to_do(html)
    assert "Page not found" in html and "Request access" not in html


def _same_page(html: str, record_id: int) -> str:
    """The page with what must differ taken out: the id asked for, and the per-response CSRF token."""
    html = re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*"', "", html)
    for named in ("crime {}", "Crime {}", "crime.crime/{}/", "/crimes/{}/"):
        html = html.replace(named.format(record_id), named.format("ID"))
    return html


@pytest.mark.django_db
def test_a_refused_record_offers_request_access_and_reads_the_same_as_a_missing_one(client, london):
    client.force_login(make_persona("compass_officer"))
    secret = _record("csu", "OFFICIAL-SENSITIVE")
    missing = secret.pk + 1000
    before = _denied()
    pages = {}
    for pk in (secret.pk, missing):
        response = client.get(f"/crimes/{pk}/")
        html = response.content.decode()
        assert response.status_code == 404 and in_layout(html) and says_what_to_do(html)
        assert f"Crime {pk}: not found, or not open to you" in html
        assert f'href="/account/grants/ask/crime.crime/{pk}/"' in html and f"Request access to crime {pk}" in html
        pages[pk] = _same_page(html, pk)
    assert pages[secret.pk] == pages[missing]  # no oracle of which ids are OFFICIAL-SENSITIVE
    # Refusals are audited exactly as before: one DENIED entry for each, on the record's channel.
    assert _denied() == [*before, ("view", "crime.crime", str(secret.pk)), ("view", "crime.crime", str(missing))]
    # The record's history is refused the same way, with the same offer.
    assert f'href="/account/grants/ask/crime.crime/{secret.pk}/"' in client.get(
        f"/history/crime/crime/{secret.pk}/").content.decode()


@pytest.mark.django_db
def test_no_request_access_for_what_cannot_be_asked_for(client, london):
    client.force_login(make_persona("compass_officer"))
    html = client.get("/crimes/not-a-number/").content.decode()
    assert "not found, or not open to you" in html and "Request access" not in html
    client.force_login(make_persona("authority_member"))  # cannot ask: refused before any record is looked up
    response = client.get(f"/crimes/{_record('csu', 'OFFICIAL-SENSITIVE').pk}/")
    assert response.status_code == 403 and "Request access" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_is_a_static_page_in_the_layout(client, london):
    client.raise_request_exception = False
    client.force_login(make_persona("vcd_analyst"))
    for url in ("/fails/", "/fails/database/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 500 and in_layout(html), url
        assert "Something went wrong" in html and "What you can do" in html and 'href="/">Go to the home page' in html
        assert '<nav class="modules"' not in html  # no user, no menu: nothing that needs the database


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_the_500_page_shows_when_the_database_is_down(client, london):
    """With every query failing, the session and the user cannot be read: the 500 page still answers."""
    client.raise_request_exception = False
    client.force_login(make_persona("vcd_analyst"))
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor",
                    side_effect=OperationalError("connection refused")):
        response = client.get("/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


def test_the_500_handler_needs_no_database_and_no_request_context():
    """No database access is allowed in this test (no django_db mark): touching it would fail the test."""
    response = errors.server_error(RequestFactory().get("/anything/"))
    html = response.content.decode()
    assert response.status_code == 500 and in_layout(html) and "Something went wrong" in html
    assert errors.server_error().status_code == 500


def test_the_500_page_answers_even_when_its_template_cannot_be_rendered():
    with mock.patch("vcdhub.platform.errors.loader.get_template", side_effect=RuntimeError("broken")):
        response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
