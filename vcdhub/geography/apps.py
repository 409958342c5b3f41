from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "vcdhub.geography"
    label = "geography"
    verbose_name = "Geography"
