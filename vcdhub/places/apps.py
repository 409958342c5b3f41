from django.apps import AppConfig

from vcdhub.platform.registry import Module, NavEntry


class PlacesConfig(AppConfig):
    name = "vcdhub.places"
    label = "places"
    verbose_name = "Places"
    registration = Module(
        name="places",
        nav=(NavEntry("Places", "places:index", order=50),),
        urls="vcdhub.places.urls", url_prefix="places/",
    )

    def ready(self):
        from vcdhub.places import jobs  # noqa: F401 - registers the place-analysis job kind
