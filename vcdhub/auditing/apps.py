from django.apps import AppConfig

from vcdhub.platform.registry import Module, NavEntry


class AuditingConfig(AppConfig):
    name = "vcdhub.auditing"
    label = "auditing"
    verbose_name = "Auditors' screens"
    registration = Module(
        name="auditing",
        nav=(NavEntry("Audit", "audit:index", roles=frozenset({"auditor"}), order=80),),
        urls="vcdhub.auditing.urls",
    )
