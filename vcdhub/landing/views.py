"""Each user's landing page: what needs their attention today, from every module they may use.

- the indicators that are off track (performance), for everyone who may open the performance page;
- this month's alerts and emerging hot spots (places: the latest stored runs for the latest month of data);
- access requests waiting for a decision (supervisors: listed by the base template, counted in the menu);
- flags whose review is overdue or due within 30 days (people), for users who read records;
- intelligence waiting for review and proposed links waiting for a decision (intel), for reviewers;
- the case-work actions assigned to the user's units or agency, and overdue case reviews (casework);
- recent audit activity (auditors: ids and metadata only, as on their own screens);
- the data's freshness and coverage, for everyone.

It sits above the analyses in the layers, and asks each module through its public functions.
"""

import datetime as dt

from django.db.models import Count, Max, Min
from django.shortcuts import render
from django.utils import timezone

from vcdhub.access.choices import Role
from vcdhub.access.policy import has_role
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.casework.summary import waiting as casework_waiting
from vcdhub.crime.choices import Kind
from vcdhub.crime.counts import counted_crimes
from vcdhub.crime.coverage import boroughs_with_data, monthly_coverage
from vcdhub.crime.models import ImportBatch
from vcdhub.intel.summary import waiting as intel_waiting
from vcdhub.people.summary import reviews_due
from vcdhub.performance.summary import off_track
from vcdhub.places.latest import latest_findings
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.months import format_month
from vcdhub.platform.permissions import may_open, reads_records

RECENT_AUDIT = 10
REFUSALS_OVER = dt.timedelta(days=7)


def freshness() -> dict:
    """What is loaded: files by kind and force with their months and when they were last imported, the latest
    month of data, the boroughs with data and the months that look partial."""
    kinds = dict(Kind.CHOICES)
    rows = [
        {**row, "kind_label": kinds.get(row["kind"], row["kind"])}
        for row in ImportBatch.objects.filter(superseded_by__isnull=True).values("kind", "force")
        .annotate(files=Count("id"), first=Min("month"), last=Max("month"), imported=Max("finished_at"))
        .order_by("kind", "force")
    ]
    months = monthly_coverage()
    latest = max((m.month for m in months), default=None)
    return {"coverage": rows, "latest_month": latest, "partial_months": [m for m in months if m.partial],
            "boroughs": boroughs_with_data()}


def home(request):
    user = request.user
    disclosure = Disclosure.for_user(user)
    context = {**freshness(), "disclosure": disclosure, "reads_records": reads_records(user),
               "crimes": counted_crimes(user)[1].shown_total(disclosure)}
    month = context["latest_month"]
    if may_open(user, "/performance/"):
        context["off_track"] = off_track(user)
    if month is not None and may_open(user, "/places/"):
        label = format_month(month)
        context["this_month"] = label
        context["findings"] = [(title, latest_findings(user, kind, label))
                               for kind, title in (("alerts", "Trend alerts"), ("emerging", "Emerging hot spots"))]
    if may_open(user, "/people/flags/"):
        context["reviews"] = reviews_due(user)
    if may_open(user, "/intel/queue/"):
        context["intel"] = intel_waiting(user)
    if may_open(user, "/casework/actions/"):
        context["casework"] = casework_waiting(user)
    if has_role(user, Role.AUDITOR):
        entries = AuditEntry.objects.order_by("-seq")
        context["audit_recent"] = entries.only("seq", "at", "kind", "action", "actor", "object_type",
                                               "object_id")[:RECENT_AUDIT]
        context["refusals"] = entries.filter(kind=EntryKind.DENIED, at__gte=timezone.now() - REFUSALS_OVER).count()
    return render(request, "landing/home.html", context)
