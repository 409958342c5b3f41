from django.apps import AppConfig

from vcdhub.platform.registry import Module


class LandingConfig(AppConfig):
    name = "vcdhub.landing"
    label = "landing"
    verbose_name = "Landing page"
    registration = Module(name="landing")
