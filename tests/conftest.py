"""Shared fixtures. Geography is loaded once per test database; police.uk samples are real rows of the test set
(data/test/police-uk: four boroughs, 2016-2017)."""

import csv
import gzip
import io
import ipaddress
import os
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from vcdhub.access.models import Unit, VisibilityRule
from vcdhub.access.seed import seed_units_and_rules
from vcdhub.audit.context import acting_as
from vcdhub.crime import cells
from vcdhub.crime.models import Crime, CrimeCell, CrimeCellBorough, CrimeCellWard, CrimeFlags, Outcome, StopSearch
from vcdhub.geography.loader import load_geography
from vcdhub.geography.models import Lsoa

# The compact four-borough police.uk set the tests import (data/test/README.md); the demo loads data/demo/police-uk.
DEMO = settings.DATA_DIR / "test" / "police-uk"
SHARED = Path(os.environ.get("VCDHUB_SHARED_DATA", settings.BASE_DIR.parent / "shared" / "data"))

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
CHROMIUM = Path("/usr/bin/chromium")


class NetworkAccessInTests(RuntimeError):
    """A test tried to reach a host other than this machine: tests must not need the network."""


def _refuse_remote(connect):
    def guarded(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                local = ipaddress.ip_address(host).is_loopback
            except ValueError:
                local = host == "localhost"
            if not local:
                raise NetworkAccessInTests(f"a test tried to connect to {host}: tests run without the network")
        return connect(self, address, *args, **kwargs)

    return guarded


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences",
                     "django_db_serialized_rollback"}


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL run, leave out the tests that never touch a database (the statistics, parsers and
    pure functions): they ran on the SQLite run, and a second database cannot change their result."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    database_free = [item for item in items
                     if item.get_closest_marker("django_db") is None
                     and not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if database_free:
        config.hook.pytest_deselected(items=database_free)
        kept = set(map(id, database_free))
        items[:] = [item for item in items if id(item) not in kept]


# Tables that tests fill with up to the full Met data (1.4M rows) inside a transaction that is then rolled back.
BULK_TABLES = tuple(model._meta.db_table for model in (Crime, CrimeCell, CrimeCellWard, CrimeCellBorough, Outcome,
                                                       StopSearch, CrimeFlags))
BLOATED_BYTES = 16 * 1024 * 1024


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """On PostgreSQL, give back the space of rows a test wrote and rolled back. A rolled-back insert leaves its
    rows in the table's pages, dead, until VACUUM: after a test had imported and rolled back the full Met data,
    every later count scanned those pages, and tests that count rows between writes ran 20 to 100 times
    slower (the hostile-input tests 68 s instead of 3 s). VACUUM gives the trailing empty pages back to the
    operating system; it runs only when a table is bigger than an empty one can be."""
    yield
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    # A response the test client never closed (a streaming download not read to its end) never sends
    # request_finished, so its request's state would still be on the connection, and the next test's counts,
    # made outside any request, would read the data version that request read (test_cells_cache failed so on
    # PostgreSQL). A server always closes the response; here each test starts outside any request.
    cells.request_finished()
    if nextitem is None or connection.vendor != "postgresql" or blocking_manager_key not in item.config.stash:
        return  # after the last test the test database is gone
    with item.config.stash[blocking_manager_key].unblock():
        if connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND pg_relation_size(oid) > %s",
                           [list(BULK_TABLES), BLOATED_BYTES])
            for (table,) in cursor.fetchall():
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")


def pytest_configure(config):
    # Network access during tests is an error (only this machine: PostgreSQL, live servers, the browser).
    socket.socket.connect = _refuse_remote(socket.socket.connect)
    socket.socket.connect_ex = _refuse_remote(socket.socket.connect_ex)
    # Password hashing is deliberately slow; tests create many users. Production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The audit chain's checkpoints and signing key of the tests are their own, never the demo's under var/
    # (a test's worker would otherwise sign the test chain into the demo's checkpoints). Subprocesses inherit.
    own = Path(tempfile.mkdtemp(prefix="vcdhub-test-checkpoints-"))
    for name, value in (("VCDHUB_AUDIT_CHECKPOINT_DIR", own / "checkpoints"),
                        ("VCDHUB_AUDIT_SIGNING_KEY", own / "audit-signing-key.pem")):
        os.environ[name] = str(value)
        setattr(settings, name, str(value))


_geography_rows: dict | None = None


def _geography_models():
    from vcdhub.geography.models import Borough, BoundarySet, Ward

    return (BoundarySet, Borough, Ward, Lsoa)


def _ensure_geography() -> None:
    """Units, rules and London's areas in the test database. Loading the boundaries parses and dissolves
    thousands of polygons (seconds); after a transactional test has flushed them, the rows of the first load
    are put back as they were (same ids), which takes a fraction of that."""
    global _geography_rows
    if not Unit.objects.exists():  # a transactional test flushed the seeded units and rules
        with acting_as("test:setup"):
            seed_units_and_rules(Unit, VisibilityRule)
    if Lsoa.objects.exists():
        if _geography_rows is None:
            _geography_rows = {model: list(model.objects.order_by("pk").values()) for model in _geography_models()}
        return
    if _geography_rows is None:
        load_geography(actor="test:setup", force=True)
        _geography_rows = {model: list(model.objects.order_by("pk").values()) for model in _geography_models()}
        return
    for model in _geography_models():
        model.objects.bulk_create([model(**row) for row in _geography_rows[model]], batch_size=500)


@contextmanager
def kept_for_the_module(django_db_blocker):
    """For a module fixture that writes data once for its module's tests: a transaction, rolled back when the fixture
    ends; each test's own transaction is a savepoint inside it."""
    from django.db import transaction

    with django_db_blocker.unblock():
        _ensure_geography()
        with transaction.atomic():
            try:
                yield
            finally:
                transaction.set_rollback(True)


def constraints_checked_now() -> None:
    """Check the module's data against its deferred constraints (PostgreSQL's foreign keys) once, now. Each test
    checks them before its savepoint is rolled back (Django's TestCase), and the rollback puts the checks of rows
    written before the savepoint back in the queue: without this, every test of a module that shared 100,000s
    of rows checked them all again (2 s a test in the place pages' tests)."""
    from django.db import connection

    connection.check_constraints()


def imported_once(months, kinds=("metropolitan-street",)):
    """A module fixture: the test set's files of `months` and `kinds` (as for `demo_file`), imported once for the
    module's tests in a transaction rolled back at the module's end (kept_for_the_module). It gives their paths,
    month by month. A test of the module that runs before the first that uses it sees none of them."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        from vcdhub.ingest.pipeline import run_import

        paths = [DEMO / month / f"{month}-{kind}.csv.gz" for month in months for kind in kinds]
        with kept_for_the_module(django_db_blocker):
            assert run_import(paths, actor="test").ok
            constraints_checked_now()
            yield paths

    return fixture


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_geography()


def launched_chromium():
    """Debian's Chromium through Playwright, closed when the generator ends (skips the test without it)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture
def london(db):
    """London's boroughs, wards and LSOAs (reloaded if a transactional test flushed them)."""
    _ensure_geography()


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        return next(reader), list(reader)


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, gz: bool | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if (gz if gz is not None else path.name.endswith(".gz")) else data)
    return path


@pytest.fixture
def demo_file():
    """The path of a real bundled test-set file (four boroughs): demo_file("2017-07", "metropolitan-street")."""

    def find(month: str, kind: str) -> Path:
        return DEMO / month / f"{month}-{kind}.csv.gz"

    return find


@pytest.fixture
def street_sample(tmp_path, demo_file):
    """A small real street file (first n rows of a test-set month), written where the test wants it."""

    def make(n: int = 200, month: str = "2017-07", name: str | None = None, rows_filter=None) -> Path:
        header, rows = read_rows(demo_file(month, "metropolitan-street"))
        if rows_filter:
            rows = [r for r in rows if rows_filter(r)]
        return write_csv(tmp_path / (name or f"{month}-metropolitan-street.csv"), header, rows[:n])

    return make


def shared_data_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the full shared data at {path}")
    return path


def database_url() -> str:
    """A DATABASE_URL for the test database, for tests that run the CLI in a subprocess."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


# The named personas of the access tests: (username, units, roles).
PERSONAS = {
    "csu_investigator": (["csu"], ["investigator"]),
    "compass_officer": (["compass"], ["investigator"]),
    "borough_analyst": (["borough-lambeth"], ["analyst"]),
    "vcd_analyst": (["vcd-analysts"], ["analyst"]),
    "vcd_supervisor": (["vcd-analysts", "vcd-tasking"], ["supervisor"]),
    "auditor": (["vcd-analysts"], ["auditor"]),
    "authority_member": ([], ["authority_member"]),
    "tasking_officer": (["vcd-tasking"], ["tasking_officer"]),
    "jigsaw_panel_chair": (["jigsaw"], ["panel_chair"]),
    "administrator": (["vcd-analysts"], ["administrator"]),
    "csu_analyst": (["csu"], ["analyst"]),  # reviews and grades the CSU's intelligence
    "csu_handler": (["csu"], ["investigator", "source_handler"]),  # handles the CSU's sources
    "csu_panel_chair": (["csu"], ["panel_chair"]),  # chairs the CSU's risk panel
    "probation_partner": (["probation"], ["partner"]),  # a partner agency's account: its own actions only
    "compass_supervisor": (["compass"], ["supervisor"]),  # supervises missing-person investigations
}
PASSWORD = "correct horse battery staple"


def make_persona(name: str):
    units, roles = PERSONAS[name]
    return make_user(name, units, roles, first_name=name)


def make_user(username: str, units: list[str], roles: list[str], **defaults):
    """A user in these units with these roles (and the test password), as a persona is made; for units and
    roles no named persona has."""
    from django.contrib.auth import get_user_model

    from vcdhub.access.models import Membership, RoleAssignment

    user, _ = get_user_model().objects.get_or_create(username=username, defaults=defaults)
    user.set_password(PASSWORD)
    user.save()
    with acting_as("test:setup"):
        for code in units:
            Membership.objects.get_or_create(user=user, unit=Unit.objects.get(code=code))
        for role in roles:
            RoleAssignment.objects.get_or_create(user=user, role=role)
    return user


@pytest.fixture
def personas(db):
    """Every named persona, created fresh: personas["csu_investigator"] etc."""
    _ensure_geography()
    return {name: make_persona(name) for name in PERSONAS}
