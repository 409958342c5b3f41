import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vcdhub.access import actions
from vcdhub.access.choices import Role
from vcdhub.access.models import AccessGrant, ApiToken
from vcdhub.access.policy import has_role, profile
from vcdhub.accounts.forms import DecisionForm, GrantRequestForm, LoginForm, TokenForm, TotpConfirmForm
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind


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
    removed, _ = TOTPDevice.objects.filter(user=request.user).delete()
    if removed:
        record_event(EntryKind.AUTH, "totp_removed", request.user)
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


def grants(request):
    """Ask for time-limited access to another unit's OFFICIAL-SENSITIVE record; supervisors decide."""
    form = GrantRequestForm(request.POST or None) if request.POST.get("action") == "request" else GrantRequestForm()
    if request.method == "POST" and request.POST.get("action") == "request" and form.is_valid():
        d = form.cleaned_data
        actions.request_grant(user=request.user, record=d["record"], reason=d["reason"], days=d["days"],
                              requested_by=request.user)
        messages.success(request, "Request sent to a supervisor.")
        return redirect("access:grants")
    deciding = has_role(request.user, Role.SUPERVISOR, Role.ADMINISTRATOR)
    pending = (AccessGrant.objects.filter(approved_at__isnull=True, revoked_at__isnull=True)
               .exclude(user=request.user).select_related("user", "content_type") if deciding else [])
    return render(request, "access/grants.html", {
        "form": form, "mine": AccessGrant.objects.filter(user=request.user).select_related("content_type"),
        "pending": pending, "decision_form": DecisionForm(), "deciding": deciding,
    })


@require_POST
def grant_decide(request, pk):
    grant = get_object_or_404(AccessGrant, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the full rationale: " + ", ".join(form.errors))
        return redirect("access:grants")
    decide = actions.approve_grant if request.POST.get("decision") == "approve" else actions.refuse_grant
    try:
        decide(grant, approver=request.user, rationale=form.cleaned_data)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("access:grants")
    messages.success(request, f"Decision recorded for {grant}.")
    return redirect("access:grants")
