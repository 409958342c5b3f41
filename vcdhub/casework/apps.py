from django.apps import AppConfig

from vcdhub.platform.registry import ApiEndpoint, Module, NavEntry


class CaseworkConfig(AppConfig):
    name = "vcdhub.casework"
    label = "casework"
    verbose_name = "Case work"
    registration = Module(
        name="casework",
        nav=(NavEntry("Our actions", "casework:queue", order=40),
             NavEntry("Panel meetings", "casework:meeting_list", records=True, order=42)),
        records=("casework.Case", "casework.CaseAction", "casework.Meeting"),
        grantable=("casework.Case",),
        urls="vcdhub.casework.urls", url_prefix="casework/",
        api=(ApiEndpoint("case-actions", "vcdhub.casework.api.views.CaseActionViewSet", "caseaction"),
             ApiEndpoint("meetings", "vcdhub.casework.api.views.MeetingViewSet", "meeting")),
    )
