from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vcdhub.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from vcdhub.audit import chain, checkpoints, signals  # noqa: F401 - signals connects the sign-in receivers

        chain.after_append(checkpoints.after_append)  # signed checkpoints, queued on a schedule
