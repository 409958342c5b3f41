from django.apps import AppConfig

from vcdhub.access.choices import Role
from vcdhub.platform.registry import ApiEndpoint, Module, NavEntry

# Whoever belongs to a unit or agency that may be given actions: every role but the aggregate-only authority.
ACTION_HOLDER_ROLES = frozenset(r for r in Role.values if r != Role.AUTHORITY_MEMBER)


class CaseworkConfig(AppConfig):
    name = "vcdhub.casework"
    label = "casework"
    verbose_name = "Case work"
    registration = Module(
        name="casework",
        nav=(NavEntry("Our actions", "casework:queue", roles=ACTION_HOLDER_ROLES, order=40),
             NavEntry("Panel meetings", "casework:meeting_list", records=True, order=42)),
        records=("casework.Case", "casework.CaseAction", "casework.Meeting"),
        grantable=("casework.Case",),
        urls="vcdhub.casework.urls", url_prefix="casework/",
        panels=(("person", "vcdhub.casework.profile.person_panel"),),
        api=(ApiEndpoint("case-actions", "vcdhub.casework.api.views.CaseActionViewSet", "caseaction"),
             ApiEndpoint("meetings", "vcdhub.casework.api.views.MeetingViewSet", "meeting")),
    )
