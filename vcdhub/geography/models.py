"""Boroughs, wards and LSOAs. Geometry is GeoJSON text in WGS84; spatial work happens in shapely."""

from django.db import models


class Area(models.Model):
    code = models.CharField(max_length=12, unique=True, help_text="ONS GSS code, e.g. E09000022")
    name = models.CharField(max_length=120, db_index=True)
    geometry = models.TextField(blank=True, help_text="GeoJSON geometry, WGS84 (lon, lat)")
    centroid_lon = models.FloatField(null=True)
    centroid_lat = models.FloatField(null=True)
    area_km2 = models.FloatField(null=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Borough(Area):
    """A local authority district: a London borough or the City of London."""


class Ward(Area):
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="wards")


class Lsoa(Area):
    """A lower-layer super output area (2011 codes), the smallest area police.uk assigns crimes to."""

    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="lsoas")
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="lsoas")
    population = models.PositiveIntegerField(null=True, help_text="ONS mid-2019 estimate, all ages")

    class Meta(Area.Meta):
        verbose_name = "LSOA"


class BoundarySet(models.Model):
    """Which boundary files were loaded, so a repeat load of the same files is a no-op."""

    lsoa_sha256 = models.CharField(max_length=64)
    lookup_sha256 = models.CharField(max_length=64)
    population_sha256 = models.CharField(max_length=64, blank=True)
    lsoa_count = models.PositiveIntegerField()
    ward_count = models.PositiveIntegerField()
    borough_count = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.lsoa_count} LSOAs loaded {self.loaded_at:%Y-%m-%d %H:%M} by {self.loaded_by}"
