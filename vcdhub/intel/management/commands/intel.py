import csv
from pathlib import Path

from django.core.management.base import BaseCommand

from vcdhub.access.choices import Sensitivity
from vcdhub.audit.context import acting_as, cli_actor
from vcdhub.audit.log import record_reads
from vcdhub.platform.commands import COMMAND_CHECKS, active_user, import_as
from vcdhub.platform.csvsafe import safe_cell


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "Intelligence: import graded reports from a CSV file, and export them in the same schema."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("import", help="load graded reports from a CSV file (all or nothing)")
        load.add_argument("file", type=Path)
        load.add_argument("--user", help="import as this user: reports must be owned by one of their units")
        load.add_argument("--sensitivity", default=Sensitivity.OFFICIAL_SENSITIVE, choices=Sensitivity.values,
                          help="the marking of rows whose sensitivity cell is blank")
        load.add_argument("--actor", help="who the audit chain names (default: the OS user)")
        out = verbs.add_parser("export", help="write reports in the import schema")
        out.add_argument("-o", "--output", default="-", help="file to write; - for stdout")
        out.add_argument("--user", help="export what this user may see (without it, OFFICIAL reports only)")
        out.add_argument("--spreadsheet-safe", action="store_true",
                         help="prefix cells a spreadsheet would run as formulas")

        links = verbs.add_parser("propose-links", help="propose links between people that the evidence suggests")
        links.add_argument("--actor", help="who the audit chain names (default: the OS user)")

    def handle(self, *args, verb, **options):
        return getattr(self, f"_{verb.replace('-', '_')}")(**options)

    def _propose_links(self, *, actor, **options):
        from vcdhub.intel.proposals import propose_links

        with acting_as(cli_actor(actor), reason=f"link proposals by {cli_actor(actor)}"):
            made = propose_links()
        self.stdout.write(f"{made} new link proposals")

    def _import(self, *, file, user, sensitivity, actor, **options):
        from vcdhub.intel.imports import import_reports

        result = import_as(self, file, user=user, actor=actor, what="intelligence", run=lambda account, progress:
                           import_reports(file, actor=account, sensitivity=sensitivity, progress=progress))
        self.stdout.write(f"{file.name}: {result.rows} rows: {result.created} new, {result.unchanged} unchanged")

    def _export(self, *, output, user, spreadsheet_safe, **options):
        from vcdhub.intel.exports import COLUMNS, report_rows
        from vcdhub.intel.models import Report

        account = active_user(user)
        queryset = (Report.objects.restrict(account) if account else
                    Report.objects.filter(sensitivity=Sensitivity.OFFICIAL)).order_by("submitted_at", "pk")
        cell = safe_cell if spreadsheet_safe else str
        count = 0
        with acting_as(f"user:{account.username}" if account else cli_actor(), user=account,
                       reason=f"CLI export of intelligence by {cli_actor()}"):
            record_reads(queryset.filter(sensitivity=Sensitivity.OFFICIAL_SENSITIVE), "export")
            if output == "-":
                self.stdout.ending = ""
            stream = self.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
            try:
                writer = csv.writer(stream)
                writer.writerow(COLUMNS)
                for row in report_rows(account, queryset):
                    writer.writerow([cell(v) for v in row])
                    count += 1
            finally:
                if stream is not self.stdout:
                    stream.close()
        self.stderr.write(f"{count} reports written to {output if output != '-' else 'stdout'}"
                          + ("" if account else " (OFFICIAL reports only; pass --user for more)"))
