from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "vcdhub.access"
    label = "access"
    verbose_name = "Access control"
