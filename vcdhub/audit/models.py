"""The audit trail: one append-only, hash-chained table of changes, reads, decisions and access events."""

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """Audit rows are never updated or deleted through the application."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be updated")


class EntryKind(models.TextChoices):
    CHANGE = "change", "Change"
    READ = "read", "Read of a sensitive record"
    DECISION = "decision", "Decision"
    ACCESS = "access", "Access control"
    DENIED = "denied", "Denied access attempt"
    AUTH = "auth", "Sign-in and sign-out"
    IMPORT = "import", "Import"


class AuditEntry(models.Model):
    """One event. `hash` = sha256(prev_hash + canonical JSON of every other field); see chain.py."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    action = models.CharField(max_length=40, help_text="create, update, delete, view, export, api, ...")
    actor = models.CharField(max_length=200)
    user_id = models.BigIntegerField(null=True, help_text="Kept as a number so deleting a user keeps the trail")
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"]),
            models.Index(fields=["user_id", "at"]),
            models.Index(fields=["kind", "at"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")


class ChainHead(models.Model):
    """The single row holding the latest sequence number and hash: appends lock it, so the chain stays linear."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq} {self.hash[:12]}"


class CheckpointSchedule(models.Model):
    """The single row saying when the next automatic checkpoint may be queued (see checkpoints.py). Processes
    claim it with a conditional UPDATE, so however many of them write to the chain, one task is queued per
    interval. The checkpoints themselves are files outside the database."""

    due_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"next checkpoint from {self.due_at:%Y-%m-%d %H:%M:%S}"


class DecisionKind(models.TextChoices):
    CLOSE_CASE = "close_case", "Closing a case"
    SET_RISK = "set_risk", "Setting a risk level"
    ALLOCATE_TASK = "allocate_task", "Allocating a task"
    REFUSE_TASK = "refuse_task", "Refusing a task"
    GRANT_ACCESS = "grant_access", "Granting access"
    MERGE_PEOPLE = "merge_people", "Deciding whether two person records are one person"
    CONFIRM_LINK = "confirm_link", "Deciding whether a proposed link between two people holds"
    PANEL = "panel", "A panel's decision on a case"
    OTHER = "other", "Other"


class Decision(models.Model):
    """A decision and its rationale, structured by the National Decision Model. Immutable once made."""

    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=200)
    information = models.TextField(help_text="NDM 1: the information and intelligence held")
    threat_and_risk = models.TextField(help_text="NDM 2: the assessment of threat and risk, working strategy")
    powers_and_policy = models.TextField(help_text="NDM 3: the powers and policy considered")
    options = models.TextField(help_text="NDM 4: the options and contingencies considered")
    action_taken = models.TextField(help_text="NDM 5: the action taken")
    review_date = models.DateField(help_text="NDM 5: when the decision is reviewed")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    audit_seq = models.BigIntegerField(null=True, help_text="The audit entry that recorded this decision")

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("a decision is never edited; record a new decision that reviews it")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("decisions cannot be deleted")
