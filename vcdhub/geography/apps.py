from django.apps import AppConfig

from vcdhub.platform.registry import ApiEndpoint, Module


class GeographyConfig(AppConfig):
    name = "vcdhub.geography"
    label = "geography"
    verbose_name = "Geography"
    registration = Module(
        name="geography",
        api=(ApiEndpoint("boroughs", "vcdhub.geography.api.views.BoroughViewSet", "borough"),
             ApiEndpoint("wards", "vcdhub.geography.api.views.WardViewSet", "ward"),
             ApiEndpoint("lsoas", "vcdhub.geography.api.views.LsoaViewSet", "lsoa")),
    )
