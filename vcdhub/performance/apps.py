from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "vcdhub.performance"
    label = "performance"
    verbose_name = "Performance"
