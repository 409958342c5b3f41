"""Intelligence benchmarks (issue 13), part of `make bench`. Not a test.

1. Full-text search at a million reports, on PostgreSQL: the search page's part for reports (the records the
   user may see whose words hold the query's, counted, the newest 20 read and their snippets made), as an
   analyst of one unit and as an administrator who may see every OFFICIAL report. Counts stop at 1,000 ("1,000+"),
   as the page's do. A million fictitious reports
   are written once into their own database (VCDHUB_BENCH_INTEL_PG, default vcdhub_bench_intel), from
   templates with Faker's en_GB names, so words range from rare (a surname) to common. Target: under 200 ms.
2. The link chart around the busiest demo subject, two hops, in Debian's Chromium: the time from asking for the
   page to the chart drawn (the server's answer, the scripts and Cytoscape's layout). The demo is loaded into
   its own SQLite database under var/bench/intel-demo and served by `vcdhub serve`. Target: under 1 s.

Each figure is the median of 7 runs after one warm-up run. Exit status 1 if a target fails, 2 if the benchmark
cannot run.
"""

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
VCDHUB = Path(sys.executable).with_name("vcdhub")
SEARCH_DB = os.environ.get("VCDHUB_BENCH_INTEL_PG", "postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench_intel")
REPORTS = int(os.environ.get("VCDHUB_BENCH_REPORTS", 1_000_000))
SEARCH_TARGET_MS, CHART_TARGET_MS = 200, 1000
RUNS = 7
UNITS = ("rvctf", "csu", "vcd-analysts", "borough-lambeth", "sapphire")
TEMPLATES = (
    "{name} is said to carry {weapon} around {street} and to keep it at {place}.",
    "{name} is dealing cocaine from {street}, using a moped to deliver; {other} holds the stock.",
    "{name} drives a {colour} {car} on {street}, collecting cash from younger boys.",
    "{name} uses a burner phone to arrange deals; {other} answers it when he is in custody.",
    "{name} threatened a former partner near {street} and is said to have {weapon}.",
    "{name} is planning to retaliate for a stabbing near {street}; {other} is said to be involved.",
)
WEAPONS = ("a knife", "a machete", "a zombie knife", "a converted pistol", "a shotgun", "a hammer")
PLACES = ("a lock-up garage", "his girlfriend's flat", "the stairwell of his block", "a shed", "a friend's car")
CARS = ("Golf", "Corsa", "Fiesta", "Mercedes", "BMW", "Audi", "Astra", "Polo")
COLOURS = ("grey", "black", "white", "silver", "blue", "red")


def median_ms(call) -> float:
    call()  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def ensure_database(url: str) -> None:
    """Create the benchmark's database if it is not there (it is kept between runs: the million reports take
    minutes to write)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def search_benchmark() -> bool:
    ensure_database(SEARCH_DB)
    os.environ["DATABASE_URL"] = SEARCH_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcdhub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from vcdhub.intel.models import Report

    have = Report.objects.count()
    from vcdhub.platform.models import SearchDocument

    if have < REPORTS or SearchDocument.objects.filter(label="intel.report").count() < have:
        print(f"  writing {REPORTS - have:,} fictitious reports (once; kept for the next run)", flush=True)
        started = time.perf_counter()
        with connection.cursor() as cursor:  # a GIN index is built far faster once than row by row
            cursor.execute("DROP INDEX IF EXISTS platform_search_vector")
        try:
            fill(have)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("CREATE INDEX IF NOT EXISTS platform_search_vector ON platform_searchdocument "
                               "USING gin (vector)")
                cursor.execute("VACUUM ANALYZE intel_report")
                cursor.execute("VACUUM ANALYZE platform_searchdocument")
        print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
    from django.contrib.auth import get_user_model

    from vcdhub.access.models import Membership, RoleAssignment, Unit
    from vcdhub.audit.context import acting_as
    from vcdhub.intel import search

    users = {}
    with acting_as("bench:intel"):
        for name, unit, role in (("bench-analyst", "rvctf", "analyst"), ("bench-admin", "vcd-analysts",
                                                                         "administrator")):
            user, _ = get_user_model().objects.get_or_create(username=name)
            Membership.objects.get_or_create(user=user, unit=Unit.objects.get(code=unit))
            RoleAssignment.objects.get_or_create(user=user, role=role)
            users[name] = user
    from faker.providers.person.en_GB import Provider

    rare = sorted(Provider.last_names, key=Provider.last_names.get)[len(Provider.last_names) // 2]
    queries = {f"a surname and a weapon ({rare} machete)":
               f"{rare} machete", f"a surname ({rare})": rare, "a weapon (machete)": "machete",
               "two words (moped cocaine)": "moped cocaine", "a common word (said)": "said"}
    print(f"Full-text search over {Report.objects.count():,} reports on PostgreSQL "
          f"(target: under {SEARCH_TARGET_MS} ms), median of {RUNS}:")
    ok = True
    for who, user in users.items():
        for label, query in queries.items():
            found = {}

            def run(user=user, query=query, found=found):
                with acting_as("bench:intel", user=user):
                    part = search.reports_part(user, query)
                found["count"], found["capped"] = part.count, part.capped

            ms = median_ms(run)
            ok &= ms < SEARCH_TARGET_MS
            print(f"  {who:<14} {label:<40} {found['count']:>6,}{'+' if found['capped'] else ' '} found  {ms:7.1f} ms"
                  f"  {'pass' if ms < SEARCH_TARGET_MS else 'FAIL'}", flush=True)
    return ok


def fill(have: int) -> None:
    import datetime as dt

    from faker.providers.person.en_GB import Provider

    from vcdhub.intel.models import Report
    from vcdhub.platform import fulltext
    from vcdhub.platform.models import SearchDocument

    rng = random.Random(have or 13)
    given = list(Provider.first_names_male)
    surnames, weights = list(Provider.last_names), list(Provider.last_names.values())
    streets = [f"{rng.choice(surnames)} {rng.choice(('Road', 'Street', 'Lane', 'Close'))}" for _ in range(3000)]
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    batch = 20_000
    for first in range(have, REPORTS, batch):
        rows = []
        for number in range(first, min(first + batch, REPORTS)):
            text = rng.choice(TEMPLATES).format(
                name=f"{rng.choice(given)} {rng.choices(surnames, weights)[0]}", weapon=rng.choice(WEAPONS),
                street=rng.choice(streets), place=rng.choice(PLACES), colour=rng.choice(COLOURS),
                car=rng.choice(CARS), other=f"{rng.choice(given)} {rng.choices(surnames, weights)[0]}")
            rows.append(Report(reference=f"BENCH-{number:07d}", text=text, state="graded",
                               submitted_at=start + dt.timedelta(minutes=number * 3), source_evaluation="2",
                               intelligence_assessment="B", handling_code="P", fictitious=True,
                               owner_unit_id=UNITS[number % len(UNITS)],
                               sensitivity="OFFICIAL-SENSITIVE" if number % 3 else "OFFICIAL"))
        Report.objects.bulk_create(rows, batch_size=5000)
        saved = Report.objects.filter(reference__in=[r.reference for r in rows]).values_list("pk", "reference",
                                                                                              "text")
        SearchDocument.objects.bulk_create(  # as Report.search_text has them (a report without links)
            [SearchDocument(label="intel.report", object_id=pk, terms=" ".join(fulltext.terms(f"{ref} {text} ")))
             for pk, ref, text in saved], batch_size=5000)
        print(f"    {min(first + batch, REPORTS):,}", end="\r", flush=True)
    print()
    # A run stopped between a batch's reports and their words leaves reports unindexed: index them now.
    indexed = set(SearchDocument.objects.filter(label="intel.report").values_list("object_id", flat=True))
    missing = [pk for pk in Report.objects.values_list("pk", flat=True) if pk not in indexed]
    for start in range(0, len(missing), batch):
        fulltext.index(Report.objects.filter(pk__in=missing[start:start + batch]))


def chart_benchmark() -> bool:
    """In a child process: the demo on SQLite, served, and the chart timed in Chromium."""
    var = REPO / "var" / "bench" / "intel-demo"
    env = {**os.environ, "VCDHUB_VAR_DIR": str(var), "DATABASE_URL": "", "SECURE_COOKIES": "0",
           "DJANGO_SETTINGS_MODULE": "vcdhub.settings"}
    var.mkdir(parents=True, exist_ok=True)
    if not (var / "demo-loaded").exists():
        print("  loading the demo into its own database (once)", flush=True)
        for args in (["migrate", "--verbosity", "0"], ["audit", "keygen", "--if-missing"], ["demo", "load"]):
            subprocess.run([str(VCDHUB), *args], env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        (var / "demo-loaded").write_text("yes")
    busiest = subprocess.run([sys.executable, "-c", BUSIEST], env=env, cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    pk, nodes, edges = (int(x) for x in busiest[-3:])
    port = 8771
    server = subprocess.Popen([str(VCDHUB), "serve", "--bind", f"127.0.0.1:{port}"], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as play:
            browser = play.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            for _ in range(120):
                try:
                    page.goto(f"http://127.0.0.1:{port}/accounts/login/")
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    time.sleep(0.5)
            page.fill("#id_username", "analyst")
            page.fill("#id_password", "vcdhub-demo-2026")
            page.click("button[type=submit]")
            page.wait_for_url(f"http://127.0.0.1:{port}/")
            times = []
            for run in range(RUNS + 1):
                page.goto(f"http://127.0.0.1:{port}/intel/network/{pk}/?hops=2")
                page.wait_for_selector("#link-chart[data-drawn='true']")
                drawn = float(page.get_attribute("#link-chart", "data-drawn-at"))
                if run:
                    times.append(drawn)
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    ms = statistics.median(times)
    print(f"Link chart, two hops around the demo's busiest subject ({nodes} nodes, {edges} links), as the demo "
          f"analyst, in Chromium: page asked to chart drawn, median of {RUNS}: {ms:.0f} ms "
          f"(target under {CHART_TARGET_MS} ms)  {'pass' if ms < CHART_TARGET_MS else 'FAIL'}")
    return ms < CHART_TARGET_MS


BUSIEST = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db.models import Count
from vcdhub.audit.context import acting_as
from vcdhub.intel import network
from vcdhub.people.models import Person
user = get_user_model().objects.get(username="analyst")
best = (0, 0, 0)
with acting_as("bench:intel", user=user):
    for person in Person.objects.restrict(user).annotate(n=Count("crime_roles")).order_by("-n", "pk")[:25]:
        chart = network.build(user, person, network.Filters(hops=2))
        if len(chart.nodes) > best[1]:
            best = (person.pk, len(chart.nodes), len(chart.edges))
print(*best)
"""


def main() -> int:
    if not Path("/usr/bin/chromium").exists():
        print("intel benchmark: needs /usr/bin/chromium", file=sys.stderr)
        return 2
    chart_ok = chart_benchmark()
    search_ok = search_benchmark()
    return 0 if chart_ok and search_ok else 1


if __name__ == "__main__":
    sys.exit(main())
