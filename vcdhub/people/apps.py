from django.apps import AppConfig

from vcdhub.access.choices import Role
from vcdhub.platform.registry import ApiEndpoint, Module, NavEntry

# Who may add and change people, their flags, roles and links, and decide on proposed duplicates.
PEOPLE_EDITORS = frozenset({Role.INVESTIGATOR, Role.ANALYST, Role.SUPERVISOR})
DUPLICATE_REVIEWERS = frozenset({Role.ANALYST, Role.SUPERVISOR})


class PeopleConfig(AppConfig):
    name = "vcdhub.people"
    label = "people"
    verbose_name = "People"
    registration = Module(
        name="people",
        nav=(NavEntry("People", "people:person_list", records=True, order=12),
             NavEntry("Flag reviews", "people:flag_list", records=True, order=13),
             NavEntry("Possible duplicates", "people:duplicates", roles=DUPLICATE_REVIEWERS, order=14)),
        records=("people.Person", "people.Flag", "people.CrimeRole", "people.PersonLink", "people.PlaceLink"),
        grantable=("people.Person", "people.Flag", "people.CrimeRole", "people.PersonLink", "people.PlaceLink"),
        urls="vcdhub.people.urls", url_prefix="people/",
        api=(ApiEndpoint("people", "vcdhub.people.api.views.PersonViewSet", "person"),
             ApiEndpoint("person-flags", "vcdhub.people.api.views.FlagViewSet", "flag"),
             ApiEndpoint("crime-roles", "vcdhub.people.api.views.CrimeRoleViewSet", "crimerole"),
             ApiEndpoint("person-links", "vcdhub.people.api.views.PersonLinkViewSet", "personlink"),
             ApiEndpoint("place-links", "vcdhub.people.api.views.PlaceLinkViewSet", "placelink")),
    )

    def ready(self):
        from vcdhub.people import jobs  # noqa: F401 - registers the duplicate scoring job
