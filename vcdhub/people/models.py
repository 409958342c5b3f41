"""The people register: nominals, their names, identifiers and addresses, their warning markers, their roles in
crimes, and their links to other people and places.

A person, each flag, each crime role and each link is a marked record (`platform.records.Record`) with its own
owning unit and marking, so a user may see a person without seeing, say, a domestic-abuse flag that the
Community Safety Units own. Names, identifiers and addresses belong to their person and are read with it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from vcdhub.audit.changelog import ChangeLoggedModel
from vcdhub.people import normalise
from vcdhub.people.choices import (
    Confidence,
    CrimeRoleKind,
    FlagKind,
    IdentifierKind,
    MappaCategory,
    MappaLevel,
    NameKind,
    OfficerDefinedEthnicity,
    PairStatus,
    PersonLinkKind,
    PlaceLinkKind,
    SelfDefinedEthnicity,
    Sex,
)
from vcdhub.platform.records import Record


class Person(Record):
    """A nominal: one source system's record of a person. Records found to be the same person are merged by
    pointing them at one survivor (`merged_into`); nothing is deleted, so a merge can be undone."""

    source_id = models.CharField(max_length=64, unique=True, help_text="The record's id in the system it came from")
    given_name = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_estimated = models.BooleanField(default=False, help_text="The date of birth is an estimate")
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    self_defined_ethnicity = models.CharField(max_length=2, choices=SelfDefinedEthnicity.choices, blank=True)
    officer_defined_ethnicity = models.CharField(max_length=3, choices=OfficerDefinedEthnicity.choices, blank=True)
    description = models.TextField(blank=True, help_text="Height, build, hair and so on")
    distinguishing_marks = models.TextField(blank=True, help_text="Scars, marks and tattoos")
    fictitious = models.BooleanField(default=False, help_text="Generated for the demo or the tests: not a real person")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                                    help_text="The record this one was found to be the same person as")
    # Search keys, kept by save() (normalise.keys): accent-free lower case, and a phonetic code of each name.
    given_key = models.CharField(max_length=100, blank=True, editable=False)
    surname_key = models.CharField(max_length=100, blank=True, editable=False)
    surname_sound = models.CharField(max_length=20, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(Record.Meta):
        verbose_name = "person"
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["surname_key"]), models.Index(fields=["surname_sound"]),
                   models.Index(fields=["birth_year"])]

    def __str__(self) -> str:
        born = f" (b. {self.birth_text})" if self.birth_year else ""
        return normalise.display(self.given_name, self.surname) + born

    def save(self, *args, **kwargs):
        self.given_key, self.surname_key, self.surname_sound = normalise.keys(self.given_name, self.surname)
        super().save(*args, **kwargs)

    @property
    def date_of_birth(self) -> str:
        """The date of birth as known, as the import and export write it: 1984-03-07, 1984-03, 1984 or ""."""
        return normalise.partial_date(self.birth_year, self.birth_month, self.birth_day)

    @property
    def birth_text(self) -> str:
        """The date of birth as far as it is known: 1984-03-07, 1984-03, 1984; "c." when estimated."""
        return normalise.partial_date(self.birth_year, self.birth_month, self.birth_day, self.birth_estimated)

    @property
    def name(self) -> str:
        return normalise.display(self.given_name, self.surname)

    def search_text(self) -> str:
        """What full-text search reads (platform.fulltext): names and other names, ids, description, marks."""
        others = [f"{n.given_name} {n.surname}" for n in self.other_names.all()] if self.pk else []
        return " ".join([self.given_name, self.surname, *others, self.source_id, self.description,
                         self.distinguishing_marks])


class PersonName(ChangeLoggedModel):
    """Another name the person is known by (the name in use is on the person)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=NameKind.choices, default=NameKind.ALIAS)
    given_name = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    given_key = models.CharField(max_length=100, blank=True, editable=False)
    surname_key = models.CharField(max_length=100, blank=True, editable=False)
    surname_sound = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["surname_key"]), models.Index(fields=["surname_sound"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {normalise.display(self.given_name, self.surname)}"

    def save(self, *args, **kwargs):
        self.given_key, self.surname_key, self.surname_sound = normalise.keys(self.given_name, self.surname)
        super().save(*args, **kwargs)


class Identifier(ChangeLoggedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    value = models.CharField(max_length=40, help_text="Upper case, without spaces")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind", "value"], name="people_identifier_once")]
        indexes = [models.Index(fields=["value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Address(ChangeLoggedModel):
    """An address the person lived at, with dates. The LSOA (and so the ward and borough) is set when the
    source gives it or the address was placed on the map; a postcode alone is not looked up (no postcode
    directory ships with vcdhub)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    street_number = models.CharField(max_length=20, blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    address_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=16, blank=True, help_text="Normalised: upper case, one space")
    lsoa = models.ForeignKey("geography.Lsoa", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-date_from", "pk"]
        indexes = [models.Index(fields=["postcode"])]

    def __str__(self) -> str:
        return ", ".join(part for part in (" ".join(p for p in (self.street_number, self.address_1) if p),
                                           self.address_2, self.town, self.postcode) if part)


class SeenWithItsPerson:
    """A marked part of a person (a flag, a crime role, a place link): seen only by those who may see its person
    too, as the part would otherwise name a hidden person."""

    @classmethod
    def visibility_limit(cls, user, access) -> Q:
        from vcdhub.access.policy import visible

        return Q(person__in=visible(user, Person))


class Flag(SeenWithItsPerson, Record):
    """A warning marker on a person, with its date, source and review date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    detail = models.TextField(blank=True)
    mappa_category = models.PositiveSmallIntegerField(choices=MappaCategory.choices, null=True, blank=True)
    mappa_level = models.PositiveSmallIntegerField(choices=MappaLevel.choices, null=True, blank=True)
    flagged_on = models.DateField()
    source = models.CharField(max_length=200)
    review_on = models.DateField()

    class Meta(Record.Meta):
        ordering = ["kind", "-flagged_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} flag on {self.person}"


class CrimeRole(SeenWithItsPerson, Record):
    """A person's part in a crime. The crime is named by its police.uk Crime ID, which survives a re-import
    (the crime rows of a re-imported month are replaced, their ids are not)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="crime_roles")
    crime_ref = models.CharField(max_length=64, help_text="The crime's Crime ID")
    role = models.CharField(max_length=10, choices=CrimeRoleKind.choices)
    recorded_on = models.DateField(null=True, blank=True)

    class Meta(Record.Meta):
        constraints = [models.UniqueConstraint(fields=["person", "crime_ref", "role"], name="people_role_once")]
        indexes = [models.Index(fields=["crime_ref"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person} in crime {self.crime_ref[:12]}"


class PersonLink(Record):
    """A link between two people, with its source, date and confidence."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links_out")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=12, choices=PersonLinkKind.choices)
    source = models.CharField(max_length=200)
    linked_on = models.DateField()
    confidence = models.CharField(max_length=12, choices=Confidence.choices)

    class Meta(Record.Meta):
        constraints = [models.CheckConstraint(condition=~models.Q(person=models.F("other")),
                                              name="people_link_not_to_self")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person} and {self.other}"

    @classmethod
    def visibility_limit(cls, user, access) -> Q:
        """Seen only by those who may see both people: the link would otherwise name a hidden person."""
        from vcdhub.access.policy import visible

        people = visible(user, Person)
        return Q(person__in=people) & Q(other__in=people)


class PlaceLink(SeenWithItsPerson, Record):
    """A link between a person and a place: home, somewhere they frequent, premises."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="place_links")
    kind = models.CharField(max_length=10, choices=PlaceLinkKind.choices)
    place = models.CharField(max_length=200, help_text="What the place is, e.g. a shop's name and street")
    lsoa = models.ForeignKey("geography.Lsoa", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=200)
    linked_on = models.DateField()
    confidence = models.CharField(max_length=12, choices=Confidence.choices)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person} at {self.place}"

    def search_text(self) -> str:
        return self.place


class DuplicatePair(ChangeLoggedModel):
    """Two person records the linkage model proposes as one person, and what a person decided about them.

    `fingerprint` is a digest of both records' matching fields when the pair was scored: a pair decided "not
    the same" is proposed again only when either record has changed since (people.duplicates)."""

    left = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    evidence = models.JSONField(default=list, help_text="Each comparison's level and its match weight")
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.PROPOSED)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="people_pair_once"),
                       models.CheckConstraint(condition=models.Q(left__lt=models.F("right")),
                                              name="people_pair_in_order")]
        ordering = ["-probability", "pk"]

    def __str__(self) -> str:
        return f"possible duplicate: {self.left} and {self.right}"

    @property
    def probability_text(self) -> str:
        """Three decimals, except where rounding would claim certainty: "over 0.999", never "1.000"."""
        return "over 0.999" if self.probability >= 0.9995 else f"{self.probability:.3f}"
