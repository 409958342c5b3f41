"""The Content-Security-Policy allows no inline script and no inline <style> but the authority report's, by its hash:
the header says so, and every main page's HTML keeps to it. That Chromium, enforcing it, reports no violation while
the maps draw and Swagger UI lists the API is checked in the same browser walk as accessibility
(tests/test_accessibility.py), since opening the pages is most of the cost of either."""

import base64
import hashlib
from html.parser import HTMLParser

import pytest

from tests.browser_support import build_site, signed_in_as_each
from tests.conftest import make_persona

# Script types a browser runs; anything else (application/json) is a data block, which the CSP does not govern.
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


class InlineCode(HTMLParser):
    """What a page has inline: scripts that would run, event-handler attributes, <style> texts, style attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.styles, self.style_attributes = [], [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.style_attributes.append(f'<{tag} style="{attrs["style"]}">')
        if tag == "script" and "src" not in attrs and (attrs.get("type") or "").lower() in SCRIPT_TYPES:
            self._in, self.scripts = "script", [*self.scripts, ""]
        elif tag == "style":
            self._in, self.styles = "style", [*self.styles, ""]

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data


def sha256(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def test_the_policy_allows_no_inline_script_and_no_inline_style_element(client, db):
    directives = policy(client.get("/accounts/login/"))
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"] and "'unsafe-eval'" not in directives["style-src"]
    assert directives["style-src"][0] == "'self'"
    assert all(value.startswith("'sha256-") for value in directives["style-src"][1:])
    assert "style-src-elem" not in directives and "script-src-elem" not in directives  # style-src governs both
    assert "style-src-attr" not in directives  # so style-src governs style attributes too: none allowed
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'self'"]


def inline_code(html: str) -> InlineCode:
    found = InlineCode()
    found.feed(html)
    return found


@pytest.mark.django_db
def test_every_main_page_and_htmx_fragment_keeps_to_the_policy(client, london, demo_file):
    """Every main page's HTML, as the user who sees it: no inline script or event handler, no <style> but those
    the policy allows by hash, and no style attribute."""
    site = build_site(demo_file)
    problems = []
    for _, pages in signed_in_as_each(client, site):
        for page in pages:
            response = client.get(page.path)
            assert response.status_code == 200, (page.name, response.status_code)
            allowed_styles = policy(response)["style-src"][1:]
            found = inline_code(response.content.decode())
            problems += [f"{page.name}: inline script {text.strip()[:60]!r}" for text in found.scripts]
            problems += [f"{page.name}: event handler {handler}" for handler in found.handlers]
            problems += [f"{page.name}: <style> whose hash the policy does not allow" for text in found.styles
                         if sha256(text) not in allowed_styles]
            problems += [f"{page.name}: style attribute {attr}" for attr in found.style_attributes]
    client.force_login(make_persona("vcd_analyst"))
    for path in ("/crimes/?crime_type=Robbery", "/crimes/ward-options/?borough=E09000022"):
        response = client.get(path, headers={"HX-Request": "true"})  # the fragments htmx swaps in
        assert response.status_code == 200 and b"<html" not in response.content, path
        found = inline_code(response.content.decode())
        problems += [f"{path} (htmx): {code}" for code in
                     [*found.scripts, *found.handlers, *found.styles, *found.style_attributes]]
    assert not problems, "\n".join(problems)


def test_the_authority_report_style_is_the_one_the_policy_hashes(client, db):
    from django.template.loader import render_to_string

    allowed = policy(client.get("/accounts/login/"))["style-src"][1:]
    assert sha256(render_to_string("performance/authority.css")) in allowed


@pytest.mark.django_db
def test_error_and_access_request_pages_keep_to_the_policy(client, london, settings):
    """The error pages (500 included) and the access-request pages: no inline script, handler, style or style
    attribute, and the policy header on each, whatever its status."""
    from tests.access.pages import ERROR_URLCONF, build_access_pages

    settings.ROOT_URLCONF = ERROR_URLCONF
    client.raise_request_exception = False
    problems = []
    for username, pages in build_access_pages().items():
        client.force_login(make_persona(username))
        for page in pages:
            response = client.get(page.path)
            assert response.status_code == page.status, (page.name, response.status_code)
            assert policy(response)["script-src"] == ["'self'"], page.name
            found = inline_code(response.content.decode())
            problems += [f"{page.name}: {code}" for code in
                         [*found.scripts, *found.handlers, *found.styles, *found.style_attributes]]
    assert not problems, "\n".join(problems)
