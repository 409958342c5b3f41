from django.apps import AppConfig

from vcdhub.platform.registry import ApiEndpoint, Module, NavEntry
from vcdhub.ramp.roles import DASHBOARD_ROLES, WORKERS


class RampConfig(AppConfig):
    name = "vcdhub.ramp"
    label = "ramp"
    verbose_name = "Risk panels (RAMP)"
    registration = Module(
        name="ramp",
        nav=(NavEntry("Risk panel", "ramp:case_list", records=True, order=30),
             NavEntry("Priority list", "ramp:priority", roles=WORKERS, records=True, order=31),
             NavEntry("Reviews due", "ramp:reviews", roles=WORKERS, records=True, order=32),
             NavEntry("RAMP dashboard", "ramp:dashboard", roles=DASHBOARD_ROLES, order=33)),
        urls="vcdhub.ramp.urls", url_prefix="ramp/",
        api=(ApiEndpoint("ramp-cases", "vcdhub.ramp.api.views.CaseViewSet", "ramp-case"),
             ApiEndpoint("ramp-priority", "vcdhub.ramp.api.views.PriorityViewSet", "ramp-priority"),
             ApiEndpoint("ramp-dashboard", "vcdhub.ramp.api.views.DashboardViewSet", "ramp-dashboard")),
    )

    def ready(self):
        from vcdhub.casework.kinds import register
        from vcdhub.ramp.workflow import KIND

        register(KIND)
