"""Writing to a record's journal: the one action, validated here for the web, the API and commands alike."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from vcdhub.platform.models import JournalEntry, JournalKind

MAX_TEXT = 10_000


def add_entry(record, *, kind: str, text: str, author) -> JournalEntry:
    """Add a note to `record` as `author`. The caller has checked that the author may see the record."""
    errors = {}
    if kind not in JournalKind.values:
        errors["kind"] = f"Choose one of: {', '.join(JournalKind.values)}."
    text = (text or "").strip()
    if not text:
        errors["text"] = "Write the note."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"Keep a note under {MAX_TEXT:,} characters."
    elif "\x00" in text:
        errors["text"] = "The note holds a character that cannot be stored."
    if errors:
        raise ValidationError(errors)
    return JournalEntry.objects.create(content_type=ContentType.objects.get_for_model(type(record)),
                                       object_id=str(record.pk), kind=kind, text=text, author=author)
