from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from vcdhub.audit.checkpoints import generate_key
from vcdhub.audit.context import acting_as
from vcdhub.demo.loader import DATA, PASSWORD, USERS, load_demo
from vcdhub.platform.console import progress_bar


class Command(BaseCommand):
    # `make demo` runs the server next, which runs Django's system checks; here they would cost about 2 s more.
    requires_system_checks = []
    help = ("Set up the demo: the database's tables, the audit chain's signing key, London geography, the bundled "
            "police.uk data, and demo users. Safe to repeat.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load everything the demo needs (fast when already loaded)")
        load.add_argument("--data", type=Path, default=DATA,
                          help="police.uk files to load (default: the bundled London-wide set, data/demo/police-uk)")

    def handle(self, *args, **options):
        # In this process rather than as `vcdhub migrate` and `vcdhub audit keygen` before it: each command
        # started costs Django's start-up and checks again (about 1.5 s each).
        call_command("migrate", verbosity=0, interactive=False)
        if settings.VCDHUB_AUDIT_SIGNING_KEY:
            key = Path(settings.VCDHUB_AUDIT_SIGNING_KEY)
            kid, made = generate_key(key, keep_existing=True)
            if made:
                self.stdout.write(f"Audit chain signing key {kid} made at {key} (its public key beside it)")
        actor = "demo:setup"
        progress = progress_bar()
        with acting_as(actor), progress:
            task = progress.add_task("demo data", total=None, note="")
            result = load_demo(options["data"], actor=actor, on_file=lambda s: progress.update(task, note=s.name),
                               tick=lambda n: progress.advance(task, n))
        geo = result.geography
        self.stdout.write(f"Geography: {geo.boroughs} boroughs, {geo.wards} wards, {geo.lsoas} LSOAs"
                          f"{' (already loaded)' if geo.unchanged else ''}")
        t = result.imported.totals()
        self.stdout.write(f"Demo data: {t['files_imported']} files imported, {t['files_unchanged']} unchanged, "
                          f"{t['files_rejected']} rejected; {t['rows_imported']} rows in {t['seconds']:.1f} s")
        if result.marked:
            marked = ", ".join(f"{n:,} to {unit}" for unit, n in sorted(result.marked.items()))
            self.stdout.write(f"Marked OFFICIAL-SENSITIVE (demo rule, demo/markings.py): {marked}")
        if result.people:
            p = result.people
            self.stdout.write(f"Fictitious people (demo/people.py): {p['people']:,} person records of "
                              f"{p['true people']:,} people, in {p['crime roles']:,} roles in {p['crimes']:,} real "
                              f"crimes, {p['links']:,} links, {p['flags']:,} flags; the supervisor's duplicate "
                              "review queue is scored in the background")
        if result.intel:
            i = result.intel
            self.stdout.write(f"Fictitious intelligence (demo/intel.py): {i['reports']:,} graded reports, "
                              f"{i['sources']} sources, {i['disseminations']:,} disseminations, "
                              f"{i['link proposals']:,} proposed links")
        if result.ramp:
            r = result.ramp
            self.stdout.write(f"Fictitious risk panel (demo/ramp.py): {r['cases']} RAMP cases in every state, "
                              f"{r['meetings']} panel meetings (two to come), {r['actions']} actions, "
                              f"{r['decisions']} panel decisions, {r['reviews']} reviews")
        if result.missing:
            m = result.missing
            self.stdout.write(f"Fictitious missing persons (demo/missing.py): {m['people']} people, "
                              f"{m['episodes']} episodes ({m['still missing']} still missing), "
                              f"{m['herbert forms']} Herbert forms")
        if result.request is not None:
            self.stdout.write(f"Access request waiting for a supervisor: {result.request}")
        names = ", ".join(u for u, *_ in USERS)
        self.stdout.write(f"Demo users: {names}; password {PASSWORD!r}. Open http://127.0.0.1:8000/")
