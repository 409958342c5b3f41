"""Crime, outcome and stop-and-search records, as police.uk publishes them, placed in London's areas.

Text columns keep the file's exact text (coordinates too, in the *_text columns) so an export gives
back what was imported; the float columns are for spatial work.
"""

from django.db import models

from vcdhub.crime.choices import Kind
from vcdhub.geography.models import Borough, Lsoa, Ward
from vcdhub.platform.records import Record


class ImportBatch(models.Model):
    """One imported file. Its rows are replaced as a whole when a newer file covers the same data."""

    file_name = models.CharField(max_length=255)
    source = models.CharField(max_length=1024, help_text="Path of the file, or zip path!member")
    sha256 = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.CHOICES)
    force = models.CharField(max_length=100, help_text="Force the rows were reported by")
    month = models.DateField(help_text="First month the file covers")
    periods = models.JSONField(default=list, help_text="Every [force, YYYY-MM] the file covers")
    rows = models.PositiveIntegerField()
    imported_by = models.CharField(max_length=150, help_text="The actor the import ran as")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "force", "month"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind}, {self.rows} rows)"

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


def area_link(model) -> models.ForeignKey:
    """A link to an LSOA, ward or borough, placed by vcdhub's own resolver from the loaded boundaries, so the
    database need not check it row by row (a trigger per row made imports several times slower)."""
    return models.ForeignKey(model, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
                             db_index=False)


class PlacedRecord(Record):
    """Columns shared by every record police.uk places on a map point.

    Police.uk rows are public: they belong to the directorate's analysts and are marked OFFICIAL by
    default. A force's own records (later modules) carry their unit and marking.
    """

    month = models.DateField(help_text="First day of the month the record falls in")
    longitude = models.FloatField(null=True)
    latitude = models.FloatField(null=True)
    longitude_text = models.CharField(max_length=24, blank=True)
    latitude_text = models.CharField(max_length=24, blank=True)
    # The composite indexes in each model's Meta serve lookups by area.
    lsoa = area_link(Lsoa)
    ward = area_link(Ward)
    borough = area_link(Borough)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="+")

    class Meta(Record.Meta):
        abstract = True


class Crime(PlacedRecord):
    """A street-level crime or anti-social behaviour incident. Crime ID is blank for ASB, so `id` is ours."""

    # COLLATE "C" on PostgreSQL (migration 0005): hashes compare byte by byte.
    crime_id = models.CharField(max_length=64, blank=True)
    reported_by = models.CharField(max_length=100)
    falls_within = models.CharField(max_length=100)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=12, blank=True, help_text="As in the file")
    lsoa_name = models.CharField(max_length=120, blank=True, help_text="As in the file")
    crime_type = models.CharField(max_length=64)
    last_outcome_category = models.CharField(max_length=255, blank=True)
    context = models.TextField(blank=True)

    class Meta:
        # Each index costs every import: these serve the explorer's filters, outcome linking (crime_id) and
        # the newest-first order. A plain Index, unlike db_index, adds no second pattern-matching index on
        # PostgreSQL. No filter lists records by LSOA (counts and maps by LSOA read the crime cells), so there
        # is no (lsoa, month) index: it cost each load a ninth of its index builds and served no query. Nor
        # is there one on (force, month): the force filter matches part of a name, which no index serves, and
        # supersession finds a month's rows through their batches (ingest.supersession); at ten times the
        # shared data it was the second slowest build of a bulk load's end (docs/benchmarks.md).
        indexes = [
            models.Index(fields=["crime_type", "month"]),
            models.Index(fields=["borough", "month"]),
            models.Index(fields=["ward", "month"]),
            models.Index(fields=["month", "id"]),  # the explorer's newest-first order
            models.Index(fields=["crime_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.crime_type}, {self.location} ({str(self.month)[:7]})"


class CrimeFlags(models.Model):
    """Offence flags from a force's own richer records; police.uk files carry none, so all start unknown."""

    crime = models.OneToOneField(Crime, on_delete=models.CASCADE, primary_key=True, related_name="flags")
    gun_enabled = models.BooleanField(null=True)
    knife_enabled = models.BooleanField(null=True)
    alcohol_related = models.BooleanField(null=True)
    domestic = models.BooleanField(null=True)
    hate = models.BooleanField(null=True)
    source = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"flags for crime {self.crime_id}"


class Outcome(PlacedRecord):
    """An outcome from a police.uk outcomes file; linked to its crime by Crime ID, which may arrive later."""

    crime_id = models.CharField(max_length=64, db_index=True)  # COLLATE "C" on PostgreSQL, as Crime.crime_id
    reported_by = models.CharField(max_length=100)
    falls_within = models.CharField(max_length=100)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=12, blank=True)
    lsoa_name = models.CharField(max_length=120, blank=True)
    outcome_type = models.CharField(max_length=255)

    class Meta:
        indexes = [models.Index(fields=["reported_by", "month"])]

    def __str__(self) -> str:
        return f"{self.outcome_type} ({self.crime_id[:12]}…, {str(self.month)[:7]})"

    @property
    def crimes(self):
        return Crime.objects.filter(crime_id=self.crime_id)


class StopSearch(PlacedRecord):
    """A stop and search. The file has no force column, so `force` comes from the file name."""

    force = models.CharField(max_length=100)
    type = models.CharField(max_length=40)
    date = models.DateTimeField()
    date_text = models.CharField(max_length=40)
    part_of_policing_operation = models.CharField(max_length=10, blank=True)
    policing_operation = models.CharField(max_length=255, blank=True)
    gender = models.CharField(max_length=40, blank=True)
    age_range = models.CharField(max_length=40, blank=True)
    self_defined_ethnicity = models.CharField(max_length=255, blank=True)
    officer_defined_ethnicity = models.CharField(max_length=60, blank=True)
    legislation = models.CharField(max_length=255, blank=True)
    object_of_search = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=255, blank=True)
    outcome_linked_to_object_of_search = models.CharField(max_length=10, blank=True)
    removal_of_more_than_just_outer_clothing = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = "stop and search"
        verbose_name_plural = "stops and searches"
        indexes = [
            models.Index(fields=["force", "month"]),
            models.Index(fields=["borough", "month"]),
            models.Index(fields=["date"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} at {self.date_text} ({self.force})"


class CellColumns(models.Model):
    """What every table of crime counts holds besides its places: the dimensions the access policy and the
    filters need, the count and the records' key sum."""

    month = models.DateField()
    reported_by = models.CharField(max_length=100)
    crime_type = models.CharField(max_length=64)
    owner_unit = models.ForeignKey("access.Unit", to_field="code", on_delete=models.DO_NOTHING, related_name="+",
                                   db_constraint=False, db_index=False)
    sensitivity = models.CharField(max_length=20)
    records = models.PositiveIntegerField()
    key_sum = models.BigIntegerField(default=0, help_text="The sum of the records' record keys (cell key perturbation)")

    # Each table's unique key (unplaced areas as -1, so that they compare equal) is made with the triggers, in
    # crime.cells: Django cannot declare an expression index that upserts infer on both databases.

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.records} {self.crime_type} ({str(self.month)[:7]}, {self.reported_by})"


class CrimeCell(CellColumns):
    """How many crime records share one month, force, crime type, owning unit, marking and place: the
    aggregate that counts, maps and the explorer's totals read instead of the rows (crime.cells).

    Database triggers keep it exact on every write to the crime table, in the writer's transaction; a bulk
    load drops them and counts each file's cells itself. Owning unit and marking are dimensions, so the
    access policy restricts cells as it restricts the records they count.
    """

    lsoa = area_link(Lsoa)
    ward = area_link(Ward)
    borough = area_link(Borough)


class CrimeCellWard(CellColumns):
    """The crime cells without the LSOA: about a quarter as many rows, for counts by ward and coarser."""

    ward = area_link(Ward)
    borough = area_link(Borough)


class CrimeCellBorough(CellColumns):
    """The crime cells by borough only: about a fiftieth as many rows, for totals, counts by type and by
    borough, and coverage."""

    borough = area_link(Borough)
