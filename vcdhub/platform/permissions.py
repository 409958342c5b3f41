"""Who may use which kind of page. Record visibility itself is decided in access.policy.

A page's entry condition is a `PageRule`, declared once on its view (`@records_required`, `@role_required(...)`,
or `page_rule = ...` on a class-based view). The view checks it; the navigation asks the same rule
(`may_open`), so a link is offered exactly to the users whose request the page would answer.

Every refusal is on the audit chain: a 403 here writes a DENIED entry naming the page, before it is raised. A
record the user may not see is a `RecordRefused` (a 404, the same for a record that does not exist), which the
404 page answers with a way to ask for access.
"""

from dataclasses import dataclass
from functools import lru_cache, wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, get_urlconf, resolve
from rest_framework.permissions import BasePermission

from vcdhub.access.policy import has_role, profile
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind

AGGREGATE_ONLY = "Your role reads aggregate figures only."


def reads_records(user) -> bool:
    """Record-level pages need at least one visibility rule or grant; authority members read aggregates only."""
    return bool(profile(user).rules)


def may_request_access(user) -> bool:
    """Asking a supervisor for another unit's OFFICIAL-SENSITIVE record is for users who read records: an
    aggregate-only reader could not open the record even with a grant."""
    return reads_records(user)


def deny(request, message: str):
    """Refuse the request (403) and put the refusal on the audit chain."""
    record_event(EntryKind.DENIED, "page", object_type="page", object_id=request.path, reason=message)
    raise PermissionDenied(message)


class RecordRefused(Http404):
    """A record the user may not see, or that does not exist: the two are one answer. It carries what the page
    asked for (the kind of record and the id as given), never whether such a record exists."""

    def __init__(self, model, pk):
        self.model, self.pk = model, pk
        super().__init__(f"No such {model._meta.verbose_name}, or you may not see it.")

    @property
    def kind(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"


@dataclass(frozen=True)
class PageRule:
    """Who may open a page: users who read records (`records`), users with one of `roles` (None: any), or both."""

    records: bool = False
    roles: frozenset[str] | None = None
    refusal: str = AGGREGATE_ONLY

    def allows(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if self.records and not reads_records(user):
            return False
        return self.roles is None or has_role(user, *self.roles)

    def check(self, request) -> None:
        """Refuse (403, audited) a request this rule does not allow."""
        if not self.allows(request.user):
            deny(request, self.refusal)


RECORD_READERS = PageRule(records=True)


def for_roles(*roles: str) -> PageRule:
    return PageRule(roles=frozenset(roles),
                    refusal="This page is for " + ", ".join(r.replace("_", " ") for r in roles) + ".")


def guarded(rule: PageRule):
    """A view decorator: the view checks `rule`, and carries it (`view.page_rule`) for the navigation."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            rule.check(request)
            return view(request, *args, **kwargs)

        wrapper.page_rule = rule
        return wrapper

    return decorate


records_required = guarded(RECORD_READERS)


def role_required(*roles: str):
    return guarded(for_roles(*roles))


def page_rule(view) -> PageRule | None:
    """The rule a view declared: on the function (decorators), or on its class (class-based views)."""
    while view is not None:
        rule = getattr(view, "page_rule", None) or getattr(getattr(view, "view_class", None), "page_rule", None)
        if rule is not None:
            return rule
        view = getattr(view, "__wrapped__", None)
    return None


_NOT_FOUND = object()


@lru_cache(maxsize=512)
def _rule_at(urlconf, path: str):
    """The rule of the view at `path` (None if it declares none, _NOT_FOUND if nothing is there): the same for
    every request while the URLs are the same, and the menu asks it of two dozen pages on every page."""
    try:
        return page_rule(resolve(path, urlconf).func)
    except Resolver404:
        return _NOT_FOUND


def may_open(user, path: str) -> bool:
    """Whether the page at `path` lets `user` in, by the rule its view declares (a view that declares none
    checks only that the user is signed in)."""
    rule = _rule_at(get_urlconf() or settings.ROOT_URLCONF, path)
    if rule is _NOT_FOUND:
        return False
    return rule.allows(user) if rule is not None else bool(getattr(user, "is_authenticated", False))


class ReadsRecords(BasePermission):
    message = AGGREGATE_ONLY

    def has_permission(self, request, view):
        allowed = bool(request.user and request.user.is_authenticated and reads_records(request.user))
        if not allowed and request.user and request.user.is_authenticated:
            record_event(EntryKind.DENIED, "api", object_type="api", object_id=request.path,
                         reason=self.message)
        return allowed
