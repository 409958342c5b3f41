"""API bearer tokens: `Authorization: Bearer vcd_<prefix>_<secret>`, tied to one user and expiring."""

import hmac

from django.utils import timezone
from rest_framework import authentication, exceptions

from vcdhub.access.models import ApiToken
from vcdhub.audit.context import rebind_user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        secret = header[len(self.keyword) + 1:].strip()
        parts = secret.split("_")
        if len(parts) < 3 or parts[0] != "vcd":
            raise exceptions.AuthenticationFailed("Malformed API token.")
        token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.digest, ApiToken.hash_secret(secret)):
            raise exceptions.AuthenticationFailed("Invalid API token.")
        if not token.is_active:
            raise exceptions.AuthenticationFailed("This API token has expired or been revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The request's actor was set before DRF knew the user; name the token's user from here on.
        rebind_user(token.user)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword

