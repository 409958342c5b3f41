from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vcdhub.audit.context import cli_actor
from vcdhub.geography.boundaries import BoundaryFileError
from vcdhub.geography.loader import load_geography
from vcdhub.geography.models import Borough, Lsoa, Ward
from vcdhub.geography.signals import boundaries_changed
from vcdhub.platform.commands import COMMAND_CHECKS


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "Load boroughs, wards and LSOAs (bundled London files by default), or show what is loaded."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load LSOA polygons and the LSOA -> ward -> borough lookup")
        load.add_argument("--lsoa", type=Path, help="LSOA polygons, GeoJSON (.geojson or .geojson.gz)")
        load.add_argument("--lookup", type=Path, help="ONS LSOA -> ward -> local authority lookup, CSV")
        load.add_argument("--population", type=Path, help="ONS LSOA population estimates, CSV (optional)")
        load.add_argument("--reload", action="store_true", help="load even if these files were loaded before")
        load.add_argument("--actor", help="who the load runs as (default: cli:<os user>)")
        sub.add_parser("status", help="count what is loaded")

    def handle(self, *args, action, **options):
        if action == "status":
            self.stdout.write(f"{Borough.objects.count()} boroughs, {Ward.objects.count()} wards, "
                              f"{Lsoa.objects.count()} LSOAs")
            return
        if bool(options["lsoa"]) != bool(options["lookup"]):
            raise CommandError("give both --lsoa and --lookup, or neither for the bundled London files",
                               returncode=2)
        try:
            result = load_geography(options["lsoa"], options["lookup"], options["population"],
                                    actor=cli_actor(options["actor"]), force=options["reload"],
                                    progress=lambda m: self.stderr.write(m) if options["verbosity"] > 1 else None)
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from exc
        state = "already loaded, unchanged" if result.unchanged else "loaded"
        self.stdout.write(f"Geography {state}: {result.boroughs} boroughs, {result.wards} wards, "
                          f"{result.lsoas} LSOAs")
        if not result.unchanged:
            placed = {}
            for _, counts in boundaries_changed.send(sender=type(self)):
                placed.update(counts or {})
            self.stdout.write("Records re-placed in the new boundaries: " +
                              ", ".join(f"{n} {name} records placed" for name, n in placed.items()))
