from vcdhub.people.api.serializers import (
    CrimeRoleSerializer,
    FlagSerializer,
    PersonLinkSerializer,
    PersonSerializer,
    PlaceLinkSerializer,
)
from vcdhub.people.apps import PEOPLE_EDITORS
from vcdhub.people.filtersets import (
    CrimeRoleFilterSet,
    FlagFilterSet,
    PersonFilterSet,
    PersonLinkFilterSet,
    PlaceLinkFilterSet,
)
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink, PlaceLink
from vcdhub.platform.api import WritableRecordViewSet


class PersonViewSet(WritableRecordViewSet):
    """People you may see; the same search as the web page (name, born, identifier, postcode, merged)."""

    base_queryset = Person.objects.order_by("surname_key", "given_key", "pk").prefetch_related(
        "other_names", "identifiers", "addresses__lsoa")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    change_roles = PEOPLE_EDITORS
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # people are merged, never deleted


class PartViewSet(WritableRecordViewSet):
    change_roles = PEOPLE_EDITORS
    http_method_names = ["get", "post", "delete", "head", "options"]


class FlagViewSet(PartViewSet):
    base_queryset = Flag.objects.order_by("-pk")
    serializer_class = FlagSerializer
    filterset_class = FlagFilterSet


class CrimeRoleViewSet(PartViewSet):
    base_queryset = CrimeRole.objects.order_by("-pk")
    serializer_class = CrimeRoleSerializer
    filterset_class = CrimeRoleFilterSet


class PersonLinkViewSet(PartViewSet):
    base_queryset = PersonLink.objects.order_by("-pk")
    serializer_class = PersonLinkSerializer
    filterset_class = PersonLinkFilterSet


class PlaceLinkViewSet(PartViewSet):
    base_queryset = PlaceLink.objects.order_by("-pk")
    serializer_class = PlaceLinkSerializer
    filterset_class = PlaceLinkFilterSet
