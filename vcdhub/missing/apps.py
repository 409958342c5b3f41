from django.apps import AppConfig

from vcdhub.missing.roles import DASHBOARD_ROLES, WORKERS
from vcdhub.platform.registry import ApiEndpoint, Module, NavEntry


class MissingConfig(AppConfig):
    name = "vcdhub.missing"
    label = "missing"
    verbose_name = "Missing persons (Compass)"
    registration = Module(
        name="missing",
        nav=(NavEntry("Missing persons", "missing:case_list", records=True, order=34),
             NavEntry("Missing: review queue", "missing:queue", roles=WORKERS, records=True, order=35),
             NavEntry("Missing: patterns", "missing:groups", roles=WORKERS, records=True, order=36),
             NavEntry("Missing dashboard", "missing:dashboard", roles=DASHBOARD_ROLES, order=37)),
        urls="vcdhub.missing.urls", url_prefix="missing/",
        api=(ApiEndpoint("missing-episodes", "vcdhub.missing.api.views.EpisodeViewSet", "missing-episode"),
             ApiEndpoint("missing-queue", "vcdhub.missing.api.views.QueueViewSet", "missing-queue"),
             ApiEndpoint("missing-groups", "vcdhub.missing.api.views.GroupViewSet", "missing-groups"),
             ApiEndpoint("missing-dashboard", "vcdhub.missing.api.views.DashboardViewSet", "missing-dashboard")),
    )

    def ready(self):
        from vcdhub.casework.kinds import register
        from vcdhub.missing.workflow import KIND

        register(KIND)
