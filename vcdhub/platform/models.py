"""Base models every record in vcdhub inherits: an owning unit and a marking; change logging; restriction."""

from django.db import models, transaction

from vcdhub.access.choices import PUBLIC_DATA_UNIT, Sensitivity


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user):
        """Only the records this user may see, by the stored visibility rules and their grants."""
        from vcdhub.access.policy import visibility_q

        return self.filter(visibility_q(user, self.model))


class MarkedModel(models.Model):
    """A record that belongs to a unit and carries a security marking.

    The database defaults matter: bulk imports (COPY) leave these columns out, and public police.uk
    data then belongs to the directorate's analysts, marked OFFICIAL.
    """

    owner_unit = models.ForeignKey(
        "access.Unit", to_field="code", on_delete=models.PROTECT, related_name="+", db_index=False,
        default=PUBLIC_DATA_UNIT, db_default=PUBLIC_DATA_UNIT, help_text="The unit that owns the record",
    )
    sensitivity = models.CharField(max_length=20, choices=Sensitivity.choices, default=Sensitivity.OFFICIAL,
                                   db_default=Sensitivity.OFFICIAL)
    descriptors = models.CharField(max_length=100, blank=True, default="", db_default="",
                                   help_text="Comma-separated descriptors, e.g. PERSONAL,OPERATIONAL")
    handling = models.CharField(max_length=200, blank=True, default="", db_default="",
                                help_text="Handling condition, e.g. a 3x5x2 handling code and its conditions")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_sensitive(self) -> bool:
        return self.sensitivity == Sensitivity.OFFICIAL_SENSITIVE

    @property
    def marking(self) -> str:
        parts = [self.sensitivity]
        if self.descriptors:
            parts.append(self.descriptors.replace(",", ", "))
        return " ".join(parts)


class ChangeLoggedModel(models.Model):
    """Every save and delete writes a change record (actor, request id, before and after, reason)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from vcdhub.audit.log import record_change, snapshot

        with transaction.atomic():
            before = None
            if self.pk is not None:
                old = type(self)._base_manager.filter(pk=self.pk).first()
                before = snapshot(old) if old is not None else None
            super().save(*args, **kwargs)
            record_change(self, "create" if before is None else "update", before, snapshot(self))

    def delete(self, *args, **kwargs):
        from vcdhub.audit.log import record_change, snapshot

        with transaction.atomic():
            before, pk = snapshot(self), self.pk
            result = super().delete(*args, **kwargs)
            self.pk = pk
            record_change(self, "delete", before, None)
            self.pk = None
        return result
