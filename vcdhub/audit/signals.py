"""Sign-ins, sign-outs and failed sign-ins go on the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from vcdhub.audit.context import acting_as, user_actor_name
from vcdhub.audit.log import record_event
from vcdhub.audit.middleware import client_ip
from vcdhub.audit.models import EntryKind


def _ip(request) -> str:
    return client_ip(request) if request is not None else ""


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    with acting_as(user_actor_name(user), user=user, ip=_ip(request)):
        record_event(EntryKind.AUTH, "login", user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        with acting_as(user_actor_name(user), user=user, ip=_ip(request)):
            record_event(EntryKind.AUTH, "logout", user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with acting_as("anonymous", ip=_ip(request)):
        record_event(EntryKind.AUTH, "login_failed", detail={"username": username})
