from django.apps import AppConfig


class CrimeConfig(AppConfig):
    name = "vcdhub.crime"
    label = "crime"
    verbose_name = "Crime records"
