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


def marking_errors(owner_unit: str, sensitivity: str, descriptors: str, *, units: frozenset[str] | None) -> dict:
    """What is wrong with a record's marking, by field ({} when it is right). A records module's action calls
    it for every record a person makes: the owning unit and the marking are stated, never defaulted.

    `units`: the units the acting user belongs to (the owning unit must be one), or None for a process that
    may write for any unit (an import run by an administrator from the command line).
    """
    from vcdhub.access.choices import Descriptor
    from vcdhub.access.models import Unit

    errors = {}
    if not owner_unit:
        errors["owner_unit"] = "Say which unit owns the record."
    elif len(owner_unit) > 40 or "\x00" in owner_unit or not Unit.objects.filter(code=owner_unit).exists():
        errors["owner_unit"] = f"There is no unit {owner_unit[:40]!r}."
    elif units is not None and owner_unit not in units:
        errors["owner_unit"] = "You may only make records owned by one of your own units."
    if sensitivity not in Sensitivity.values:
        errors["sensitivity"] = "Choose OFFICIAL or OFFICIAL-SENSITIVE."
    unknown = [d for d in split_descriptors(descriptors) if d not in Descriptor.values]
    if unknown:
        errors["descriptors"] = (f"Unknown descriptor {unknown[0][:30]!r}: use "
                                 + ", ".join(Descriptor.values) + ".")
    return errors


def strictest_marking(records) -> str:
    """The marking a document showing all `records` carries: the most sensitive of theirs, with every
    descriptor any of them has ("OFFICIAL-SENSITIVE PERSONAL, OPERATIONAL")."""
    from vcdhub.access.choices import SENSITIVITY_ORDER

    records = list(records)
    levels = [SENSITIVITY_ORDER.index(r.sensitivity) for r in records if r.sensitivity in SENSITIVITY_ORDER]
    sensitivity = SENSITIVITY_ORDER[max(levels, default=0)]
    descriptors = sorted({d for r in records for d in split_descriptors(r.descriptors)})
    return " ".join([str(sensitivity), *([", ".join(descriptors)] if descriptors else [])])


def split_descriptors(descriptors: str) -> list[str]:
    return [d.strip().upper() for d in (descriptors or "").split(",") if d.strip()]
