"""Credentials removed by any path (the account page, the admin site, a shell) go on the audit chain: a second
factor, or an API token. Adding them is audited where it happens (accounts.views, access.actions)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from vcdhub.access.models import ApiToken
from vcdhub.audit.context import attributed
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="accounts.totp_removed")
def second_factor_removed(sender, instance, **kwargs):
    if instance.confirmed:  # an unfinished enrolment is not a credential
        with attributed():
            record_event(EntryKind.AUTH, "totp_removed", instance.user, detail={"device": instance.name})


@receiver(post_delete, sender=ApiToken, dispatch_uid="accounts.token_deleted")
def token_deleted(sender, instance, **kwargs):
    with attributed():
        record_event(EntryKind.ACCESS, "token_deleted", instance, detail={"name": instance.name})
