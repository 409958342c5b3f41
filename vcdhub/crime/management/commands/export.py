import gzip
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from vcdhub.access.choices import Sensitivity
from vcdhub.audit.context import acting_as, cli_actor
from vcdhub.audit.log import record_reads
from vcdhub.crime.exports import SCHEMA_FOR, write_police_uk
from vcdhub.crime.inputs import crime_types
from vcdhub.crime.models import Crime, Outcome, StopSearch
from vcdhub.platform.commands import COMMAND_CHECKS, active_user, month_span, usage_error
from vcdhub.platform.inputs import InputError

MODELS = {"crimes": Crime, "outcomes": Outcome, "stop-and-search": StopSearch}


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "Export crimes, outcomes or stop-and-search records in the police.uk schema."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sorted(MODELS))
        parser.add_argument("--force", default="", help="force name, or part of it (e.g. metropolitan)")
        parser.add_argument("--from", dest="month_from", default="", metavar="YYYY-MM")
        parser.add_argument("--to", dest="month_to", default="", metavar="YYYY-MM")
        parser.add_argument("--crime-type", action="append", default=[], help="repeat for several (crimes only)")
        parser.add_argument("-o", "--output", default="-", help="file to write (.csv or .csv.gz); - for stdout")
        parser.add_argument("--spreadsheet-safe", action="store_true",
                            help="prefix text a spreadsheet would run as a formula (=, +, -, @) with a quote; "
                                 "by default each cell is written exactly as police.uk publishes it")
        parser.add_argument("--user", help="export what this user may see, auditing sensitive rows as their reads "
                                           "(without it, only OFFICIAL records are exported)")

    def handle(self, *args, what, force, month_from, month_to, crime_type, output, user, **options):
        model = MODELS[what]
        account = active_user(user)
        if account is not None:
            queryset = model.objects.restrict(account)
        else:
            queryset = model.objects.filter(sensitivity=Sensitivity.OFFICIAL)
        start, end = month_span(month_from, month_to)
        if start:
            queryset = queryset.filter(month__gte=start)
        if end:
            queryset = queryset.filter(month__lte=end)
        if force:
            column = "force" if model is StopSearch else "reported_by"
            queryset = queryset.filter(**{f"{column}__icontains": force.replace("-", " ")})
        if crime_type:
            if model is not Crime:
                raise CommandError("--crime-type applies to crimes only", returncode=2)
            try:
                queryset = queryset.filter(crime_type__in=crime_types(crime_type))
            except InputError as exc:
                raise usage_error(exc) from exc
        schema = SCHEMA_FOR[what]
        actor = f"user:{account.username}" if account else cli_actor()
        with acting_as(actor, user=account, reason=f"CLI export of {what} by {cli_actor()}"):
            record_reads(queryset.filter(sensitivity=Sensitivity.OFFICIAL_SENSITIVE), "export")
            try:
                count = self._write(queryset, schema, output, spreadsheet_safe=options["spreadsheet_safe"])
            except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
                sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - Python's own exit flush must not fail
                raise SystemExit(0) from None
        self.stderr.write(f"{count} {what} rows written to {output if output != '-' else 'stdout'}"
                          + ("" if account else " (OFFICIAL records only; pass --user for more)"))

    def _write(self, queryset, schema, output, *, spreadsheet_safe: bool) -> int:
        if output == "-":  # each CSV line ends in \n, as self.stdout expects
            return write_police_uk(queryset, schema, self.stdout, spreadsheet_safe=spreadsheet_safe)
        opener = gzip.open if output.endswith(".gz") else open
        with opener(output, "wt", encoding="utf-8", newline="") as stream:
            return write_police_uk(queryset, schema, stream, spreadsheet_safe=spreadsheet_safe)
