"""The people register's records through the kit's generic permission tests."""

from tests.kit import RecordModuleContract
from tests.people.factories import make_flag, make_link, make_person, make_place, make_role
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink, PlaceLink

EDITORS = frozenset({"csu_investigator", "compass_officer"})  # investigators; the administrator is not one


class TestPersonModule(RecordModuleContract):
    model = Person
    list_url = "/people/"
    export_url = "/people/export.csv"
    api_list_url = "/api/people/"
    change_personas = EDITORS

    def detail_url(self, pk) -> str:
        return f"/people/{pk}/"

    def change_urls(self, pk) -> list[str]:
        return [f"/people/{pk}/edit/", f"/people/{pk}/add/flags/", f"/people/{pk}/add/names/"]

    def make_record(self, unit, sensitivity):
        return make_person(unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.source_id


class _PartContract(RecordModuleContract):
    """A marked part of an OFFICIAL person everyone may see: the part's own marking decides."""

    def make_record(self, unit, sensitivity):
        return self.make_part(make_person("vcd-analysts", "OFFICIAL"), unit, sensitivity)


class TestFlagModule(_PartContract):
    model = Flag
    list_url = "/people/flags/"
    export_url = "/people/flags/export.csv"
    api_list_url = "/api/person-flags/"

    def detail_url(self, pk) -> str:
        return f"/people/flags/{pk}/"

    def make_part(self, person, unit, sensitivity):
        return make_flag(person, unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.detail


class TestCrimeRoleModule(_PartContract):
    model = CrimeRole
    api_list_url = "/api/crime-roles/"

    def detail_url(self, pk) -> str:
        return f"/people/crime-roles/{pk}/"

    def make_part(self, person, unit, sensitivity):
        return make_role(person, f"crime-{unit}-{sensitivity}", unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.crime_ref


class TestPersonLinkModule(_PartContract):
    model = PersonLink
    api_list_url = "/api/person-links/"

    def detail_url(self, pk) -> str:
        return f"/people/person-links/{pk}/"

    def make_part(self, person, unit, sensitivity):
        return make_link(person, make_person("vcd-analysts", "OFFICIAL"), unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.source


class TestPlaceLinkModule(_PartContract):
    model = PlaceLink
    api_list_url = "/api/place-links/"

    def detail_url(self, pk) -> str:
        return f"/people/place-links/{pk}/"

    def make_part(self, person, unit, sensitivity):
        return make_place(person, unit, sensitivity)

    def identifying_text(self, record) -> str:
        return record.place
