from django.apps import apps
from django.core.management.base import BaseCommand

from vcdhub.audit.context import acting_as, cli_actor
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.platform import fulltext
from vcdhub.platform.commands import COMMAND_CHECKS
from vcdhub.platform.console import progress_bar

CHUNK = 2000


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = ("Write the full-text search words of every searchable record again: after upgrading a database "
            "that held records before search existed, or to repair the index. Changes no record.")

    def add_arguments(self, parser):
        parser.add_argument("--actor", help="who the audit chain names (default: the OS user)")

    def handle(self, *args, actor=None, **options):
        searchable = [m for m in apps.get_models() if hasattr(m, "search_text")]
        written = {}
        with acting_as(cli_actor(actor), reason="full-text search index rebuilt"), progress_bar() as bar:
            for model in searchable:
                ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
                task = bar.add_task(f"Indexing {model._meta.verbose_name_plural}", total=len(ids), note="")
                for start in range(0, len(ids), CHUNK):
                    chunk = model._default_manager.filter(pk__in=ids[start:start + CHUNK])
                    fulltext.index(chunk)
                    bar.update(task, advance=len(ids[start:start + CHUNK]))
                written[fulltext.label(model)] = len(ids)
            record_event(EntryKind.CHANGE, "search_index", object_type="platform.searchdocument",
                         reason="full-text search index rebuilt", detail=written)
        for label, count in written.items():
            self.stdout.write(f"{label}: {count:,} indexed")
