from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from vcdhub.geography.loader import load_geography
from vcdhub.ingest.pipeline import run_import
from vcdhub.platform.console import progress_bar

DEMO_PASSWORD = "vcdhub-demo-2026"  # printed on every run; the demo is local and holds only public data
DEMO_USERS = [
    ("analyst", "Demo Analyst (fictitious)", False),
    ("supervisor", "Demo Supervisor (fictitious)", False),
    ("admin", "Demo Administrator (fictitious)", True),
]


class Command(BaseCommand):
    help = "Set up the demo: London geography, the bundled police.uk data, and demo users. Safe to repeat."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="load everything the demo needs (fast when already loaded)")

    def handle(self, *args, **options):
        actor = "demo:setup"
        geo = load_geography(actor=actor)
        self.stdout.write(f"Geography: {geo.boroughs} boroughs, {geo.wards} wards, {geo.lsoas} LSOAs"
                          f"{' (already loaded)' if geo.unchanged else ''}")
        data = settings.DATA_DIR / "demo" / "police-uk"
        progress = progress_bar()
        with progress:
            task = progress.add_task("demo data", total=None, note="")
            summary = run_import([data], actor=actor, on_file=lambda s: progress.update(task, note=s.name),
                                 tick=lambda n: progress.advance(task, n))
        t = summary.totals()
        self.stdout.write(f"Demo data: {t['files_imported']} files imported, {t['files_unchanged']} unchanged, "
                          f"{t['files_rejected']} rejected; {t['rows_imported']} rows in {t['seconds']:.1f} s")
        User = get_user_model()
        for username, full_name, is_admin in DEMO_USERS:
            first, _, last = full_name.partition(" ")
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": is_admin, "is_superuser": is_admin},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
        names = ", ".join(u for u, _, _ in DEMO_USERS)
        self.stdout.write(f"Demo users: {names}; password {DEMO_PASSWORD!r}. Open http://127.0.0.1:8000/")
