from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "vcdhub.demo"
    label = "demo"
    verbose_name = "Demo"
