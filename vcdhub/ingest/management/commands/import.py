import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from vcdhub.audit.context import cli_actor
from vcdhub.crime.policeuk import police_month
from vcdhub.ingest.files import UsageError, discover
from vcdhub.ingest.pipeline import ImportSummary, run_import
from vcdhub.platform.commands import COMMAND_CHECKS
from vcdhub.platform.console import progress_bar

SHOWN_ERRORS = 20


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = (
        "Import data.police.uk files (street crime, outcomes, stop and search): .csv, .csv.gz, folders or "
        "bulk-download .zip files. Each file is all-or-nothing. Exit 0 if all imported, 1 if any rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--actor", help="who the import runs as (default: cli:<os user>)")
        parser.add_argument("--force", default="", help="force name for stop-and-search files not named by it")
        parser.add_argument("--month", default="", help="YYYY-MM for stop-and-search files not named by it")
        bulk = parser.add_mutually_exclusive_group()
        bulk.add_argument("--bulk", dest="bulk", action="store_true", default=None,
                          help="defer the crime table's indexes to the end (default: automatic for large loads)")
        bulk.add_argument("--no-bulk", dest="bulk", action="store_false", help="keep indexes up to date row by row")

    def handle(self, *args, **options):
        if options["month"]:
            try:
                police_month(options["month"])
            except ValueError as exc:
                raise CommandError(f"--month: {exc}", returncode=2) from exc
        try:
            sources = discover(options["paths"])
        except UsageError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        progress = progress_bar(enabled=not options["json"])
        with progress:
            files_task = progress.add_task("files", total=len(sources), note="")
            rows_task = progress.add_task("rows", total=None, note="")

            def on_file(source):
                progress.update(files_task, note=source.name)
                progress.advance(files_task, 0)

            summary = run_import(
                [], sources=sources, actor=cli_actor(options["actor"]), force=options["force"],
                month=options["month"], on_file=on_file, tick=lambda n: progress.advance(rows_task, n),
                bulk=options["bulk"],
            )
            progress.update(files_task, completed=len(sources), note="done")
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        else:
            self._print(summary)
        if not summary.ok:
            raise SystemExit(1)

    def _print(self, summary: ImportSummary) -> None:
        console = Console(file=self.stdout, width=120, soft_wrap=True)
        table = Table(title="Import summary")
        for column in ("file", "kind", "status", "rows read", "imported", "rejected", "replaced"):
            table.add_column(column, justify="right" if column not in ("file", "kind", "status") else "left")
        for f in summary.files:
            # File names are the user's text, never rich markup: "m[/bold].csv" must print as it is.
            table.add_row(Text(f.name), f.kind, f.status, str(f.rows_read), str(f.rows_imported), str(f.rows_rejected),
                          str(f.rows_replaced))
        console.print(table)
        for f in summary.files:
            if f.status != "rejected":
                continue
            console.print(f"[red]Rejected[/red] {escape(f.source)}: nothing from this file was imported.",
                          highlight=False)
            for error in f.errors[:SHOWN_ERRORS]:
                console.print(f"  {error}", highlight=False, markup=False)
            if f.rows_rejected > SHOWN_ERRORS:
                console.print(f"  ... {f.rows_rejected} bad rows in all (--json lists up to 1000)", highlight=False)
        console.print(summary.sentence(), highlight=False, markup=False)
