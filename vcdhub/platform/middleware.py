from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# The API answers 401/403 itself (DRF), so it is not redirected to the login page.
OPEN_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a signed-in user unless its path is explicitly open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
