from rest_framework import serializers

from vcdhub.geography.models import Borough, Lsoa, Ward
from vcdhub.platform.api import ModelSerializer


class BoroughSerializer(ModelSerializer):
    class Meta:
        model = Borough
        fields = ["code", "name", "centroid_lon", "centroid_lat", "area_km2"]


class WardSerializer(ModelSerializer):
    borough = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Ward
        fields = ["code", "name", "borough", "centroid_lon", "centroid_lat", "area_km2"]


class LsoaSerializer(ModelSerializer):
    ward = serializers.SlugRelatedField(slug_field="code", read_only=True)
    borough = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Lsoa
        fields = ["code", "name", "ward", "borough", "population", "centroid_lon", "centroid_lat", "area_km2"]
