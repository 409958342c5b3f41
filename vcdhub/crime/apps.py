from django.apps import AppConfig
from django.db.models.signals import post_migrate

from vcdhub.platform.registry import ApiEndpoint, Module, NavEntry


class CrimeConfig(AppConfig):
    name = "vcdhub.crime"
    label = "crime"
    verbose_name = "Crime records"
    registration = Module(
        name="crime",
        nav=(NavEntry("Crime explorer", "crime:explorer", records=True, order=10),
             NavEntry("Map", "crime:map", order=20)),
        records=("crime.Crime", "crime.Outcome", "crime.StopSearch"),
        grantable=("crime.Crime", "crime.Outcome", "crime.StopSearch"),
        urls="vcdhub.crime.urls",
        api=(ApiEndpoint("crimes", "vcdhub.crime.api.views.CrimeViewSet", "crime"),
             ApiEndpoint("stop-searches", "vcdhub.crime.api.views.StopSearchViewSet", "stopsearch")),
    )

    def ready(self):
        from django.core.signals import request_finished, request_started

        from vcdhub.crime import cells
        from vcdhub.geography.signals import boundaries_changed

        boundaries_changed.connect(_replace_records, dispatch_uid="crime.relink")
        request_started.connect(cells.request_started, dispatch_uid="crime.cells.version")
        request_finished.connect(cells.request_finished, dispatch_uid="crime.cells.version")
        post_migrate.connect(_ensure_cells, sender=self, dispatch_uid="crime.cells")


def _ensure_cells(sender, using="default", plan=None, **kwargs) -> None:
    """After every migrate: a migration that rebuilds the crime table (SQLite does, to alter a column) drops
    its triggers; put them back and count the cells again (crime.cells.ensure)."""
    from django.db import connections

    from vcdhub.crime import cells
    from vcdhub.crime.models import CrimeCell

    connection = connections[using]
    if CrimeCell._meta.db_table in connection.introspection.table_names():
        cells.ensure()


def _replace_records(sender, **kwargs) -> dict[str, int]:
    from vcdhub.crime.relink import relink_records

    return relink_records()
