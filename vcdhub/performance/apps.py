from django.apps import AppConfig

from vcdhub.platform.registry import Module, NavEntry


class PerformanceConfig(AppConfig):
    name = "vcdhub.performance"
    label = "performance"
    verbose_name = "Performance"
    registration = Module(
        name="performance",
        nav=(NavEntry("Performance", "performance:index", order=30),),
        records=("performance.TargetSet",),
        urls="vcdhub.performance.urls", url_prefix="performance/",
    )

    def ready(self):
        from vcdhub.performance import jobs  # noqa: F401 - registers the report job kind
