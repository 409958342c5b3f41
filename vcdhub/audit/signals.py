"""Sign-ins, sign-outs and failed sign-ins go on the audit trail."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from vcdhub.audit.context import acting_as, attributed, user_actor_name
from vcdhub.audit.log import record_event
from vcdhub.audit.middleware import client_ip
from vcdhub.audit.models import EntryKind


def _ip(request) -> str:
    return client_ip(request) if request is not None else ""


def _request_id() -> str:
    from vcdhub.audit.context import actor_or_none

    current = actor_or_none()
    return current.request_id if current else ""


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    with acting_as(user_actor_name(user), user=user, ip=_ip(request), request_id=_request_id()):
        record_event(EntryKind.AUTH, "login", user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        with acting_as(user_actor_name(user), user=user, ip=_ip(request), request_id=_request_id()):
            record_event(EntryKind.AUTH, "logout", user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with acting_as("anonymous", ip=_ip(request), request_id=_request_id()):
        record_event(EntryKind.AUTH, "login_failed", detail={"username": username})


# Accounts are records too: creating, changing and deleting a user is on the trail. The password hash
# and the last sign-in time are left out (a hash is a secret; sign-ins are audited as such).
_USER_NOISE = {"password", "last_login"}


def _user_snapshot(user) -> dict:
    from vcdhub.audit.log import snapshot

    return {k: v for k, v in snapshot(user).items() if k not in _USER_NOISE}


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def remember_user(sender, instance, **kwargs):
    old = sender._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = _user_snapshot(old) if old is not None else None
    instance._audit_password_before = old.password if old is not None else None


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def log_user_change(sender, instance, created, **kwargs):
    from vcdhub.audit.log import record_change

    before, after = getattr(instance, "_audit_before", None), _user_snapshot(instance)
    password_before = getattr(instance, "_audit_password_before", None)
    with attributed():
        if created or before != after:
            record_change(instance, "create" if created else "update", before, after)
        if not created and password_before is not None and password_before != instance.password:
            # A credential change is its own event: that it changed, and by whom; never the hash.
            record_event(EntryKind.ACCESS, "password_changed", instance, detail={"password": "changed"})


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def log_user_delete(sender, instance, **kwargs):
    from vcdhub.audit.log import record_change

    with attributed():
        record_change(instance, "delete", _user_snapshot(instance), None)
