import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from vcdhub.access.choices import Role
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.audit.queries import COLUMNS, record_trail, user_activity
from vcdhub.auditing.forms import RecordQueryForm, UserQueryForm
from vcdhub.platform.csvsafe import safe_cell
from vcdhub.platform.permissions import role_required
from vcdhub.platform.registry import record_model
from vcdhub.platform.views import clean_pk


@role_required(Role.AUDITOR)
def index(request):
    """Who accessed a record and when; what a user looked at in a period. Auditors only."""
    entries, title, form_record, form_user = None, "", RecordQueryForm(), UserQueryForm()
    if request.GET.get("q") == "record":
        form_record = RecordQueryForm(request.GET)
        if form_record.is_valid():
            d = form_record.cleaned_data
            entries = record_trail(d["object_type"], d["object_id"])
            title = f"Who accessed {d['object_type']} {d['object_id']}, and when"
    elif request.GET.get("q") == "user":
        form_user = UserQueryForm(request.GET)
        if form_user.is_valid():
            d = form_user.cleaned_data
            entries = user_activity(d["user"], d["date_from"], d["date_to"], d["reads_only"])
            title = f"What {d['username']} looked at, {d['date_from']} to {d['date_to']}"
    shown = None
    if entries is not None:
        # Auditors are audited too.
        record_event(EntryKind.ACCESS, "audit_query", reason=title, detail={"query": request.GET.dict()})
        readable = readable_records(entries, request.user)
        fmt = request.GET.get("format", "")
        if fmt == "csv":
            return _csv(entries, title, readable)
        if fmt == "pdf":
            return _pdf(request, entries, title, readable)
        shown = [_masked(entry, readable) for entry in entries[:500]]
    return render(request, "audit/index.html", {
        "form_record": form_record, "form_user": form_user, "entries": shown,
        "count": entries.count() if entries is not None else 0, "title": title, "columns": COLUMNS,
        "query": request.GET.urlencode(),
    })


WITHHELD = "(withheld: you may not read this record)"


def readable_records(entries, user) -> set[tuple[str, str]]:
    """The (record type, id) pairs in `entries` whose record text the auditor may see: records of a registered
    type that the access policy lets them read, and everything that is not a record (pages, files, users).
    An auditor's role is to see who did what, not to read what they may not; one query per record type."""
    pairs = set(entries.order_by().values_list("object_type", "object_id").distinct())
    readable = set()
    by_type: dict[str, set] = {}
    for object_type, object_id in pairs:
        if record_model(object_type) is None:
            readable.add((object_type, object_id))
        else:
            by_type.setdefault(object_type, set()).add(object_id)
    for object_type, ids in by_type.items():
        model = record_model(object_type)
        pks = {pk for pk in (clean_pk(model, i) for i in ids) if pk is not None}
        seen = model._default_manager.restrict(user).filter(pk__in=pks).values_list("pk", flat=True)
        readable.update((object_type, str(pk)) for pk in seen)
    return readable


def _masked(entry, readable):
    if entry.object_repr and (entry.object_type, entry.object_id) not in readable:
        entry.object_repr = WITHHELD
    return entry


def _rows(entries, readable):
    for entry in entries.iterator(chunk_size=2000):
        entry = _masked(entry, readable)
        yield [timezone.localtime(entry.at).isoformat() if name == "at" else getattr(entry, name)
               for name, _ in COLUMNS]


def _csv(entries, title, readable):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vcdhub-audit.csv"'
    writer = csv.writer(response)
    writer.writerow([label for _, label in COLUMNS])
    # Audit details hold text users typed (reasons, search terms): a spreadsheet must not run any of it.
    writer.writerows([safe_cell(v) for v in row] for row in _rows(entries, readable))
    return response


def _pdf(request, entries, title, readable):
    from weasyprint import HTML

    html = render_to_string("audit/extract.html", {"title": title, "rows": list(_rows(entries, readable)),
                                                   "columns": COLUMNS, "generated": timezone.now(),
                                                   "by": request.user})
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="vcdhub-audit.pdf"'
    return response
