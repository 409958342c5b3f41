from django.apps import AppConfig


class EqualityConfig(AppConfig):
    name = "vcdhub.equality"
    label = "equality"
    verbose_name = "Equality monitoring"
