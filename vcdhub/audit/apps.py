from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vcdhub.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from vcdhub.audit import signals  # noqa: F401 - connects the sign-in receivers
