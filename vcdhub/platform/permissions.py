"""Who may use which kind of page. Record visibility itself is decided in access.policy.

Every refusal is on the audit chain: a 403 here writes a DENIED entry naming the page, before it is raised.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from vcdhub.access.policy import has_role, profile
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind


def reads_records(user) -> bool:
    """Record-level pages need at least one visibility rule or grant; authority members read aggregates only."""
    return bool(profile(user).rules)


def deny(request, message: str):
    """Refuse the request (403) and put the refusal on the audit chain."""
    record_event(EntryKind.DENIED, "page", object_type="page", object_id=request.path, reason=message)
    raise PermissionDenied(message)


def records_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not reads_records(request.user):
            deny(request, "Your role reads aggregate reports only.")
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                deny(request, "This page is for " + ", ".join(r.replace("_", " ") for r in roles) + ".")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class ReadsRecords(BasePermission):
    message = "Your role reads aggregate figures only."

    def has_permission(self, request, view):
        allowed = bool(request.user and request.user.is_authenticated and reads_records(request.user))
        if not allowed and request.user and request.user.is_authenticated:
            record_event(EntryKind.DENIED, "api", object_type="api", object_id=request.path,
                         reason=self.message)
        return allowed
