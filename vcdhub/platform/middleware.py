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


# Everything is served from this origin; nothing may be loaded from elsewhere (air-gapped networks).
# 'unsafe-inline' is for the small inline scripts of packaged assets (Leaflet's i18n, Swagger UI).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        # Static files are answered by WhiteNoise before authentication runs, so there may be no user.
        user = getattr(request, "user", None)
        if user is not None:
            response.setdefault("Cache-Control", "no-store" if user.is_authenticated else "private")
        return response
