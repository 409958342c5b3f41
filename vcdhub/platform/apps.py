from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "vcdhub.platform"
    label = "platform"
    verbose_name = "Platform"
