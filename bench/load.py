"""Load benchmark: `make bench-load` (and the end of `make bench`). Not a test.

Starts the production server (`vcdhub serve`: gunicorn, pooled connections) and its job worker on
127.0.0.1 against a PostgreSQL database that holds the full shared Met data (the one `make bench` imports),
signs in virtual users as the demo's kinds of user, and has them browse for a fixed time: explorer pages
with broad and narrow filters, counts, the map and its choropleth, the API, the home page and place runs.
A choropleth is asked for as the map asks: the figures without outlines, and beside them the areas' outlines,
which the user's browser keeps and revalidates by their ETag (a 304 after the first time).
Each user waits 1 to 2 seconds between requests, as a person reading a page does (a closed loop without
pauses measures a different thing: how fast the server drains a queue).

Prints p50, p95 and p99 latency over every request, per kind of request, and the throughput.
Target: p95 under 300 ms at 20 concurrent users, with no errors.

Environment:
    DATABASE_URL          the database to serve (default: the benchmark database of `make bench`)
    VCDHUB_LOAD_USERS     concurrent users (default 20)
    VCDHUB_LOAD_SECONDS   measured seconds (default 60), after VCDHUB_LOAD_WARMUP seconds (default 15)
    VCDHUB_LOAD_PORT      port on 127.0.0.1 (default 8765)
    VCDHUB_LOAD_THINK     the pause between a user's requests, "low,high" seconds (default "1,2"; "0,0" for a
                          closed loop, each user asking again as soon as answered: a stress test, not the target)

Exit status: 0 if the target holds, 1 if not, 2 if the benchmark cannot run.
"""

import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
VCDHUB = Path(sys.executable).with_name("vcdhub")
DATABASE_URL = os.environ.get("DATABASE_URL") or os.environ.get(
    "VCDHUB_BENCH_PG_URL", "postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench")
USERS = int(os.environ.get("VCDHUB_LOAD_USERS", 20))
SECONDS = float(os.environ.get("VCDHUB_LOAD_SECONDS", 60))
WARMUP = float(os.environ.get("VCDHUB_LOAD_WARMUP", 15))
PORT = int(os.environ.get("VCDHUB_LOAD_PORT", 8765))
BASE = f"http://127.0.0.1:{PORT}"
THINK = tuple(float(x) for x in os.environ.get("VCDHUB_LOAD_THINK", "1,2").split(","))
P95_TARGET_MS = 300.0
PASSWORD = "vcdhub-load-2026"
# The demo's kinds of user; most of the load is analysts'.
PERSONAS = [("load-analyst", ["vcd-analysts"], ["analyst"], 10),
            ("load-lambeth", ["borough-lambeth"], ["analyst"], 4),
            ("load-supervisor", ["vcd-analysts", "vcd-tasking"], ["supervisor"], 3),
            ("load-authority", [], ["authority_member"], 3)]

CRIME_TYPES = ["Violence and sexual offences", "Robbery", "Burglary", "Possession of weapons",
               "Theft from the person", "Vehicle crime", "Drugs"]
BOROUGHS = ["E09000033", "E09000022", "E09000028", "E09000030", "E09000012", "E09000014"]


def die(message: str) -> None:
    print(f"load benchmark: {message}", file=sys.stderr)
    sys.exit(2)


def child_env() -> dict:
    return {**os.environ, "DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "vcdhub.settings",
            "SECURE_COOKIES": "0"}


def prepare() -> dict:
    """The load's users (made or reset here) and the data's span, from a child process on the database."""
    script = f"""
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.db.models import Max, Min
from vcdhub.access import actions
from vcdhub.access.models import Unit
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import Crime
from vcdhub.places.models import AnalysisRun
personas = {json.dumps([p[:3] for p in PERSONAS])}
with acting_as("bench:load"):
    for name, units, roles in personas:
        user, _ = get_user_model().objects.get_or_create(username=name, defaults={{"first_name": "Load (fictitious)"}})
        user.set_password({PASSWORD!r})
        user.save()
        for code in units:
            actions.add_member(user, Unit.objects.get(code=code), by=None)
        for role in roles:
            actions.assign_role(user, role, by=None)
span = Crime.objects.aggregate(first=Min("month"), last=Max("month"), n=Max("id"))
runs = {{"exact": list(AnalysisRun.objects.filter(perturbed=False).values_list("id", flat=True)[:5]),
         "perturbed": list(AnalysisRun.objects.filter(perturbed=True).values_list("id", flat=True)[:5])}}
print(json.dumps({{"first": str(span["first"])[:7], "last": str(span["last"])[:7], "max_id": span["n"], "runs": runs}}))
"""
    proc = subprocess.run([sys.executable, "-c", script], env=child_env(), capture_output=True, text=True,
                          cwd=REPO)
    if proc.returncode:
        die(f"preparing the users failed:\n{proc.stderr[-2000:]}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    if info["first"] == "None":
        die(f"no crime records in {DATABASE_URL}: run `make bench` first (it imports the shared Met data)")
    return info


def place_runs() -> dict:
    """One exact and one perturbed concentration run, made through the CLI if the database has none."""
    for flag in ("", "--perturbed"):
        args = [str(VCDHUB), "analyse", "concentration", "--crime-type", "Robbery", "--from", "2017-01",
                "--to", "2017-06", "--level", "ward"] + ([flag] if flag else [])
        subprocess.run(args, env=child_env(), capture_output=True, text=True, cwd=REPO, check=True)
    return prepare()["runs"]


def start_server() -> tuple[subprocess.Popen, subprocess.Popen]:
    log = (REPO / "var" / "bench")
    log.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen([str(VCDHUB), "serve", "--bind", f"127.0.0.1:{PORT}"], env=child_env(), cwd=REPO,
                              stdout=open(log / "load-server.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    worker = subprocess.Popen([str(VCDHUB), "db_worker", "--no-startup-delay", "--verbosity", "0"],
                              env=child_env(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            die(f"the server stopped (see {log / 'load-server.log'})")
        try:
            if requests.get(f"{BASE}/healthz", timeout=2).ok:
                return server, worker
        except requests.RequestException:
            pass
        time.sleep(0.5)
    die("the server did not answer /healthz within 120 s")


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def sign_in(name: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{BASE}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not token:
        die("no CSRF token on the sign-in page")
    answer = session.post(f"{BASE}/accounts/login/", data={"username": name, "password": PASSWORD,
                                                           "csrfmiddlewaretoken": token.group(1)},
                          headers={"Referer": f"{BASE}/accounts/login/"}, timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        die(f"{name} could not sign in (HTTP {answer.status_code})")
    return session


class Mix:
    """What one kind of user asks for, with weights. Months and filters are drawn at random over the data."""

    def __init__(self, info: dict, rng: random.Random):
        self.rng = rng
        first_year, last = int(info["first"][:4]), info["last"]
        self.months = [f"{y}-{m:02d}" for y in range(first_year, int(last[:4]) + 1) for m in range(1, 13)
                       if info["first"] <= f"{y}-{m:02d}" <= last]
        self.runs = info["runs"]
        self.max_id = info["max_id"]

    def period(self, months: int) -> tuple[str, str]:
        start = self.rng.randrange(0, max(1, len(self.months) - months + 1))
        span = self.months[start:start + months]
        return span[0], span[-1]

    def filters(self) -> list[tuple[str, str]]:
        """Broad (six months of the whole Met) or narrow (one borough, one or two types, a year)."""
        if self.rng.random() < 0.5:
            first, last = self.period(6)
            return [("month_from", first), ("month_to", last)]
        first, last = self.period(12)
        types = self.rng.sample(CRIME_TYPES, self.rng.choice((1, 2)))
        return [("month_from", first), ("month_to", last), ("borough", self.rng.choice(BOROUGHS))] + [
            ("crime_type", t) for t in types]

    def reader(self) -> tuple[str, str, list]:
        choice = self.rng.choices(["explorer", "explorer all", "explorer page 5", "counts", "choropleth",
                                   "api list", "home", "map", "place run"],
                                  weights=[25, 5, 5, 15, 15, 10, 10, 5, 10])[0]
        filters = self.filters()
        if choice == "explorer":
            return choice, "/crimes/", filters
        if choice == "explorer all":
            return choice, "/crimes/", []
        if choice == "explorer page 5":
            return choice, "/crimes/", filters + [("page", "5")]
        if choice == "counts":
            return choice, "/api/crimes/counts/", filters + [("level", "ward")]
        if choice == "choropleth":
            return choice, "/api/crimes/choropleth/", filters + [("level", self.rng.choice(("ward", "borough"))),
                                                                 ("geometry", "false")]
        if choice == "api list":
            return choice, "/api/crimes/", filters
        if choice == "map":
            return choice, "/map/", filters
        if choice == "place run" and self.runs["exact"]:
            return choice, f"/places/runs/{self.rng.choice(self.runs['exact'])}/", []
        return "home", "/", []

    def aggregate_reader(self) -> tuple[str, str, list]:
        choice = self.rng.choices(["counts", "choropleth", "home", "map", "place run"],
                                  weights=[30, 30, 15, 10, 15])[0]
        filters = self.filters()
        if choice == "counts":
            return choice, "/api/crimes/counts/", filters + [("level", "ward")]
        if choice == "choropleth":
            return choice, "/api/crimes/choropleth/", filters + [("level", "ward"), ("geometry", "false")]
        if choice == "map":
            return choice, "/map/", filters
        if choice == "place run" and self.runs["perturbed"]:
            return choice, f"/places/runs/{self.rng.choice(self.runs['perturbed'])}/", []
        return "home", "/", []


def run_users(info: dict) -> tuple[list, list]:
    """(samples, errors): samples are (kind, milliseconds, finished at) for requests in the measured window."""
    samples, errors = [], []
    lock = threading.Lock()
    began = time.monotonic()
    measure_from, stop_at = began + WARMUP, began + WARMUP + SECONDS
    personas = [name for name, _, _, weight in PERSONAS for _ in range(weight)]

    def user(number: int) -> None:
        rng = random.Random(number)
        name = personas[number % len(personas)]
        time.sleep(rng.uniform(0, min(WARMUP, 5)))  # arrivals spread over the first seconds
        session = sign_in(name)
        mix = Mix(info, rng)
        ask = mix.aggregate_reader if name == "load-authority" else mix.reader
        kept: dict[str, str] = {}  # the browser's cache: each address's ETag

        def get(kind: str, path: str, params: list) -> None:
            start = time.monotonic()
            headers = {"If-None-Match": kept[path]} if path in kept else {}
            try:
                response = session.get(BASE + path, params=params, headers=headers, timeout=60)
                status = response.status_code
                if status == 200 and "ETag" in response.headers:
                    kept[path] = response.headers["ETag"]
            except requests.RequestException as exc:
                status = repr(exc)
            end = time.monotonic()
            if measure_from <= start and end <= stop_at:
                with lock:
                    samples.append((kind, (end - start) * 1000, end))
                    if status not in (200, 304):
                        errors.append((kind, path, status))

        while time.monotonic() < stop_at:
            kind, path, params = ask()
            get(kind, path, params)
            if kind == "choropleth":  # the map's second request (in parallel in a browser; after it here)
                get("outlines", f"/api/{dict(params)['level']}s/outlines/", [])
            time.sleep(rng.uniform(*THINK))

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WARMUP + SECONDS + 120)
    return samples, errors


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(samples: list, errors: list) -> bool:
    if not samples:
        die("no request finished in the measured window")
    every = [ms for _, ms, _ in samples]
    p50, p95, p99 = (percentile(every, q) for q in (50, 95, 99))
    print(f"\nLoad: {USERS} users, {SECONDS:.0f} s measured after {WARMUP:.0f} s warm-up, think time "
          f"{THINK[0]:g}-{THINK[1]:g} s, `vcdhub serve` on {os.cpu_count()} cores, "
          f"database {DATABASE_URL.rsplit('/', 1)[-1]}")
    print(f"  {'request':<18} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    by_kind = defaultdict(list)
    for kind, ms, _ in samples:
        by_kind[kind].append(ms)
    for kind in sorted(by_kind, key=lambda k: -len(by_kind[k])):
        values = by_kind[kind]
        print(f"  {kind:<18} {len(values):>6} {percentile(values, 50):>8.0f} {percentile(values, 95):>8.0f} "
              f"{percentile(values, 99):>8.0f} {max(values):>8.0f}")
    print(f"  {'all':<18} {len(every):>6} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f} {max(every):>8.0f}")
    print(f"  throughput: {len(every) / SECONDS:.1f} requests/s; errors: {len(errors)}")
    for kind, path, status in errors[:10]:
        print(f"    error: {kind} {path}: {status}")
    ok = p95 < P95_TARGET_MS and not errors
    print(f"  target p95 < {P95_TARGET_MS:.0f} ms with no errors at {USERS} users: {'PASS' if ok else 'FAIL'}")
    results = REPO / "var" / "bench" / "load.json"
    results.write_text(json.dumps({"users": USERS, "seconds": SECONDS, "p50": p50, "p95": p95, "p99": p99,
                                   "throughput": len(every) / SECONDS, "errors": len(errors),
                                   "by_kind": {k: {"n": len(v), "p95": percentile(v, 95)}
                                               for k, v in by_kind.items()}}, indent=2))
    return ok


def main() -> None:
    info = prepare()
    if not info["runs"]["exact"] or not info["runs"]["perturbed"]:
        info["runs"] = place_runs()
    server, worker = start_server()
    try:
        samples, errors = run_users(info)
    finally:
        stop(server, worker)
    sys.exit(0 if report(samples, errors) else 1)


if __name__ == "__main__":
    main()
