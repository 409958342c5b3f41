"""The error pages (vcdhub/urls.py names them as Django's handler403, handler404 and handler500): each in the
site's layout, saying what happened and what to do.

- 403: the refusal `permissions.deny` raised (already on the audit chain there), and the way on.
- 404: a page that is not there; or a record refused (`permissions.RecordRefused`): the same answer whether the
  record exists or not, with "request access" for a kind of record users may ask for, to users who may ask.
- 500: a static page rendered with no request context and no database, so it shows even when they failed.

Nothing here writes to the audit chain: refusals were recorded where they were decided, exactly once.
"""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse

from vcdhub.platform.permissions import RecordRefused, may_request_access
from vcdhub.platform.registry import record_choices

log = logging.getLogger(__name__)

# What the 500 page says if even its template cannot be rendered.
BARE_500 = ("<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Something went wrong · vcdhub"
            "</title></head><body><main><h1>Something went wrong</h1><p>The hub could not answer this request. "
            "Nothing you were doing has been lost on our side; try again in a minute, and if it happens again tell "
            "the service desk the time and the address of the page.</p><p><a href=\"/\">Go to the home page</a></p>"
            "</main></body></html>")


def forbidden(request, exception=None):
    """403: the refusal's own words (the page's rule says who it is for), then what to do."""
    message = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def ask_url(request, exception: RecordRefused) -> str:
    """The "request access" page for the refused record, when its kind may be asked for and the user may ask.
    It depends only on the kind, the id as given and the user's roles, never on the record."""
    from vcdhub.platform.views import clean_pk

    if not may_request_access(request.user):
        return ""
    if exception.kind not in {label for label, _ in record_choices(grantable=True)}:
        return ""
    pk = clean_pk(exception.model, exception.pk)
    if pk is None:
        return ""
    try:
        return reverse("access:ask", args=[exception.kind, pk])
    except NoReverseMatch:
        return ""


def not_found(request, exception=None):
    """404: a missing page, or a record refused (which reads the same whether it exists or not)."""
    context = {"record": None}
    if isinstance(exception, RecordRefused):
        context = {"record": exception, "record_name": f"{exception.model._meta.verbose_name} {exception.pk}",
                   "ask_url": ask_url(request, exception)}
    return render(request, "404.html", context, status=404)


def server_error(request=None):
    """500: the static page, without the request's context (no user, no session, no database); if even that
    fails, a few lines of plain HTML."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # the page of last resort must answer whatever broke
        log.exception("the 500 page could not be rendered")
        return HttpResponseServerError(BARE_500)
