"""Markings and restriction: every record belongs to a unit, carries a security marking, and is read only
through `restrict(user)`, which asks the access policy."""

from django.db import models

from vcdhub.access.choices import PUBLIC_DATA_UNIT, Sensitivity


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user):
        """Only the records this user may see, by the stored visibility rules and their grants."""
        from vcdhub.access.policy import visibility_q  # the policy imports the models that import this

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
