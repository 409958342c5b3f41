"""Imports from the browser, for administrators: upload a police.uk file, and a background job imports it
(ingest.jobs). The page lists the files the database holds now and the uploader's recent import jobs."""

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from vcdhub.access.choices import Role
from vcdhub.access.policy import has_role
from vcdhub.crime.models import ImportBatch
from vcdhub.ingest.jobs import UPLOAD_SUFFIXES, enqueue_upload
from vcdhub.platform.inputs import InputError
from vcdhub.platform.models import Job
from vcdhub.platform.permissions import deny

SHOWN = 50


class UploadForm(forms.Form):
    file = forms.FileField(label="File", help_text=f"A police.uk file: {', '.join(UPLOAD_SUFFIXES)} "
                           "(a bulk-download zip, or one month's street, outcomes or stop-and-search file).")
    force = forms.CharField(label="Force", required=False, help_text="Only for stop-and-search files whose name "
                            "does not say the force.")
    month = forms.CharField(label="Month (YYYY-MM)", required=False, help_text="Only for stop-and-search files "
                            "whose name does not say the month.")


class UploadSizeCap(FileUploadHandler):
    """Stop reading an upload as soon as it passes the limit, rather than store it all and refuse it after."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.VCDHUB_MAX_UPLOAD_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt  # the size cap must be in place before the body is read; the CSRF check follows, in _imports
def imports(request):
    cap = UploadSizeCap(request)
    request.upload_handlers.insert(0, cap)
    return _imports(request, cap)


@csrf_protect
def _imports(request, cap: UploadSizeCap):
    if not has_role(request.user, Role.ADMINISTRATOR):
        deny(request, "Imports are for administrators.")
    form = UploadForm(request.POST or None, request.FILES or None) if request.method == "POST" else UploadForm()
    if request.method == "POST":
        valid = form.is_valid()
        if cap.too_large:  # the file was never stored, so the form says "required": say why instead
            form.errors["file"] = form.error_class([
                f"The file is larger than the {filesizeformat(settings.VCDHUB_MAX_UPLOAD_BYTES)} limit "
                "(VCDHUB_MAX_UPLOAD_BYTES): import it with `vcdhub import` on the server instead."])
        elif valid:
            data = form.cleaned_data
            try:
                job = enqueue_upload(data["file"], user=request.user, force=data["force"], month=data["month"])
            except InputError as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                return redirect("job", pk=job.pk)
    return render(request, "ingest/imports.html", {
        "form": form,
        "batches": ImportBatch.objects.filter(superseded_by__isnull=True).order_by("-finished_at")[:SHOWN],
        "jobs": Job.objects.filter(kind="ingest.import", requested_by=request.user).order_by("-pk")[:10],
        "max_size": filesizeformat(settings.VCDHUB_MAX_UPLOAD_BYTES),
    })
