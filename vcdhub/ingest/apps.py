from django.apps import AppConfig

from vcdhub.platform.registry import Module, NavEntry


class IngestConfig(AppConfig):
    name = "vcdhub.ingest"
    label = "ingest"
    verbose_name = "Imports"
    registration = Module(
        name="ingest",
        nav=(NavEntry("Imports", "ingest:imports", roles=frozenset({"administrator"}), order=90),),
        urls="vcdhub.ingest.urls", url_prefix="imports/",
    )

    def ready(self):
        from vcdhub.ingest import jobs  # noqa: F401 - registers the import job kind
