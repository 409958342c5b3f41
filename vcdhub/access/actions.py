"""State changes to access: each runs in a transaction, names its actor, and writes the audit trail."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from vcdhub.access.choices import Role
from vcdhub.access.grants import DECIDERS
from vcdhub.access.models import AccessGrant, ApiToken, Membership, RoleAssignment, Unit
from vcdhub.access.policy import forget, has_role
from vcdhub.audit.context import because
from vcdhub.audit.log import record_change, record_decision, record_event, snapshot
from vcdhub.audit.models import DecisionKind, EntryKind

MAX_GRANT_DAYS = 90


def add_member(user, unit: Unit, *, by) -> Membership:
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(user=user, unit=unit)  # the model logs the change
    forget(user)
    return membership


def assign_role(user, role: str, *, by) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    with transaction.atomic():
        assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role)
    forget(user)
    return assignment


def request_grant(*, user, record=None, model=None, object_id=None, unit: Unit | None = None, reason: str,
                  days: int, requested_by) -> AccessGrant:
    """Ask for time-limited access to one record (`record`, or `model` and `object_id`), or to every record of
    `model` owned by `unit`.

    A request by id is taken whether or not such a record exists, or needs a grant: answering differently
    would tell the requester which ids are OFFICIAL-SENSITIVE. The supervisor who decides sees which it is.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the access is needed."})
    if not 1 <= days <= MAX_GRANT_DAYS:
        raise ValidationError({"days": f"A grant lasts from 1 to {MAX_GRANT_DAYS} days."})
    if record is not None:
        model, object_id = type(record), record.pk
    if (object_id is None) == (unit is None):
        raise ValidationError("A grant names either one record or one unit.")
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()  # the grant runs `days` whole days: from its approval (approve_grant), as asked here
    with because(reason.strip()):
        return AccessGrant.objects.create(
            user=user, content_type=content_type, object_id=str(object_id) if object_id is not None else "",
            unit=unit, reason=reason.strip(), requested_by=requested_by,
            requested_at=now, expires_at=now + dt.timedelta(days=days),
        )


def approve_grant(grant: AccessGrant, *, approver, rationale: dict) -> AccessGrant:
    """A supervisor approves; the approval is a decision with its National Decision Model rationale. The grant
    runs for the time asked from now, not from the request: a request that waited is not cut short."""
    if not has_role(approver, *DECIDERS):
        raise PermissionDenied("Only a supervisor or an administrator can approve access.")
    if approver.pk == grant.user_id:
        raise PermissionDenied("Nobody approves their own access.")
    if grant.approved_at is not None or grant.revoked_at is not None:
        raise ValidationError("This grant has already been decided.")
    with transaction.atomic(), because("access approved"):
        asked = grant.span
        grant.approved_by, grant.approved_at = approver, timezone.now()
        grant.expires_at = grant.approved_at + asked
        grant.save(update_fields=["approved_by", "approved_at", "expires_at"])
        record_decision(grant, kind=DecisionKind.GRANT_ACCESS, summary=f"Access approved: {grant}",
                        decided_by=approver, review_date=grant.expires_at.date(), **rationale)
    forget(grant.user)
    return grant


def refuse_grant(grant: AccessGrant, *, approver, rationale: dict) -> AccessGrant:
    """Refusing access is a decision too, with its rationale."""
    if not has_role(approver, *DECIDERS):
        raise PermissionDenied("Only a supervisor or an administrator can refuse access.")
    if grant.approved_at is not None or grant.revoked_at is not None:
        raise ValidationError("This grant has already been decided.")
    with transaction.atomic(), because("access refused"):
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record_decision(grant, kind=DecisionKind.GRANT_ACCESS, summary=f"Access refused: {grant}",
                        decided_by=approver, review_date=timezone.now().date(), **rationale)
    return grant


def revoke_grant(grant: AccessGrant, *, by, reason: str) -> AccessGrant:
    with because(reason or "access revoked"):
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
    forget(grant.user)
    return grant


def issue_token(user, *, name: str, days: int) -> tuple[ApiToken, str]:
    with transaction.atomic():
        token, secret = ApiToken.issue(user, name, timezone.now() + dt.timedelta(days=days))
        after = {k: v for k, v in snapshot(token).items() if k != "digest"}
        record_change(token, "create", None, after)
    return token, secret


def revoke_token(token: ApiToken, *, by) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(EntryKind.ACCESS, "revoke_token", token)
