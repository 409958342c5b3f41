"""Generic restricted views: a records module declares a model, a FilterSet, a form and a table, and gets
list, detail, create, edit, delete, CSV export and history.

Each view does, once, what every records page must do:
- it reads through `restrict(user)`, so a user sees only what the access policy lets them see;
- "not found" and "not allowed" are the same 404, and both go on the audit chain as a refused attempt;
- reads of OFFICIAL-SENSITIVE records (a detail page, a list page, an export row) are audited;
- an edit is re-checked after saving: if the editor could no longer see the record, the change is rolled back
  (as NetBox does), so nobody can push a record out of their own sight, or into another unit's, by mistake.
"""

import itertools
from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from vcdhub.access.policy import has_role
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.diff import versions
from vcdhub.audit.log import label as audit_label
from vcdhub.audit.log import record_denied, record_reads
from vcdhub.audit.models import AuditEntry, Decision, EntryKind
from vcdhub.platform.csvsafe import csv_lines, safe_cell
from vcdhub.platform.inputs import InputError
from vcdhub.platform.permissions import RECORD_READERS, RecordRefused, deny, reads_records
from vcdhub.platform.registry import record_model
from vcdhub.platform.tables import Table

BIGGEST_ID = 2**63 - 1


def clean_pk(model, raw) -> object | None:
    """The primary key from URL text, or None when it cannot be one (letters, NUL bytes, a huge number):
    such a request is simply "not found", never a server error."""
    try:
        value = model._meta.pk.to_python(raw)
    except (ValidationError, ValueError, TypeError):
        return None
    if isinstance(value, int) and not 0 < value <= BIGGEST_ID:
        return None
    if isinstance(value, str) and ("\x00" in value or len(value) > 64):
        return None
    return value


def visible_or_none(user, queryset_or_model, pk, channel: str):
    """The record with id `pk` if `user` may see it, else None: "missing" and "not yours" (or an id that cannot
    be one) get the same answer, and either is audited as a refusal on `channel`. No id (None or "") is no
    record, and no attempt; no user is the machine's administrator, who sees every record. For a record a write
    names (a case's subject); `visible_or_404` for the record a page or an API call is about."""
    if pk is None or pk == "":
        return None
    queryset = (queryset_or_model._default_manager.all() if isinstance(queryset_or_model, type)
                else queryset_or_model)
    value = clean_pk(queryset.model, pk)
    found = None
    if value is not None:
        found = (queryset if user is None else queryset.restrict(user)).filter(pk=value).first()
    if found is None:
        record_denied(queryset.model, pk, channel)
    return found


def visible_or_404(user, queryset_or_model, pk, channel: str):
    """The record if `user` may see it; otherwise the same 404 for "missing" and "not yours", audited as a
    refusal (`visible_or_none`). A sensitive record that is found is audited as read on `channel`."""
    obj = visible_or_none(user, queryset_or_model, pk, channel)
    if obj is None:
        model = queryset_or_model if isinstance(queryset_or_model, type) else queryset_or_model.model
        raise RecordRefused(model, pk)  # a 404, answered with a way to ask for access (platform.errors)
    record_reads([obj], channel)
    return obj


class RecordViewMixin:
    """What every generic record view shares: the model, its base queryset, and who may use the view.

    `change_roles`: roles allowed to create, edit and delete (None: nobody through the web; records from
    imports only). Reading needs a visibility rule or grant: aggregate-only users are refused (403, audited).
    """

    model = None
    queryset = None  # base queryset (select_related and so on); restricted per request
    page_rule = RECORD_READERS  # who may open the views (the navigation asks the same rule)
    change_roles: frozenset[str] | None = None
    template_name = ""
    url_namespace = ""  # the URLconf's app_name; by default the model's app label

    def base_queryset(self):
        queryset = self.queryset.all() if self.queryset is not None else self.model._default_manager.all()
        return queryset if queryset.ordered else queryset.order_by("-pk")  # stable pages: newest first

    def get_queryset(self):
        return self.base_queryset().restrict(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        self.page_rule.check(request)
        return super().dispatch(request, *args, **kwargs)

    def check_may_change(self):
        if self.change_roles is None or not has_role(self.request.user, *self.change_roles):
            deny(self.request, f"Your role may not change {self.model._meta.verbose_name_plural}.")

    def urls(self) -> dict[str, str]:
        return record_urls(self.model, self.url_namespace)

    def context(self, **extra) -> dict:
        meta = self.model._meta
        return {"model_name": meta.verbose_name, "model_name_plural": meta.verbose_name_plural,
                "urls": self.urls(), "may_change": self.change_roles is not None
                and has_role(self.request.user, *self.change_roles), **extra}


def record_urls(model, namespace: str = "") -> dict[str, str]:
    """URL names of a model's generic views, by the naming rule record_urlpatterns follows."""
    meta = model._meta
    return {action: f"{namespace or meta.app_label}:{meta.model_name}_{action}"
            for action in ("list", "detail", "add", "edit", "delete", "export")}


class RecordListView(RecordViewMixin, View):
    """A filtered, paged table of the records the user may see. Sensitive rows on the page are audited as read."""

    filterset_class = None
    table: Table | None = None
    paginate_by = 50
    max_page = 200  # deep OFFSET pages are slow and useless: past this, narrow the filter or download the CSV
    template_name = "platform/record_list.html"
    partial_template_name = ""  # what an htmx request (not a boosted one) gets: the results alone

    def filtered(self):
        filterset = self.filterset_class(self.request.GET or None, queryset=self.get_queryset(),
                                         request=self.request)
        if filterset.is_bound and not filterset.is_valid():
            return filterset, self.model._default_manager.none()
        return filterset, filterset.qs

    def get_context(self, filterset, queryset, page) -> dict:
        """Extra context for a module's own list template."""
        return {}

    def count(self, filterset, queryset) -> int:
        """How many records the filter selects. A module with an aggregate table answers from it."""
        return queryset.count()

    def get(self, request, *args, **kwargs):
        filterset, queryset = self.filtered()
        paginator = Paginator(queryset, self.paginate_by)
        paginator.count = self.count(filterset, queryset)  # Paginator.count is a cached property: this is its value
        try:
            number = min(max(int(request.GET.get("page", 1)), 1), self.max_page)
        except ValueError:
            number = 1
        page = paginator.get_page(number)
        record_reads(page.object_list, "list")
        query = request.GET.copy()
        query.pop("page", None)
        context = self.context(filterset=filterset, page=page, total=paginator.count, query=query.urlencode(),
                               max_page=self.max_page, table=self.table,
                               rows=self.table.rows(page.object_list) if self.table else [])
        context.update(self.get_context(filterset, queryset, page))
        htmx = getattr(request, "htmx", None)
        partial = self.partial_template_name and htmx and not htmx.boosted
        return render(request, self.partial_template_name if partial else self.template_name, context)


class RecordDetailView(RecordViewMixin, View):
    """One record, if the user may see it (identical 404 and an audited refusal otherwise)."""

    table: Table | None = None
    template_name = "platform/record_detail.html"

    def get_context(self, obj) -> dict:
        return {}

    def get(self, request, pk, *args, **kwargs):
        obj = visible_or_404(request.user, self.base_queryset(), pk, "view")
        context = self.context(object=obj, fields=self.table.fields(obj) if self.table else [],
                               journal=journal_for(obj), journal_kinds=journal_kinds(),
                               history_url=history_url(obj))
        context.update(self.get_context(obj))
        return render(request, self.template_name, context)


class NoLongerVisible(Exception):
    """An edit would take the record out of its editor's sight: the transaction is rolled back."""


class RecordEditView(RecordViewMixin, View):
    """Create (no pk) or edit a record through the module's form and action.

    `save(form, obj)` is the module's action call: it validates, writes and audits (the default calls
    form.save(), whose model save is change-logged). After saving, the record must still be visible to its
    editor; if not, everything is rolled back and the form says why.
    """

    form_class = None
    template_name = "platform/record_form.html"

    def save(self, form, obj):
        return form.save()

    def get_form(self, data=None, obj=None):
        """The form, bound to `data` when posted; a module whose form is not a ModelForm builds it here."""
        return self.form_class(data, instance=obj)

    def get(self, request, pk=None, *args, **kwargs):
        self.check_may_change()
        obj = visible_or_404(request.user, self.base_queryset(), pk, "edit") if pk is not None else None
        return render(request, self.template_name, self.context(form=self.get_form(None, obj), object=obj))

    def post(self, request, pk=None, *args, **kwargs):
        self.check_may_change()
        obj = visible_or_404(request.user, self.base_queryset(), pk, "edit") if pk is not None else None
        form = self.get_form(request.POST, obj)
        if form.is_valid():
            try:
                with atomic_keeping_refusals():  # a refusal deep in the action outlives the rollback
                    saved = self.save(form, obj)
                    if not self.get_queryset().filter(pk=saved.pk).exists():
                        raise NoLongerVisible
            except NoLongerVisible:
                record_denied(self.model, str(getattr(obj, "pk", "") or "new"), "edit",
                              detail={"why": "the change would hide the record from its editor"})
                form.add_error(None, "Not saved: after this change you could no longer see the record "
                                     "(check the owning unit and the marking).")
            except ValidationError as exc:
                # The action's messages go beside their fields where the form has them, above it otherwise.
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, messages_ in errors.items():
                    for message in messages_:
                        form.add_error(field if field in form.fields else None, message)
            except InputError as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, f"{self.model._meta.verbose_name.capitalize()} saved.")
                return redirect(self.urls()["detail"], pk=saved.pk)
        return render(request, self.template_name, self.context(form=form, object=obj), status=400)


class RecordDeleteView(RecordViewMixin, View):
    template_name = "platform/record_confirm_delete.html"

    def get(self, request, pk, *args, **kwargs):
        self.check_may_change()
        obj = visible_or_404(request.user, self.base_queryset(), pk, "delete")
        return render(request, self.template_name, self.context(object=obj))

    def post(self, request, pk, *args, **kwargs):
        self.check_may_change()
        obj = visible_or_404(request.user, self.base_queryset(), pk, "delete")
        name = str(obj)
        obj.delete()  # change-logged: the last version stays in the history
        messages.success(request, f"Deleted {name}.")
        return redirect(self.urls()["list"])


class RecordExportView(RecordListView):
    """The filtered list as CSV: every visible row in the table's columns, sensitive rows audited as read.

    Cells that a spreadsheet would run as a formula are neutralised (platform.csvsafe). A module whose CSV
    has its own schema (police.uk, say) overrides `stream(queryset)`.
    """

    filename = "vcdhub-records.csv"

    def get_filename(self, filterset) -> str:
        """The download's name; a module may name it after its filter."""
        return self.filename

    def stream(self, queryset) -> Iterable[str]:
        header = [[c.label for c in self.table.columns]]
        rows = ([safe_cell(v) for v in row] for row in self.table.values(queryset.iterator(2000)))
        return csv_lines(itertools.chain(header, rows))

    def get(self, request, *args, **kwargs):
        filterset, queryset = self.filtered()
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponseBadRequest("The filter is not valid: " + "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()),
                content_type="text/plain; charset=utf-8")
        record_reads(queryset.filter(sensitivity="OFFICIAL-SENSITIVE"), "export")
        response = StreamingHttpResponse(self.stream(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename(filterset)}"'
        return response


# --- history and journal: for any registered record ---------------------------------------------------------


def history_url(obj) -> str:
    meta = obj._meta
    return reverse("audit:history", args=[meta.app_label, meta.model_name, obj.pk])


def record_history(request, app_label: str, model_name: str, pk: str):
    """A record's versions, with what changed between them, its decisions and its journal: the corporate
    memory. Any record a module registered; restricted like the record itself."""
    if not reads_records(request.user):
        deny(request, "Your role reads aggregate figures only.")
    model = record_model(f"{app_label}.{model_name}")
    if model is None:
        raise Http404("No such kind of record.")
    obj = visible_or_404(request.user, model, pk, "history")
    label = audit_label(model)
    trail = AuditEntry.objects.filter(object_type=label, object_id=str(obj.pk),
                                      kind__in=[EntryKind.CHANGE, EntryKind.DECISION]).order_by("seq")
    decisions = Decision.objects.filter(object_type=label, object_id=str(obj.pk))
    return render(request, "audit/history.html", {"obj": obj, "versions": versions(trail), "decisions": decisions,
                                                  "model_name": model._meta.verbose_name,
                                                  "journal": journal_for(obj), "journal_kinds": journal_kinds()})


def journal_for(obj):
    from vcdhub.platform.models import JournalEntry

    return JournalEntry.objects.for_record(obj).select_related("author")


def journal_kinds():
    from vcdhub.platform.models import JournalKind

    return JournalKind.choices


def add_journal_entry(request, app_label: str, model_name: str, pk: str):
    """POST a narrative note to a record the user may see; it is audited and restricted with the record."""
    from vcdhub.platform.journal import add_entry

    if request.method != "POST":
        return redirect("home")
    model = record_model(f"{app_label}.{model_name}")
    if model is None:
        raise Http404("No such kind of record.")
    if not reads_records(request.user):
        deny(request, "Your role reads aggregate figures only.")
    obj = visible_or_404(request.user, model, pk, "journal")
    try:
        add_entry(obj, kind=request.POST.get("kind", ""), text=request.POST.get("text", ""), author=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Journal entry added.")
    return redirect(request.POST.get("next") if _safe_next(request) else history_url(obj))


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


__all__ = ["RecordListView", "RecordDetailView", "RecordEditView", "RecordDeleteView", "RecordExportView",
           "visible_or_404", "record_history", "add_journal_entry", "PermissionDenied"]


# --- background jobs ------------------------------------------------------------------------------------------


def _own_job_or_404(request, pk):
    from vcdhub.platform.models import Job

    value = clean_pk(Job, pk)
    job = Job.objects.filter(pk=value, requested_by=request.user).first() if value is not None else None
    if job is None:
        record_denied(Job, pk, "job")
        raise Http404("No such job, or it is not yours.")
    return job


def job_page(request, pk):
    """A job's state: queued, running (with progress where the work reports it), done or failed. The status
    panel polls itself (htmx) until the job ends, then offers the result."""
    from vcdhub.access.choices import Role
    from vcdhub.platform.jobs import label

    job = _own_job_or_404(request, pk)
    return render(request, "platform/job.html", {"job": job, "label": label(job),
                                                 "show_traceback": has_role(request.user, Role.ADMINISTRATOR)})


def job_status(request, pk):
    from vcdhub.access.choices import Role

    job = _own_job_or_404(request, pk)
    response = render(request, "platform/_job_status.html", {
        "job": job, "show_traceback": has_role(request.user, Role.ADMINISTRATOR)})
    # A finished job whose result is a page opens it; a file stays a link on this page, beside the summary.
    if job.finished and job.status == "done" and job.result_url and job.output is None \
            and request.headers.get("HX-Request"):
        response["HX-Redirect"] = job.result_url
    return response


def job_download(request, pk):
    """The file a finished job made, for the user who asked for it."""
    from django.http import HttpResponse

    job = _own_job_or_404(request, pk)
    if job.status != "done" or job.output is None:
        raise Http404("This job has no file to download (yet).")
    response = HttpResponse(bytes(job.output), content_type=job.output_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{job.output_name or f"vcdhub-job-{job.pk}"}"'
    return response
