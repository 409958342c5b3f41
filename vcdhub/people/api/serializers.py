"""The people API. Writes go through people.actions: the serializers convert, the actions check."""

from rest_framework import serializers

from vcdhub.audit.log import record_denied
from vcdhub.people import actions
from vcdhub.people.models import Address, CrimeRole, Flag, Identifier, Person, PersonLink, PersonName, PlaceLink
from vcdhub.platform.api import MarkingMixin, ModelSerializer, TextField


class NameSerializer(ModelSerializer):
    class Meta:
        model = PersonName
        fields = ["kind", "given_name", "surname"]


class IdentifierSerializer(ModelSerializer):
    class Meta:
        model = Identifier
        fields = ["kind", "value"]


class AddressSerializer(ModelSerializer):
    lsoa = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Address
        fields = ["street_number", "address_1", "address_2", "town", "postcode", "lsoa", "date_from", "date_to"]


class PersonSerializer(MarkingMixin, ModelSerializer):
    date_of_birth = TextField(required=False, allow_blank=True, write_only=True, max_length=10,
                              help_text="YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYY")
    born = TextField(source="birth_text", read_only=True)
    other_names = NameSerializer(many=True, read_only=True)
    identifiers = IdentifierSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = ["id", "source_id", "given_name", "surname", "date_of_birth", "born", "birth_estimated", "sex",
                  "self_defined_ethnicity", "officer_defined_ethnicity", "description", "distinguishing_marks",
                  "fictitious", "merged_into", "other_names", "identifiers", "addresses", "owner_unit",
                  "sensitivity", "descriptors", "handling"]
        read_only_fields = ["fictitious"]
        extra_kwargs = {"source_id": {"validators": []}}  # the action checks uniqueness, once

    def create(self, validated):
        return actions.save_person(self.actor(), {**validated, **self.marking(validated)})

    def update(self, instance, validated):
        changed = {k: v for k, v in self.marking(validated).items() if k in self.initial_data}
        if "date_of_birth" not in validated:
            validated["date_of_birth"] = instance.date_of_birth
        return actions.save_person(self.actor(), {**validated, **changed}, instance)


class VisiblePerson(serializers.PrimaryKeyRelatedField):
    """A person the writer may see, by id. Any other id, missing or hidden, gets the same answer, and the
    attempt goes on the audit chain as a refusal."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            record_denied(Person, str(data)[:64], "api")
            raise


class PersonPart(MarkingMixin, ModelSerializer):
    """A marked part of a person (flag, crime role, link): created through its action, not changed after."""

    person = VisiblePerson(queryset=Person.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["person"].queryset = Person.objects.restrict(request.user)

    def update(self, instance, validated):
        raise serializers.ValidationError({"non_field_errors": ["Add a new record instead of changing this one."]})


class FlagSerializer(PersonPart):
    class Meta:
        model = Flag
        fields = ["id", "person", "kind", "detail", "mappa_category", "mappa_level", "flagged_on", "source",
                  "review_on", "owner_unit", "sensitivity", "descriptors", "handling"]

    def create(self, validated):
        person = validated.pop("person")
        return actions.add_flag(self.actor(), person, {**validated, **self.marking(validated)})


class CrimeRoleSerializer(PersonPart):
    class Meta:
        model = CrimeRole
        fields = ["id", "person", "crime_ref", "role", "recorded_on", "owner_unit", "sensitivity", "descriptors",
                  "handling"]
        validators = []

    def create(self, validated):
        person = validated.pop("person")
        return actions.add_crime_role(self.actor(), person, {**validated, **self.marking(validated)})


class PersonLinkSerializer(PersonPart):
    other = VisiblePerson(queryset=Person.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["other"].queryset = Person.objects.restrict(request.user)

    class Meta:
        model = PersonLink
        fields = ["id", "person", "other", "kind", "source", "linked_on", "confidence", "owner_unit", "sensitivity",
                  "descriptors", "handling"]

    def create(self, validated):
        person, other = validated.pop("person"), validated.pop("other")
        return actions.link_people(self.actor(), person, other, {**validated, **self.marking(validated)})


class PlaceLinkSerializer(PersonPart):
    lsoa = TextField(required=False, allow_blank=True, source="lsoa_code", write_only=True,
                     help_text="An LSOA code, if known")

    class Meta:
        model = PlaceLink
        fields = ["id", "person", "kind", "place", "lsoa", "longitude", "latitude", "source", "linked_on",
                  "confidence", "owner_unit", "sensitivity", "descriptors", "handling"]
        extra_kwargs = {"longitude": {"min_value": -180, "max_value": 180},  # a point on the Earth
                        "latitude": {"min_value": -90, "max_value": 90}}

    def create(self, validated):
        person = validated.pop("person")
        validated["lsoa"] = validated.pop("lsoa_code", "")
        return actions.link_place(self.actor(), person, {**validated, **self.marking(validated)})
