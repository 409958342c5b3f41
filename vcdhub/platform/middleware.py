import base64
import functools
import hashlib
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# The API answers 401/403 itself (DRF), so it is not redirected to the login page.
OPEN_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/healthz", "/favicon.ico")
# ... except the human-facing API docs, which send a visitor to sign in like any page.
LOGIN_PAGES_UNDER_API = ("/api/docs/",)


class LoginRequiredMiddleware:
    """Every page needs a signed-in user unless its path is explicitly open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        open_path = request.path.startswith(OPEN_PREFIXES) and not request.path.startswith(LOGIN_PAGES_UNDER_API)
        if not request.user.is_authenticated and not open_path:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class IdleSessionMiddleware:
    """The idle timeout: a session expires SESSION_COOKIE_AGE after its last request, give or take
    SESSION_TOUCH_SECONDS. Saving it on every request (SESSION_SAVE_EVERY_REQUEST) was a database write and a
    signed cookie on every page and API call; here a request saves it only when the last save is over
    SESSION_TOUCH_SECONDS old, so a session can only ever expire that much earlier than a save on every request
    would make it, never later. Sits inside SessionMiddleware, which does the saving."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if session.modified or now - session.get(TOUCHED, 0) > settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now  # marks it modified: SessionMiddleware saves it, with a new expiry
        return response


TOUCHED = "_vcdhub_touched"  # when the session was last saved, in seconds since the epoch


# Everything is served from this origin; nothing may be loaded from elsewhere (air-gapped networks). No inline
# script at all: every script is a static file, configuration travels in data attributes or JSON data blocks
# (<script type="application/json">, never run), and htmx is told not to evaluate code (base.html's htmx-config).
# Inline styles: none in elements, except the authority's report, whose <style> is allowed by its hash (below).
# No style attributes either: colours the server chooses travel in data attributes and are set through the DOM
# (places/swatches.js, map.js), which the policy allows.
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",  # the hashes of INLINE_STYLE_TEMPLATES are added
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}

# The <style> elements that must stay inline: the authority's report is also written as a standalone HTML file and
# a PDF (WeasyPrint), so its styles travel inside it. Each is a template of CSS only, included in a <style> element
# as it is (`<style>{% include "performance/authority.css" %}</style>`); the CSP allows exactly that text.
INLINE_STYLE_TEMPLATES = ("performance/authority.css",)


def inline_style_hash(template_name: str) -> str:
    from django.template.loader import render_to_string

    digest = hashlib.sha256(render_to_string(template_name).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def tile_origin() -> str:
    """The origin of the force's own tile server (settings.VCDHUB_TILE_URL), or ""."""
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(settings.VCDHUB_TILE_URL or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


@functools.cache
def content_security_policy() -> str:
    directives = dict(CSP_DIRECTIVES)
    if tile_origin():  # the basemap's tiles, from the force's own server
        directives["img-src"] = f"{directives['img-src']} {tile_origin()}"
    directives["style-src"] = " ".join([directives["style-src"], *map(inline_style_hash, INLINE_STYLE_TEMPLATES)])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        # Static files are answered by WhiteNoise before authentication runs, so there may be no user.
        user = getattr(request, "user", None)
        if user is not None:
            response.setdefault("Cache-Control", "no-store" if user.is_authenticated else "private")
        return response
