from django.apps import AppConfig
from django.db.models.signals import post_migrate

from vcdhub.platform.registry import Module, NavEntry


class IngestConfig(AppConfig):
    name = "vcdhub.ingest"
    label = "ingest"
    verbose_name = "Imports"
    registration = Module(
        name="ingest",
        nav=(NavEntry("Imports", "ingest:imports", roles=frozenset({"administrator"}), order=90),),
        urls="vcdhub.ingest.urls", url_prefix="imports/",
        recovery="vcdhub.ingest.recovery.recover",
    )

    def ready(self):
        from vcdhub.ingest import jobs  # noqa: F401 - registers the import job kind

        # post_migrate is sent for apps with models only: listen for crime's.
        post_migrate.connect(_recover_after_migrate, sender=self.apps.get_app_config("crime"),
                             dispatch_uid="ingest.recover")


def _recover_after_migrate(sender, using="default", **kwargs) -> None:
    """Every migrate puts back what a killed bulk load left out (ingest.recovery): idempotent, and one look
    at the table's constraints and the cells' triggers when nothing is missing."""
    from vcdhub.ingest.recovery import recover

    recover()
