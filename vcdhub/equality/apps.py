from django.apps import AppConfig

from vcdhub.platform.registry import Module, NavEntry


class EqualityConfig(AppConfig):
    name = "vcdhub.equality"
    label = "equality"
    verbose_name = "Equality monitoring"
    registration = Module(
        name="equality",
        nav=(NavEntry("Equality", "equality:index", order=40),),
        urls="vcdhub.equality.urls", url_prefix="equality/",
    )
