from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from vcdhub.access import actions
from vcdhub.access.models import Unit
from vcdhub.audit.context import acting_as
from vcdhub.geography.loader import load_geography
from vcdhub.ingest.pipeline import run_import
from vcdhub.platform.console import progress_bar

DEMO_PASSWORD = "vcdhub-demo-2026"  # printed on every run; the demo is local and holds only public data
# (username, full name, units, roles). Fictitious people, one for each kind of user the directorate has.
DEMO_USERS = [
    ("analyst", "Demo Analyst (fictitious)", ["vcd-analysts"], ["analyst"]),
    ("supervisor", "Demo Supervisor (fictitious)", ["vcd-analysts", "vcd-tasking"], ["supervisor"]),
    ("csu", "Demo CSU Investigator (fictitious)", ["csu"], ["investigator"]),
    ("compass", "Demo Compass Officer (fictitious)", ["compass"], ["investigator"]),
    ("lambeth", "Demo Lambeth Analyst (fictitious)", ["borough-lambeth"], ["analyst"]),
    ("auditor", "Demo Auditor (fictitious)", ["vcd-analysts"], ["auditor"]),
    ("authority", "Demo Authority Member (fictitious)", [], ["authority_member"]),
    ("admin", "Demo Administrator (fictitious)", ["vcd-analysts"], ["administrator"]),
]


class Command(BaseCommand):
    help = "Set up the demo: London geography, the bundled police.uk data, and demo users. Safe to repeat."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="load everything the demo needs (fast when already loaded)")

    def handle(self, *args, **options):
        actor = "demo:setup"
        with acting_as(actor):
            self._load(actor)

    def _load(self, actor):
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
        for username, full_name, units, roles in DEMO_USERS:
            first, _, last = full_name.partition(" ")
            is_admin = "administrator" in roles
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": is_admin, "is_superuser": is_admin},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            for code in units:
                actions.add_member(user, Unit.objects.get(code=code), by=None)
            for role in roles:
                actions.assign_role(user, role, by=None)
        names = ", ".join(u for u, *_ in DEMO_USERS)
        self.stdout.write(f"Demo users: {names}; password {DEMO_PASSWORD!r}. Open http://127.0.0.1:8000/")
