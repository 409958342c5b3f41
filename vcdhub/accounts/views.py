import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vcdhub.access import actions
from vcdhub.access.choices import Sensitivity
from vcdhub.access.grants import may_decide, note_waiting, own_and_waiting, past_decisions
from vcdhub.access.models import AccessGrant, ApiToken
from vcdhub.access.policy import profile
from vcdhub.accounts.forms import DecisionForm, GrantRequestForm, LoginForm, TokenForm, TotpConfirmForm
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.platform.permissions import records_required
from vcdhub.platform.registry import record_choices, record_model
from vcdhub.platform.views import clean_pk


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        device = getattr(form.get_user(), "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
        return response


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def account(request):
    user = request.user
    access = profile(user)
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    context = {
        "units": user.memberships.select_related("unit").order_by("unit__name"),
        "roles": sorted(access.roles),
        "rules": access.rules,
        "grants": AccessGrant.objects.filter(user=user).select_related("content_type", "unit"),
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "pending": pending,
        "pending_qr": _qr_svg(pending.config_url) if pending else "",
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
        "token_form": TokenForm(),
        "confirm_form": TotpConfirmForm(),
        "new_secret": request.session.pop("new_token_secret", ""),
    }
    return render(request, "access/account.html", context)


@require_POST
def totp_start(request):
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    return redirect("access:account")


@require_POST
def totp_confirm(request):
    device = get_object_or_404(TOTPDevice, user=request.user, confirmed=False)
    form = TotpConfirmForm(request.POST)
    if form.is_valid() and device.verify_token(form.cleaned_data["token"].strip()):
        device.confirmed = True
        device.save()
        otp_login(request, device)
        record_event(EntryKind.AUTH, "totp_enrolled", request.user)
        messages.success(request, "Two-factor sign-in is on. You will be asked for a code each time you sign in.")
    else:
        messages.error(request, "That code did not match. Check the time on your device and try again.")
    return redirect("access:account")


@require_POST
def totp_remove(request):
    """Turning the second factor off needs the password again: a session left open must not be enough."""
    if not request.user.check_password(request.POST.get("password", "")):
        record_event(EntryKind.DENIED, "totp_remove", request.user, reason="wrong password")
        messages.error(request, "That is not your password: two-factor sign-in is still on.")
        return redirect("access:account")
    removed, _ = TOTPDevice.objects.filter(user=request.user).delete()  # audited by accounts.signals
    if removed:
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("access:account")


@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()))
        return redirect("access:account")
    _, secret = actions.issue_token(request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
    request.session["new_token_secret"] = secret  # shown once, on the next page
    return redirect("access:account")


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    actions.revoke_token(token, by=request.user)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("access:account")


@records_required
def grants(request):
    """The Access page: your requests and their outcome; for supervisors, the requests waiting for their decision
    and the decisions taken. A request starts from the record's "Request access" (`ask`); a POST here with
    action=request is the same request."""
    if request.method == "POST" and request.POST.get("action") == "request":
        return _request_access(request, GrantRequestForm(request.POST))
    user = request.user
    deciding = may_decide(user)
    mine, pending = own_and_waiting(user)
    note_waiting(user, len(pending))  # the menu's count, without counting again
    _note_targets(pending)  # the requester was told nothing about the id; the supervisor who decides is
    for grant in pending:  # one form per request, its fields' ids its own (labels must find them)
        grant.decision_form = DecisionForm(auto_id=f"decide-{grant.pk}-%s")
    return render(request, "access/grants.html", {
        "mine": mine,
        "pending": pending, "deciding": deciding, "past": past_decisions() if deciding else [],
    })


@records_required
def ask(request, kind: str, pk: str):
    """Ask for access to one record, from its "Request access" button: the kind and the id come in the address.
    The page is the same for a sensitive record, an ordinary one and an id that does not exist (issue 10): the
    record is never looked up."""
    model = _grantable(kind)
    value = clean_pk(model, pk)
    if value is None:
        raise Http404("No such record.")
    target = {"object_type": kind, "object_id": value}
    if request.method == "POST":
        return _request_access(request, GrantRequestForm({**request.POST.dict(), **target}))
    return _ask_page(request, GrantRequestForm(initial=target))


def _grantable(kind: str):
    model = record_model(kind)
    if model is None or kind not in {label for label, _ in record_choices(grantable=True)}:
        raise Http404("No such kind of record.")
    return model


def _request_access(request, form):
    if form.is_valid():
        d = form.cleaned_data
        actions.request_grant(user=request.user, model=d["model"], object_id=d["object_id"], reason=d["reason"],
                              days=d["days"], requested_by=request.user)
        messages.success(request, "Request sent to a supervisor.")
        return redirect("access:grants")
    return _ask_page(request, form, status=400)


def _ask_page(request, form, status: int = 200):
    kind, pk = form["object_type"].value(), form["object_id"].value()
    model = record_model(str(kind or ""))
    name = f"{model._meta.verbose_name} {pk}" if model is not None and pk else "a record"
    asked = (AccessGrant.objects.filter(user=request.user, content_type=ContentType.objects.get_for_model(model),
                                        object_id=str(pk), approved_at__isnull=True, revoked_at__isnull=True)
             .order_by("-requested_at").first() if model is not None and pk else None)
    return render(request, "access/ask.html", {"form": form, "record_name": name, "already": asked},
                  status=status)


def _note_targets(grants: list) -> None:
    """What the supervisor should know before deciding a request by id: whether it names anything to grant.
    One query per record type, not one per request."""
    by_type: dict = {}
    for grant in grants:
        grant.target_note = ""
        if grant.object_id:
            by_type.setdefault(grant.content_type, []).append(grant)
    for content_type, asked in by_type.items():
        model = content_type.model_class()
        ids = {pk for pk in (clean_pk(model, g.object_id) for g in asked) if pk is not None}
        marking = {str(pk): sensitivity for pk, sensitivity in
                   model._default_manager.filter(pk__in=ids).values_list("pk", "sensitivity")}
        for grant in asked:
            if grant.object_id not in marking:
                grant.target_note = "No record has this id: refuse the request."
            elif marking[grant.object_id] != Sensitivity.OFFICIAL_SENSITIVE:
                grant.target_note = "This record is not OFFICIAL-SENSITIVE: it needs no grant."


@records_required
@require_POST
def grant_decide(request, pk):
    grant = get_object_or_404(AccessGrant, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the full rationale: " + ", ".join(
            str(form.fields[name].label).lower() for name in form.errors) + " missing. Nothing was decided.")
        return redirect("access:grants")
    approving = request.POST.get("decision") == "approve"
    decide = actions.approve_grant if approving else actions.refuse_grant
    try:
        decide(grant, approver=request.user, rationale=form.cleaned_data)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("access:grants")
    messages.success(request, f"{'Approved' if approving else 'Refused'}: {grant.user}'s request for {grant.target}"
                              + (f", for {grant.duration}." if approving else "."))
    return redirect("access:grants")
