"""The base of every record in vcdhub: marked (owning unit, sensitivity, descriptors, handling),
change-logged, and restricted. A records module's models inherit `Record`; the kit's views, API
viewsets, exports and tests then work for them unchanged."""

import secrets

from django.db import models

from vcdhub.access.markings import MarkedModel, RestrictedQuerySet
from vcdhub.audit.changelog import ChangeLoggedModel

__all__ = ["RECORD_KEYS", "RandomRecordKey", "Record", "RestrictedQuerySet", "random_record_key"]

RECORD_KEYS = 256  # record keys are 0..255, as the ONS cell key method uses them (stats.perturbation)


def random_record_key() -> int:
    return secrets.randbelow(RECORD_KEYS)


class RandomRecordKey(models.Func):
    """The database's own random record key, for rows written without one (a COPY that leaves it out)."""

    output_field = models.PositiveSmallIntegerField()

    def as_sql(self, compiler, connection, **extra):
        # SQLite: random() is a signed 64-bit integer; its low eight bits are 0..255 (no "%", which the
        # schema editor would read as a placeholder).
        return f"(random() & {RECORD_KEYS - 1})", []

    def as_postgresql(self, compiler, connection, **extra):
        return f"(floor(random() * {RECORD_KEYS}))::smallint", []


class Record(ChangeLoggedModel, MarkedModel):
    """A marked, change-logged, restricted record. `Record.objects.restrict(user)` is the only way to list.

    `record_key` is a random number fixed when the record is made. Counts shown to aggregate-only readers are
    perturbed by the sum of their records' keys (platform.disclosure), so the same records always get the
    same noise; it is never shown.
    """

    record_key = models.PositiveSmallIntegerField(default=random_record_key, db_default=RandomRecordKey(),
                                                  editable=False)

    class Meta(MarkedModel.Meta):
        abstract = True
