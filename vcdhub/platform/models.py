"""The kit's own models: the journal (narrative notes on any record, separate from its change log) and
background jobs (platform.jobs)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from vcdhub.audit.changelog import ChangeLoggedModel


class JournalKind(models.TextChoices):
    NOTE = "note", "Note"
    UPDATE = "update", "Update"
    ACTION = "action", "Action taken"
    RISK = "risk", "Risk"


class JournalQuerySet(models.QuerySet):
    def for_record(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))


class JournalEntry(ChangeLoggedModel):
    """A narrative note on a record: what was done, learnt or decided, in words.

    It is read only through its record (the record's restriction is the entry's restriction: see
    platform.views.journal_for), and writing one is audited like any change.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=JournalKind.choices, default=JournalKind.NOTE)
    text = models.TextField(max_length=10_000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.content_type.model} {self.object_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    kind = models.CharField(max_length=60)
    parameters = models.JSONField(default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    progress_message = models.CharField(max_length=200, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    # A job that makes a file (a PDF report, say) keeps it here for its requester to download.
    output = models.BinaryField(null=True, blank=True, editable=False)
    output_name = models.CharField(max_length=200, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True, help_text="What went wrong, in words the user can act on")
    traceback = models.TextField(blank=True, help_text="For administrators only")
    task_id = models.CharField(max_length=64, blank=True, help_text="The django-tasks result id")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def progress(self, percent: int | None, message: str = "") -> None:
        """Report progress from inside the job; saved at once, so the page polling for it sees it."""
        self.progress_percent = None if percent is None else max(0, min(100, int(percent)))
        self.progress_message = message[:200]
        type(self).objects.filter(pk=self.pk).update(progress_percent=self.progress_percent,
                                                     progress_message=self.progress_message)


class SearchDocument(models.Model):
    """One record's words for full-text search (platform.fulltext): each word folded and stemmed (Snowball
    English) in Python, so that PostgreSQL (a GIN index over a stored tsvector of them, a column the database
    generates: platform migration 0004) and SQLite (an FTS5 table kept by triggers) index the same words and
    answer a query with the same records. Holds no marking: a search restricts the records it finds, as every
    read does."""

    label = models.CharField(max_length=60, help_text="app_label.model of the record")
    object_id = models.BigIntegerField()
    terms = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["label", "object_id"], name="one_search_document_a_record")]

    def __str__(self) -> str:
        return f"{self.label} {self.object_id}"
