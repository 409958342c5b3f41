"""Everything the demo needs, loaded in one call: London's geography, the bundled London-wide police.uk data, the
demo's OFFICIAL-SENSITIVE markings (demo.markings), its fictitious users, its fictitious people tied to real
crimes (demo.people) and one access request waiting for a supervisor. Every step changes nothing when it has been
done: a second load only checks."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from vcdhub.access import actions
from vcdhub.access.choices import Sensitivity
from vcdhub.access.models import AccessGrant, Unit
from vcdhub.crime.models import Crime
from vcdhub.demo.intel import load_intel
from vcdhub.demo.markings import VIOLENCE, apply_markings
from vcdhub.demo.missing import load_missing
from vcdhub.demo.people import load_people
from vcdhub.demo.ramp import load_ramp
from vcdhub.geography.loader import GeographyResult, load_geography
from vcdhub.ingest.pipeline import ImportSummary, run_import
from vcdhub.platform.jobs import enqueue

DATA = settings.DATA_DIR / "demo" / "police-uk"
PASSWORD = "vcdhub-demo-2026"  # printed on every run; the demo is local and holds only public data
# (username, full name, units, roles). Fictitious people, one for each kind of user the directorate has.
USERS = [
    ("analyst", "Demo Analyst (fictitious)", ["vcd-analysts"], ["analyst"]),
    ("supervisor", "Demo Supervisor (fictitious)", ["vcd-analysts", "vcd-tasking"], ["supervisor"]),
    ("csu", "Demo CSU Investigator (fictitious)", ["csu"], ["investigator"]),
    ("compass", "Demo Compass Officer (fictitious)", ["compass"], ["investigator"]),
    ("compass-sup", "Demo Compass Supervisor (fictitious)", ["compass"], ["supervisor"]),
    ("lambeth", "Demo Lambeth Analyst (fictitious)", ["borough-lambeth"], ["analyst"]),
    ("auditor", "Demo Auditor (fictitious)", ["vcd-analysts"], ["auditor"]),
    ("authority", "Demo Authority Member (fictitious)", [], ["authority_member"]),
    ("admin", "Demo Administrator (fictitious)", ["vcd-analysts"], ["administrator"]),
    ("intel", "Demo CSU Intelligence Analyst (fictitious)", ["csu"], ["analyst"]),
    ("handler", "Demo CSU Source Handler (fictitious)", ["csu"], ["investigator", "source_handler"]),
    ("chair", "Demo CSU Panel Chair (fictitious)", ["csu"], ["panel_chair"]),
    ("probation", "Demo Probation Partner Account (fictitious)", ["probation"], ["partner"]),
]

REVIEWER = "supervisor"  # whose review queue of possible duplicate people the first load fills

# The waiting request: the Lambeth analyst asks to see one of the Community Safety Units' records in Lambeth.
REQUESTER = "lambeth"
REQUEST_BOROUGH = "E09000022"
REQUEST_REASON = ("Demo request (fictitious): checking whether this assault is linked to the series of knife "
                  "robberies near Brixton station that I am mapping for the borough's tasking meeting.")


@dataclass
class DemoResult:
    geography: GeographyResult
    imported: ImportSummary
    marked: dict[str, int] = field(default_factory=dict)  # records re-marked OFFICIAL-SENSITIVE, by owning unit
    users_created: int = 0
    request: AccessGrant | None = None  # the access request made by this load (None: made before, or no record)
    people: dict[str, int] = field(default_factory=dict)  # the fictitious people made by this load (demo.people)
    intel: dict[str, int] = field(default_factory=dict)  # the fictitious intelligence made by this load
    ramp: dict[str, int] = field(default_factory=dict)  # the fictitious risk panel made by this load
    missing: dict[str, int] = field(default_factory=dict)  # the fictitious missing persons made by this load


def load_demo(data: Path = DATA, *, actor: str, on_file: Callable | None = None,
              tick: Callable[[int], None] | None = None) -> DemoResult:
    """Load the demo into the current database, acting as `actor` (the caller's acting_as)."""
    geography = load_geography(actor=actor)
    # A first load goes in bulk (indexes deferred, then built once): twice as fast on SQLite. A later one, which
    # finds its files loaded, only checks them.
    bulk = True if not Crime.objects.exists() else None
    imported = run_import([data], actor=actor, on_file=on_file, tick=tick, bulk=bulk)
    marked = apply_markings()
    created = create_users()
    people = load_people()
    if people:  # the first load: the supervisor's review queue is filled by a job, when `make demo` starts one
        enqueue("people.duplicates", user=get_user_model().objects.get(username=REVIEWER), threshold=0.9)
    intel = load_intel()
    ramp = load_ramp()
    missing = load_missing()
    return DemoResult(geography, imported, marked, created, request_access(), people, intel, ramp, missing)


def create_users() -> int:
    User = get_user_model()
    created_count = 0
    hashed = None  # one hash for every demo user: the password is printed anyway, and each hash costs a second
    for username, full_name, units, roles in USERS:
        first, _, last = full_name.partition(" ")
        is_admin = "administrator" in roles
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": is_admin, "is_superuser": is_admin},
        )
        if created:
            hashed = hashed or make_password(PASSWORD)
            user.password = hashed
            user.save(update_fields=["password"])
            created_count += 1
        for code in units:
            actions.add_member(user, Unit.objects.get(code=code), by=None)
        for role in roles:
            actions.assign_role(user, role, by=None)
    return created_count


def request_access() -> AccessGrant | None:
    """One request waiting for a supervisor, made once: never again after it has been decided or withdrawn."""
    user = get_user_model().objects.get(username=REQUESTER)
    if AccessGrant.objects.filter(user=user).exists():
        return None
    record = (Crime.objects.filter(owner_unit_id="csu", sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
                                   crime_type=VIOLENCE, borough__code=REQUEST_BOROUGH)
              .order_by("-month", "crime_id").first())
    if record is None:
        return None
    return actions.request_grant(user=user, record=record, reason=REQUEST_REASON, days=7, requested_by=user)
