import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from vcdhub.crime.choices import ALL_CRIME_TYPES
from vcdhub.crime.counts import LEVELS
from vcdhub.places.concentration import concentration
from vcdhub.platform.commands import month_span


class Command(BaseCommand):
    help = "Analyses of where crime concentrates."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="analysis", required=True)
        conc = sub.add_parser("concentration", help="how few areas hold a share of the crimes; Lorenz and Gini")
        conc.add_argument("--crime-type", action="append", required=True, help="repeat for several")
        conc.add_argument("--from", dest="month_from", required=True, metavar="YYYY-MM")
        conc.add_argument("--to", dest="month_to", required=True, metavar="YYYY-MM")
        conc.add_argument("--level", choices=list(LEVELS), default="ward")
        conc.add_argument("--share", type=float, default=0.20, help="the share of crimes, e.g. 0.20")
        conc.add_argument("--areas", choices=["covered", "all"], default="covered",
                          help="rank areas with any record in the period (default), or every loaded area")
        conc.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, analysis, crime_type, month_from, month_to, level, share, areas, as_json, **options):
        unknown = sorted(set(crime_type) - ALL_CRIME_TYPES)
        if unknown:
            raise CommandError(f"unknown crime type: {', '.join(unknown)}", returncode=2)
        if not 0 < share <= 1:
            raise CommandError("--share must be between 0 and 1, e.g. 0.20", returncode=2)
        start, end = month_span(month_from, month_to)
        result = concentration(crime_type, start, end, level, share, areas)
        if as_json:
            self.stdout.write(json.dumps(result, indent=2))
            return
        console = Console(file=self.stdout, width=120)
        console.print(f"{result['areas_needed']} of {result['areas_considered']} {level}s hold "
                      f"{share:.0%} of {result['total']:,} crimes ({', '.join(crime_type)}, {month_from} to "
                      f"{month_to}); Gini {result['gini']:.3f}; {result['unplaced']:,} crimes in no known area.",
                      highlight=False)
        table = Table()
        for column in ("Rank", "Code", "Name", "Crimes", "Cumulative share"):
            table.add_column(column)
        for rank, area in enumerate(result["areas"], start=1):
            table.add_row(str(rank), area["code"], area["name"], f"{area['count']:,}",
                          f"{area['cumulative_share']:.1%}")
        console.print(table)
