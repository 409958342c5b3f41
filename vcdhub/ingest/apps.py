from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "vcdhub.ingest"
    label = "ingest"
    verbose_name = "Imports"
