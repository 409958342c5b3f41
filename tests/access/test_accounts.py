"""Account hardening: throttled sign-in, TOTP second factor, expiring API tokens, idle sessions, headers."""

import datetime as dt
import time

import pytest
from django.conf import settings as settings_module
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD
from vcdhub.access import actions
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_sign_in_and_failures_are_audited(personas):
    client = Client()
    assert _login(client, "vcd_analyst", "wrong").status_code == 200
    assert _login(client, "vcd_analyst").status_code == 302
    kinds = list(AuditEntry.objects.filter(kind=EntryKind.AUTH).values_list("action", "actor"))
    assert ("login_failed", "anonymous") in kinds and ("login", "user:vcd_analyst") in kinds
    failed = AuditEntry.objects.get(kind=EntryKind.AUTH, action="login_failed")
    assert failed.detail == {"username": "vcd_analyst"} and failed.ip == "127.0.0.1"


def test_repeated_failures_lock_the_account_even_for_the_right_password(personas, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "borough_analyst", "not the password")
    response = _login(client, "borough_analyst")
    assert response.status_code == 429 and b"Too many failed sign-ins" in response.content
    assert Client().get("/crimes/").status_code == 302  # still signed out
    # Another user from the same address is not locked (lockout is by username and address).
    assert _login(Client(), "vcd_analyst").status_code == 302


def test_totp_second_factor_is_required_once_enrolled(personas):
    user = personas["csu_investigator"]
    client = Client()
    client.force_login(user)
    client.post("/account/2fa/start/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert b"<svg" in client.get("/account/").content  # the QR code, drawn locally
    client.post("/account/2fa/confirm/", {"token": _wrong_code(device)})
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    _reset_throttle(device)  # a failed code makes the device wait before the next try
    client.post("/account/2fa/confirm/", {"token": f"{totp(device.bin_key):06d}"})
    device.refresh_from_db()
    assert device.confirmed

    fresh = Client()
    response = _login(fresh, "csu_investigator")
    assert response.status_code == 200 and fresh.get("/crimes/").status_code == 302
    response = _login(fresh, "csu_investigator", otp_token=_wrong_code(device))
    assert response.status_code == 200 and fresh.get("/crimes/").status_code == 302
    _reset_throttle(device)
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the enrolment used this time step's code
    response = _login(fresh, "csu_investigator", otp_token=f"{totp(device.bin_key):06d}")
    assert response.status_code == 302
    assert fresh.get("/crimes/").status_code == 200


def _wrong_code(device) -> str:
    return f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"


def _reset_throttle(device) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_api_tokens_act_as_their_user_and_expire(personas):
    user = personas["vcd_analyst"]
    with acting_as("user:vcd_analyst", user=user):
        token, secret = actions.issue_token(user, name="extract", days=30)
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert api.get("/api/boroughs/", **auth).status_code == 200
    assert api.get("/api/boroughs/", HTTP_AUTHORIZATION=f"Bearer {secret[:-2]}xx").status_code == 401
    assert api.get("/api/boroughs/", HTTP_AUTHORIZATION="Bearer vcd_nothere_abc").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert secret not in str(list(AuditEntry.objects.values_list("after", flat=True)))
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    assert api.get("/api/boroughs/", **auth).status_code == 401
    with acting_as("user:vcd_analyst", user=user):
        token2, secret2 = actions.issue_token(user, name="again", days=1)
        actions.revoke_token(token2, by=user)
    assert api.get("/api/boroughs/", HTTP_AUTHORIZATION=f"Bearer {secret2}").status_code == 401


def test_tokens_are_created_on_the_account_page_and_shown_once(personas):
    client = Client()
    client.force_login(personas["vcd_analyst"])
    client.post("/account/tokens/new/", {"name": "weekly robbery extract", "days": 7})
    page = client.get("/account/").content.decode()
    assert 'id="new-token">vcd_' in page
    assert 'id="new-token"' not in client.get("/account/").content.decode()
    assert client.post("/account/tokens/new/", {"name": "too long", "days": 365}).status_code == 302
    assert personas["vcd_analyst"].api_tokens.count() == 1


def test_an_idle_session_expires(personas, settings):
    client = Client()
    assert _login(client, "vcd_analyst").status_code == 302
    assert client.get("/crimes/").status_code == 200
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/crimes/")["Location"].startswith("/accounts/login/")


def test_an_idle_session_is_saved_again_only_once_a_minute_and_never_expires_late(personas, monkeypatch):
    client = Client()
    assert _login(client, "vcd_analyst").status_code == 302
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    saved = session.expire_date
    clock = [time.time()]
    monkeypatch.setattr("vcdhub.platform.middleware.time.time", lambda: clock[0])
    clock[0] += 30  # within the minute: nothing written
    assert client.get("/crimes/").status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date == saved
    clock[0] += 31  # past it: saved again, so the session now expires a full idle period after this request
    assert client.get("/crimes/").status_code == 200
    again = Session.objects.get(pk=session.pk).expire_date
    assert again > saved
    assert (again - timezone.now()).total_seconds() > settings_module.SESSION_COOKIE_AGE - 60


def test_security_headers_and_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["vcd_analyst"])
    response = client.get("/crimes/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin" and response["Cache-Control"] == "no-store"
    assert client.post("/account/tokens/new/", {"name": "x", "days": 1}).status_code == 403  # no CSRF token


def test_password_policy_rejects_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password123", "12345678901234", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a long passphrase nobody guesses")


def test_grants_are_asked_for_and_decided_in_the_app(personas):
    from vcdhub.access.models import AccessGrant
    from vcdhub.audit.models import Decision
    from vcdhub.crime.models import Crime, ImportBatch

    now = timezone.now()
    with acting_as("test:setup"):
        batch = ImportBatch.objects.create(file_name="f", source="f", sha256="e" * 64, kind="street", force="x",
                                           month="2017-07-01", rows=1, imported_by="t", started_at=now,
                                           finished_at=now)
        secret = Crime.objects.create(month="2017-07-01", reported_by="Metropolitan Police Service",
                                      crime_type="Violence and sexual offences", batch=batch, owner_unit_id="csu",
                                      sensitivity="OFFICIAL-SENSITIVE", descriptors="PERSONAL")
        public = Crime.objects.create(month="2017-07-01", reported_by="Metropolitan Police Service",
                                      crime_type="Robbery", batch=batch)
    officer, supervisor = Client(), Client()
    officer.force_login(personas["compass_officer"])
    supervisor.force_login(personas["vcd_supervisor"])
    ask = {"action": "request", "object_type": "crime.crime", "reason": "Linked missing person", "days": 7}
    # A sensitive record, a public one and an id that does not exist get the same answer, so the form tells
    # nobody which ids are OFFICIAL-SENSITIVE.
    answers = []
    for pk in (public.pk, 999_999, secret.pk):
        response = officer.post("/account/grants/", {**ask, "object_id": pk}, follow=True)
        answers.append((response.status_code, response.redirect_chain,
                        [str(m) for m in response.context["messages"]]))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][2] == ["Request sent to a supervisor."]
    grant = AccessGrant.objects.get(object_id=str(secret.pk))
    assert officer.get(f"/crimes/{secret.pk}/").status_code == 404
    # The officer cannot decide their own request; a supervisor sees the three waiting, and what each names.
    assert officer.get("/account/grants/").context["deciding"] is False
    pending = {g.object_id: g.target_note for g in supervisor.get("/account/grants/").context["pending"]}
    assert pending == {str(public.pk): "This record is not OFFICIAL-SENSITIVE: it needs no grant.",
                       "999999": "No record has this id: refuse the request.", str(secret.pk): ""}
    incomplete = supervisor.post(f"/account/grants/{grant.pk}/decide/", {"decision": "approve", "information": "x"})
    assert incomplete.status_code == 302 and not AccessGrant.objects.get(pk=grant.pk).approved_at
    rationale = {"information": "Compass case", "threat_and_risk": "High risk", "powers_and_policy": "APP",
                 "options": "Grant or refuse", "action_taken": "Granted for 7 days"}
    supervisor.post(f"/account/grants/{grant.pk}/decide/", {"decision": "approve", **rationale})
    assert officer.get(f"/crimes/{secret.pk}/").status_code == 200
    decision = Decision.objects.get(object_type="access.accessgrant")
    assert decision.decided_by == personas["vcd_supervisor"] and decision.action_taken == "Granted for 7 days"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(username=st.text(st.characters(exclude_categories=("Cs",)), max_size=400),
       password=st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_any_sign_in_input_is_a_refusal_on_the_audit_trail_never_a_server_error(personas, username, password):
    """Over-long names (300 characters gave a server error on PostgreSQL), NUL bytes, any text at all."""
    client = Client()
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = _login(client, username, password)
    assert response.status_code in (200, 403), response.status_code  # the form again, or locked out
    if response.status_code == 200:
        assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.AUTH, action="login_failed")
    assert failed.exists() or not username.strip() or not password or "\x00" in username + password


def test_a_300_character_name_is_refused_like_a_wrong_password(personas):
    response = _login(Client(), "u" * 300, "whatever")
    assert response.status_code == 200 and "Please enter a correct" in response.content.decode()
    failed = AuditEntry.objects.filter(kind=EntryKind.AUTH, action="login_failed").latest("seq")
    assert failed.detail == {"username": "u" * 150}


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Token nonsense", "Bearer " + "x" * 500])
def test_api_calls_without_valid_credentials_are_refused_401_and_audited(personas, authorization):
    client = Client()
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client.get("/api/crimes/counts/", **extra)
    assert response.status_code == 401
    denied = AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.DENIED, action="api")
    assert denied.count() == 1 and denied.get().object_id == "/api/crimes/counts/"


@pytest.mark.parametrize(("secure", "expected"), [("1", "True 31536000 True"), ("0", "False 0 False")])
def test_secure_cookies_bring_https_redirects_and_hsts(secure, expected):
    import subprocess
    import sys

    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)")
    env = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "vcdhub.settings", "SECURE_COOKIES": secure}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected


def test_credential_changes_are_audited_events_that_never_hold_a_hash(personas):
    from django.contrib import admin

    from vcdhub.access.models import ApiToken

    user = personas["borough_analyst"]
    with acting_as("user:administrator"):  # an administrator resets the password
        user.set_password("another long passphrase 42")
        user.save()
    reset = AuditEntry.objects.filter(action="password_changed", object_id=str(user.pk)).latest("seq")
    assert (reset.actor, reset.detail) == ("user:administrator", {"password": "changed"})
    assert not AuditEntry.objects.filter(detail__icontains=user.password[-20:]).exists()

    # Removing a second factor needs the password; the removal and the refusal are both on the trail.
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(user)
    client.post("/account/2fa/remove/", {"password": "not it"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, action="totp_remove", user_id=user.pk).exists()
    client.post("/account/2fa/remove/", {"password": "another long passphrase 42"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="totp_removed", actor="user:borough_analyst").count() == 1
    # ... by any path: an administrator deleting a device or a token in the admin is audited too.
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    with acting_as("user:administrator"):
        token, _ = actions.issue_token(user, name="extract", days=5)
        device.delete()
        ApiToken.objects.filter(pk=token.pk).delete()
    assert AuditEntry.objects.filter(action="totp_removed", actor="user:administrator").exists()
    assert AuditEntry.objects.filter(action="token_deleted", object_id=str(token.pk)).exists()
    # The admin's bulk "delete selected" (one query, no change log) is switched off.
    assert "delete_selected" not in dict(admin.site.actions)
