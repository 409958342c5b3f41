"""Change logging for models: every save and delete writes a change record to the audit chain."""

from django.db import models, transaction

from vcdhub.audit.log import record_change, snapshot


class ChangeLoggedModel(models.Model):
    """Every save and delete writes a change record (actor, request id, before and after, reason).

    There is no unattributed write: with no actor declared (audit.context.acting_as) the save fails.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            before = None
            if self.pk is not None:
                old = type(self)._base_manager.filter(pk=self.pk).first()
                before = snapshot(old) if old is not None else None
            super().save(*args, **kwargs)
            record_change(self, "create" if before is None else "update", before, snapshot(self))

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            before, pk = snapshot(self), self.pk
            result = super().delete(*args, **kwargs)
            self.pk = pk
            record_change(self, "delete", before, None)
            self.pk = None
        return result
