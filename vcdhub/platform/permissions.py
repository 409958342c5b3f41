"""Who may use which kind of page. Record visibility itself is decided in access.policy."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from vcdhub.access.policy import has_role, profile


def reads_records(user) -> bool:
    """Record-level pages need at least one visibility rule or grant; authority members read aggregates only."""
    return bool(profile(user).rules)


def records_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not reads_records(request.user):
            raise PermissionDenied("Your role reads aggregate reports only.")
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied("This page is for " + ", ".join(r.replace("_", " ") for r in roles) + ".")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class ReadsRecords(BasePermission):
    message = "Your role reads aggregate figures only."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and reads_records(request.user))
