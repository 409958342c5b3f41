from django.core.management.base import BaseCommand

from vcdhub.access.choices import Sensitivity
from vcdhub.platform.commands import COMMAND_CHECKS, active_user, export_records


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "Risk panels (RAMP): export the cases a user may see as CSV. The figures are `vcdhub report ramp`."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        out = verbs.add_parser("export", help="write the RAMP cases as CSV (the web list's download)")
        out.add_argument("-o", "--output", default="-", help="file to write; - for stdout")
        out.add_argument("--user", help="export what this user may see (without it, OFFICIAL cases only)")
        out.add_argument("--state", help="only cases in this state (referred, assessment, panel, managed, ...)")

    def handle(self, *args, verb, **options):
        return getattr(self, f"_{verb}")(**options)

    def _export(self, *, output, user, state, **options):
        from vcdhub.casework.models import Case
        from vcdhub.ramp.views import CaseExportTable
        from vcdhub.ramp.workflow import KIND

        account = active_user(user)
        cases = Case.objects.filter(kind=KIND.name).select_related("subject", "lead_officer")
        cases = (cases.restrict(account) if account else cases.filter(sensitivity=Sensitivity.OFFICIAL))
        if state:
            cases = cases.filter(state=state)
        export_records(self, CaseExportTable(), cases.order_by("opened_at", "pk"), account, output=output,
                       noun="cases", what="RAMP cases")
