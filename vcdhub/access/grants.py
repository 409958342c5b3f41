"""Access requests as people see them: who decides, what waits for a decision, what was decided, and how long
a grant runs, said as people say it ("7 days")."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from vcdhub.access.choices import Role
from vcdhub.access.models import AccessGrant
from vcdhub.access.policy import has_role
from vcdhub.audit.models import Decision, DecisionKind

# Who approves or refuses a request (actions.approve_grant and refuse_grant check the same).
DECIDERS = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def may_decide(user) -> bool:
    return has_role(user, *DECIDERS)


WAITING = Q(approved_at__isnull=True, revoked_at__isnull=True)


def waiting(user) -> QuerySet:
    """Requests waiting for a decision that `user` may take (nobody decides their own), oldest first."""
    if not may_decide(user):
        return AccessGrant.objects.none()
    return (AccessGrant.objects.filter(WAITING).exclude(user=user)
            .select_related("user", "content_type", "unit").order_by("requested_at"))


def own_and_waiting(user) -> tuple[list[AccessGrant], list[AccessGrant]]:
    """The user's own requests (newest first) and those waiting for their decision (as `waiting`), in one query."""
    asked = Q(user=user)
    rows = list(AccessGrant.objects.filter(asked | WAITING if may_decide(user) else asked)
                .select_related("user", "content_type", "unit", "approved_by").order_by("-requested_at", "-pk"))
    own = [grant for grant in rows if grant.user_id == user.pk]
    return own, [grant for grant in reversed(rows) if grant.user_id != user.pk]


def waiting_count(user) -> int:
    """How many requests wait for `user`'s decision; counted once per request (cached on the user object, as the
    access profile is). A page that lists them sets the count it listed (`note_waiting`)."""
    cached = getattr(user, "_vcdhub_waiting", None)
    if cached is None:
        cached = waiting(user).count() if may_decide(user) else 0
        note_waiting(user, cached)
    return cached


def note_waiting(user, count: int) -> None:
    try:
        user._vcdhub_waiting = count
    except AttributeError:
        pass


@dataclass(frozen=True)
class PastDecision:
    grant: AccessGrant
    decision: Decision

    @property
    def outcome(self) -> str:
        return "approved" if self.grant.approved_at else "refused"

    @property
    def duration(self) -> str:
        return self.grant.duration


def past_decisions(limit: int = 50) -> list[PastDecision]:
    """The latest decisions on access requests, newest first, each with its request and who decided (two
    queries, whatever the number)."""
    decisions = list(Decision.objects.filter(kind=DecisionKind.GRANT_ACCESS, object_type="access.accessgrant")
                     .select_related("decided_by").order_by("-decided_at", "-pk")[:limit])
    ids = [int(d.object_id) for d in decisions if d.object_id.isdigit()]
    grants = AccessGrant.objects.select_related("user", "content_type", "unit").in_bulk(ids)
    return [PastDecision(grants[int(d.object_id)], d) for d in decisions
            if d.object_id.isdigit() and int(d.object_id) in grants]
