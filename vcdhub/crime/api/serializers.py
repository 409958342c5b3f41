from rest_framework import serializers

from vcdhub.crime.models import Crime, StopSearch
from vcdhub.platform.api import ModelSerializer, MonthField, TextField


def area_code(kind: str):
    """The ONS code of the area the record was placed in; null for a record in no known LSOA ("unplaced")."""
    return serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True,
        help_text=f"ONS GSS code of the {kind}; null when the record is in no known LSOA (unplaced)")


class AreaLinksMixin(serializers.Serializer):
    lsoa = area_code("LSOA")
    ward = area_code("ward")
    borough = area_code("borough")
    month = MonthField(read_only=True)


class CrimeSerializer(AreaLinksMixin, ModelSerializer):
    class Meta:
        model = Crime
        fields = ["id", "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude", "location",
                  "lsoa_code", "lsoa_name", "crime_type", "last_outcome_category", "context", "lsoa", "ward",
                  "borough"]


class StopSearchSerializer(AreaLinksMixin, ModelSerializer):
    class Meta:
        model = StopSearch
        fields = ["id", "force", "month", "type", "date", "part_of_policing_operation", "policing_operation",
                  "longitude", "latitude", "gender", "age_range", "self_defined_ethnicity",
                  "officer_defined_ethnicity", "legislation", "object_of_search", "outcome",
                  "outcome_linked_to_object_of_search", "removal_of_more_than_just_outer_clothing", "lsoa", "ward",
                  "borough"]


class AreaCountSerializer(serializers.Serializer):
    level = TextField()
    total = serializers.IntegerField(allow_null=True)
    unplaced = serializers.IntegerField(allow_null=True,
                                        help_text="Records in no known LSOA; counted in total, never dropped")
    counts = serializers.DictField(child=serializers.IntegerField(allow_null=True),
                                   help_text="Area code -> count; null where a small cell is suppressed")
    suppressed_below = serializers.IntegerField(
        allow_null=True, help_text="For authority members: counts from 1 to this minus one are withheld")
    perturbed = serializers.BooleanField(
        help_text="For aggregate-only readers: each count, and the total, carries a small fixed adjustment "
                  "(cell key perturbation) that protects individuals; see docs/disclosure.md")
