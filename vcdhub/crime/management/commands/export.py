import gzip

from django.core.management.base import BaseCommand, CommandError

from vcdhub.crime.choices import ALL_CRIME_TYPES
from vcdhub.crime.exports import SCHEMA_FOR, write_police_uk
from vcdhub.crime.models import Crime, Outcome, StopSearch
from vcdhub.platform.months import parse_month

MODELS = {"crimes": Crime, "outcomes": Outcome, "stop-and-search": StopSearch}


class Command(BaseCommand):
    help = "Export crimes, outcomes or stop-and-search records in the police.uk schema."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sorted(MODELS))
        parser.add_argument("--force", default="", help="force name, or part of it (e.g. metropolitan)")
        parser.add_argument("--from", dest="month_from", default="", metavar="YYYY-MM")
        parser.add_argument("--to", dest="month_to", default="", metavar="YYYY-MM")
        parser.add_argument("--crime-type", action="append", default=[], help="repeat for several (crimes only)")
        parser.add_argument("-o", "--output", default="-", help="file to write (.csv or .csv.gz); - for stdout")

    def handle(self, *args, what, force, month_from, month_to, crime_type, output, **options):
        model = MODELS[what]
        queryset = model.objects.all()
        try:
            if month_from:
                queryset = queryset.filter(month__gte=parse_month(month_from))
            if month_to:
                queryset = queryset.filter(month__lte=parse_month(month_to))
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if force:
            column = "force" if model is StopSearch else "reported_by"
            queryset = queryset.filter(**{f"{column}__icontains": force.replace("-", " ")})
        if crime_type:
            if model is not Crime:
                raise CommandError("--crime-type applies to crimes only", returncode=2)
            unknown = sorted(set(crime_type) - ALL_CRIME_TYPES)
            if unknown:
                raise CommandError(f"unknown crime type: {', '.join(unknown)}", returncode=2)
            queryset = queryset.filter(crime_type__in=crime_type)
        schema = SCHEMA_FOR[what]
        if output == "-":
            count = write_police_uk(queryset, schema, self.stdout)  # each CSV line ends in \n, as it expects
        else:
            opener = gzip.open if output.endswith(".gz") else open
            with opener(output, "wt", encoding="utf-8", newline="") as stream:
                count = write_police_uk(queryset, schema, stream)
        self.stderr.write(f"{count} {what} rows written to {output if output != '-' else 'stdout'}")
