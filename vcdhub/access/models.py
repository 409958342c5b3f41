"""Units, memberships and roles; visibility rules stored as data; time-limited grants; API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from vcdhub.access.choices import Role, Scope, Sensitivity, UnitKind
from vcdhub.access.durations import say_days
from vcdhub.audit.changelog import ChangeLoggedModel


class Unit(ChangeLoggedModel):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    borough_code = models.CharField(max_length=12, blank=True, help_text="GSS code, for borough units")

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(ChangeLoggedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        unique_together = [("user", "unit")]

    def __str__(self) -> str:
        return f"{self.user} in {self.unit}"


class RoleAssignment(ChangeLoggedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        unique_together = [("user", "role")]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class VisibilityRule(ChangeLoggedModel):
    """One way a user may come to see records. A user sees a record when any enabled rule grants it.

    Administrators change these in the app; no code change is needed. Explicit, time-limited grants
    (AccessGrant) are the other way in, for OFFICIAL-SENSITIVE records of other units.
    """

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    roles = models.JSONField(default=list, help_text="Roles the rule applies to")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    max_sensitivity = models.CharField(max_length=20, choices=Sensitivity.choices,
                                       help_text="The most sensitive marking the rule reaches")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccessGrant(ChangeLoggedModel):
    """An explicit, time-limited grant to see another unit's OFFICIAL-SENSITIVE record(s).

    Either one record (content_type + object_id) or every record of a model owned by `unit`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE)
    reason = models.TextField(help_text="Why the user needs to see it")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(object_id="") & models.Q(unit__isnull=False))
                | (~models.Q(object_id="") & models.Q(unit__isnull=True)),
                name="grant_names_a_record_or_a_unit",
            )
        ]

    def __str__(self) -> str:
        target = f"record {self.object_id}" if self.object_id else f"{self.unit} records"
        return f"{self.user}: {self.content_type.model} {target} until {self.expires_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.approved_at is not None and self.revoked_at is None and self.expires_at > now

    @property
    def span(self):
        """How long the grant runs: from its approval (actions.approve_grant starts the clock there), or as asked."""
        return self.expires_at - (self.approved_at or self.requested_at)

    @property
    def duration(self) -> str:
        """The span as people say it: "7 days"."""
        return say_days(self.span)

    @property
    def target(self) -> str:
        """What the grant opens, in words: "crime 123", or "every crime of Compass"."""
        kind = self.content_type.name
        return f"{kind} {self.object_id}" if self.object_id else f"every {kind} of {self.unit}"

    @property
    def status(self) -> str:
        if self.revoked_at and not self.approved_at:
            return "refused"
        if self.revoked_at:
            return "revoked"
        if not self.approved_at:
            return "waiting for a supervisor"
        return "active" if self.is_active else "expired"


class ApiToken(models.Model):
    """A bearer token for the API, tied to one user and expiring. Only a hash of the secret is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.user}"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str, expires_at) -> tuple["ApiToken", str]:
        """Create a token; the full secret is returned once and never stored."""
        prefix = secrets.token_hex(4)
        secret = f"vcd_{prefix}_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(user=user, name=name, prefix=prefix, digest=cls.hash_secret(secret),
                                   expires_at=expires_at)
        return token, secret

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
