import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vcdhub.access.choices import Sensitivity
from vcdhub.audit.context import acting_as, cli_actor
from vcdhub.audit.log import record_reads
from vcdhub.platform.commands import COMMAND_CHECKS, active_user, import_as


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "The people register: import and export nominals, and list proposed duplicates."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("import", help="load nominals from a CSV file (all or nothing)")
        load.add_argument("file", type=Path)
        load.add_argument("--user", help="import as this user: new people are owned by one of their units")
        load.add_argument("--unit", required=True, help="the unit that owns the new people, e.g. csu")
        load.add_argument("--sensitivity", default=Sensitivity.OFFICIAL_SENSITIVE, choices=Sensitivity.values)
        load.add_argument("--descriptors", default="PERSONAL", help="comma-separated, e.g. PERSONAL")
        load.add_argument("--handling", default="")
        load.add_argument("--actor", help="who the audit chain names (default: the OS user)")
        out = verbs.add_parser("export", help="write nominals in the import schema")
        out.add_argument("-o", "--output", default="-", help="file to write; - for stdout")
        out.add_argument("--user", help="export what this user may see (without it, OFFICIAL records only)")
        out.add_argument("--spreadsheet-safe", action="store_true")
        dupes = verbs.add_parser("duplicates", help="score the register for duplicate people (Splink)")
        dupes.add_argument("--threshold", type=float, default=0.9, help="lowest match probability listed")
        dupes.add_argument("--json", action="store_true", help="print pairs and clusters as JSON")
        dupes.add_argument("--user", help="only people this user may see")
        dupes.add_argument("--propose", action="store_true",
                           help="also put new pairs on the review queue (people.duplicates)")
        dupes.add_argument("--actor", help="who the audit chain names (default: the OS user)")

    def handle(self, *args, verb, **options):
        return getattr(self, f"_{verb}")(**options)

    def _import(self, *, file, user, unit, sensitivity, descriptors, handling, actor, **options):
        from vcdhub.people.imports import import_people

        marking = {"owner_unit": unit, "sensitivity": sensitivity, "descriptors": descriptors, "handling": handling}
        result = import_as(self, file, user=user, actor=actor, what="people", run=lambda account, progress:
                           import_people(file, actor=account, marking=marking, progress=progress))
        self.stdout.write(f"{file.name}: {result.rows} rows: {result.created} new, {result.changed} changed, "
                          f"{result.unchanged} unchanged")

    def _export(self, *, output, user, spreadsheet_safe, **options):
        from vcdhub.people.exports import write_people
        from vcdhub.people.models import Person

        account = active_user(user)
        queryset = Person.objects.restrict(account) if account else Person.objects.filter(
            sensitivity=Sensitivity.OFFICIAL)
        with acting_as(f"user:{account.username}" if account else cli_actor(), user=account,
                       reason=f"CLI export of people by {cli_actor()}"):
            record_reads(queryset.filter(sensitivity=Sensitivity.OFFICIAL_SENSITIVE), "export")
            if output == "-":
                count = write_people(queryset, self.stdout, spreadsheet_safe=spreadsheet_safe)
            else:
                with open(output, "w", encoding="utf-8", newline="") as stream:
                    count = write_people(queryset, stream, spreadsheet_safe=spreadsheet_safe)
        self.stderr.write(f"{count} people written to {output if output != '-' else 'stdout'}"
                          + ("" if account else " (OFFICIAL records only; pass --user for more)"))

    def _duplicates(self, *, threshold, user, propose, actor, **options):
        from vcdhub.people.duplicates import find_duplicates, propose_pairs
        from vcdhub.people.models import Person

        if not 0 < threshold < 1:
            raise CommandError("--threshold must be between 0 and 1", returncode=2)
        account = active_user(user)
        name = f"user:{account.username}" if account else cli_actor(actor)
        with acting_as(name, user=account, reason=f"duplicate search by {cli_actor(actor)}"):
            found = find_duplicates(user=account, threshold=threshold)
            proposed = propose_pairs(found) if propose else None
            listed = {source for pair in found.pairs for source in (pair.left, pair.right)}
            record_reads(Person.objects.filter(source_id__in=listed, sensitivity=Sensitivity.OFFICIAL_SENSITIVE),
                         "export")  # the people this prints
        if options["json"]:
            self.stdout.write(json_text(found.as_json()))
        else:
            for pair in found.pairs:
                self.stdout.write(f"{pair.left}  {pair.right}  {pair.probability:.3f}  "
                                  f"{pair.driver}")
            pairs, clusters = len(found.pairs), len(found.clusters)
            self.stdout.write(f"{pairs} pair{'' if pairs == 1 else 's'} at or above {threshold}, in {clusters} "
                              f"cluster{'' if clusters == 1 else 's'}")
        if proposed is not None:
            self.stderr.write(f"{proposed} new pairs put on the review queue")


def json_text(value) -> str:
    return json.dumps(value, indent=1)
