from django.db import models

from vcdhub.platform.records import Record


class TargetSet(Record):
    """The indicators and targets in force, as TOML text. Supervisors edit it in the app; every version is
    kept in the record's history (the change log), so a past report's definitions can be recovered."""

    name = models.SlugField(max_length=40, unique=True, default="default")
    toml = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"targets '{self.name}'"
