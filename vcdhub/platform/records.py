"""The base of every record in vcdhub: marked (owning unit, sensitivity, descriptors, handling),
change-logged, and restricted. A records module's models inherit `Record`; the kit's views, API
viewsets, exports and tests then work for them unchanged."""

from vcdhub.access.markings import MarkedModel, RestrictedQuerySet
from vcdhub.audit.changelog import ChangeLoggedModel

__all__ = ["Record", "RestrictedQuerySet"]


class Record(ChangeLoggedModel, MarkedModel):
    """A marked, change-logged, restricted record. `Record.objects.restrict(user)` is the only way to list."""

    class Meta(MarkedModel.Meta):
        abstract = True
