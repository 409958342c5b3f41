import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from vcdhub.access.choices import Sensitivity
from vcdhub.audit.context import acting_as, cli_actor
from vcdhub.audit.log import record_reads
from vcdhub.platform.commands import active_user
from vcdhub.platform.csvsafe import csv_lines, safe_cell


class Command(BaseCommand):
    help = "Missing persons: export the episodes a user may see as CSV. The figures are `vcdhub report missing`."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        out = verbs.add_parser("export", help="write the episodes as CSV (the web list's download)")
        out.add_argument("-o", "--output", default="-", help="file to write; - for stdout")
        out.add_argument("--user", help="export what this user may see (without it, OFFICIAL episodes only)")
        out.add_argument("--state", choices=["missing", "found", "closed"], help="only episodes in this state")

    def handle(self, *args, verb, **options):
        return getattr(self, f"_{verb}")(**options)

    def _export(self, *, output, user, state, **options):
        from vcdhub.casework.models import Case
        from vcdhub.missing.views import CaseExportTable
        from vcdhub.missing.workflow import KIND

        account = active_user(user)
        cases = Case.objects.filter(kind=KIND.name).select_related("subject", "missing_episode")
        cases = cases.restrict(account) if account else cases.filter(sensitivity=Sensitivity.OFFICIAL)
        if state:
            cases = cases.filter(state=state)
        table = CaseExportTable()
        rows = [[c.label for c in table.columns], *([safe_cell(v) for v in row]
                                                    for row in table.values(cases.order_by("opened_at", "pk")))]
        with acting_as(f"user:{account.username}" if account else cli_actor(), user=account,
                       reason=f"CLI export of missing-person episodes by {cli_actor()}"):
            record_reads(cases, "export")
        text = "".join(csv_lines(rows))
        if output == "-":
            sys.stdout.write(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(rows) - 1} episodes written to {output}"
                              + ("" if account else " (OFFICIAL episodes only; pass --user for more)"))
