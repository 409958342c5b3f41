"""Screenshots of vcdhub's main screens, for reviewers who do not run it: docs/screens/*.png and docs/screens.md.

Each screen is opened in Debian's Chromium (through Playwright, as the browser tests do) by the kind of user it is
for, signed in as one of the demo users, at desktop size (1280 x 800); a few are taken at phone size (390 px wide)
as well. `make screens` loads the demo first (`make demo-load`), then runs this.

    .venv/bin/python scripts/screens.py [--base-url http://127.0.0.1:8000] [--only NAME ...]

Without --base-url it serves the demo itself: on SQLite it copies the demo database to a temporary folder first, so
the sign-ins, reads and analysis runs the screenshots need leave the demo as it was (on PostgreSQL, DATABASE_URL,
they go into that database). With --base-url it photographs a running demo (`make demo`) instead, which must use
this environment's database: the two analysis runs the screens show are made in it when it has none.
PNGs are reduced to 256 colours to stay small. The exit status is 1 when a screen did not open as expected; the
others are still written.
"""

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "docs" / "screens"
DOC = ROOT / "docs" / "screens.md"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "vcdhub-demo-2026"  # vcdhub/demo/loader.py: the demo users' password
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PERIOD = ("2017-01", "2017-12")  # the demo data's months (data/demo/README.md)
HALVES = "period=2017-07..2017-12&baseline=2017-01..2017-06"  # performance: the demo holds no 2016 to compare with
DRAWN = "#map[data-drawn=true]"


@dataclass(frozen=True)
class Screen:
    name: str  # the PNG's name
    title: str  # its heading in docs/screens.md
    user: str  # the demo user who opens it
    path: str  # may hold {halves} and any key of SHELL_LOOKUP's JSON ({record}, {ramp_case}, {missing_case}...)
    says: str  # the sentence under the heading
    ready: str = "main"  # a selector that is there once the page has drawn
    phone: bool = False  # also taken at 390 px wide
    full_page: bool = False  # the whole page, not only the first screenful (capped at MAX_HEIGHT)
    status: int = 200  # the status the page answers with


MAX_HEIGHT = 2200
SCREENS = [
    Screen("home-analyst", "Home: the analyst's landing page", "analyst", "/",
           "The first page an analyst sees after signing in: where the day's work starts, with what data is "
           "loaded.", phone=True),
    Screen("explorer", "Crime explorer", "analyst", "/crimes/",
           "The crime explorer: filters by month, crime type, borough, ward and force, the totals, and a paged "
           "table of the records the user may see.", phone=True, full_page=True),
    Screen("explorer-filtered", "Crime explorer, filtered", "analyst",
           "/crimes/?crime_type=Robbery&borough=E09000022",
           "Robbery in Lambeth: the totals and the table follow the filter, and the CSV download gives the same "
           "rows.", full_page=True),
    Screen("crime-record", "A crime record", "analyst", "/crimes/{record}/",
           "One police.uk record: where it was placed, its last outcome, its source file and a link to its "
           "history."),
    Screen("map", "Map by borough", "analyst", "/map/",
           "Boroughs shaded by the count for the explorer's filters; the seven boroughs the shared Met data misses "
           "and the City are drawn as \"no data\", and a table gives the same figures.", ready=DRAWN, phone=True,
           full_page=True),
    Screen("map-wards", "Map by ward", "analyst", "/map/?level=ward&crime_type=Robbery",
           "Robbery by ward across the 25 boroughs with data.", ready=DRAWN, full_page=True),
    Screen("places", "Place analyses: asking for one", "analyst", "/places/",
           "The form that asks for a concentration, most-challenged, hot-spot, cluster, emerging hot-spot or alerts "
           "analysis; each runs as a background job."),
    Screen("hotspots", "Place analyses: hot spots", "analyst", "/places/runs/{hotspots}/",
           "A Getis-Ord Gi* hot-spot run on violence by ward, with its legend, summary and how it was made (seed, "
           "input hash, code version).", ready=DRAWN, full_page=True),
    Screen("concentration", "Place analyses: concentration", "analyst", "/places/runs/{concentration}/",
           "How few wards hold a fifth of the violence in the 25 boroughs with data, with the Lorenz curve.",
           ready=DRAWN, full_page=True),
    Screen("emerging", "Place analyses: emerging hot spots", "analyst", "/places/runs/{emerging}/",
           "Each ward's Gi* month by month through 2017 and the trend of its z-scores (Mann-Kendall): new, "
           "intensifying, persistent, diminishing and other hot and cold spots.", ready=DRAWN, full_page=True),
    Screen("performance", "Performance against targets", "analyst", "/performance/?{halves}",
           "The directorate's indicators against their targets, July to December 2017 against January to June (the "
           "demo holds no 2016 for the default baseline, a year earlier), with intervals and trend charts.",
           ready=".charts svg", full_page=True),
    Screen("equality", "Stop and search: equality", "analyst", "/equality/",
           "Search rates and disproportionality by ethnicity, over the population the searches cover.",
           full_page=True),
    Screen("refused-record", "A record the user may not see", "analyst", "/crimes/{sensitive}/",
           "An OFFICIAL-SENSITIVE record of the Community Safety Units, opened by an analyst outside the unit: "
           "refused in the site's layout, with the way to request access.", status=404),
    Screen("sensitive-record", "An OFFICIAL-SENSITIVE record, seen by its unit", "csu", "/crimes/{sensitive}/",
           "The same record, opened by a CSU investigator: its marking and descriptor are shown, and the read is "
           "on the audit trail."),
    Screen("people-search", "People: a search", "analyst", "/people/?name=smyth&born=1985-2000",
           "The nominal register, searched by a misspelt name and a range of birth years: Smith and Smyth both "
           "come back, the name as typed first. Every person in the demo is fictitious."),
    Screen("person", "A person", "analyst", "/people/{person}/",
           "A fictitious repeat offender: flags with their review dates, roles in crimes on a small map numbered "
           "as the table under it, and the others linked to each crime that the analyst may see.",
           ready="#person-map[data-drawn=true]", full_page=True),
    Screen("flag-reviews", "Flag reviews", "analyst", "/people/flags/?review=30",
           "Flags and warning markers whose review is overdue or due within 30 days, soonest first."),
    Screen("duplicates", "Possible duplicates", "supervisor", "/people/duplicates/",
           "Pairs of person records the linkage model (Splink) scores as one person, for a reviewer to decide."),
    Screen("duplicate-pair", "Same person?", "supervisor", "/people/duplicates/{pair}/",
           "One proposed pair side by side, with the evidence each comparison added; only this decision merges."),
    Screen("intel-search", "Search", "intel", "/intel/search/?q=machete",
           "Full-text search as the CSU's intelligence analyst: only the reports, people and places they may see, "
           "counted and shown with the words found highlighted."),
    Screen("intel-report", "An intelligence report", "intel", "/intel/{report}/",
           "A graded, C-coded report: its grade under its own scheme, the original and the sanitised version, its "
           "links, each step of its life cycle and the dissemination log.", full_page=True),
    Screen("intel-queue", "Intelligence to review", "intel", "/intel/queue/",
           "Reports waiting for the intelligence unit, oldest first; never the reviewer's own."),
    Screen("link-chart", "A link chart", "analyst", "/intel/network/{busiest}/?hops=2",
           "Two hops around a fictitious repeat offender: people, crimes, reports, vehicles and phones, sized by "
           "betweenness; the tables under it hold the same nodes and links.", ready="#link-chart[data-drawn=true]",
           full_page=True),
    Screen("proposed-links", "Proposed links", "analyst", "/intel/proposals/",
           "Links the evidence suggests between people not yet linked, each waiting for a person's decision."),
    Screen("ramp-case", "A RAMP case", "chair", "/ramp/{ramp_case}/",
           "A case managed under a risk management plan: the potentially dangerous person test, the risk of serious "
           "harm to each group, the plan's four pillars with their actions, the harm score term by term and the "
           "timeline.", full_page=True),
    Screen("ramp-priority", "The RAMP priority list", "chair", "/ramp/priority/",
           "Open cases ranked by harm score over the crimes and intelligence the chair may see, each explained.",
           full_page=True),
    Screen("ramp-dashboard", "The RAMP dashboard", "chair", "/ramp/dashboard/",
           "Open cases by risk and state, overdue reviews and actions, referrals by source and time in each state."),
    Screen("panel-meeting", "A panel meeting", "chair", "/casework/meetings/{meeting}/",
           "A held panel: attendees and agencies, and for each case the discussion, the decisions and the actions.",
           full_page=True),
    Screen("missing-queue", "Missing persons: the review queue", "compass", "/missing/queue/",
           "The people still missing, ranked by a vulnerability score made from what the Compass officer may see, "
           "each row explained term by term with its overdue reviews, then the referrals to the risk panel and the "
           "return interviews waiting.", ready="#queue-table", full_page=True),
    Screen("missing-episode", "A missing-person episode", "compass", "/missing/{missing_case}/",
           "A fictitious woman with dementia, missing for over a day: her high risk grade and its rationale, the "
           "overdue review, the vulnerability score term by term, the Herbert Protocol form her carer handed over "
           "and the timeline.", full_page=True),
    Screen("missing-patterns", "Missing persons: patterns", "compass", "/missing/patterns/",
           "A year's episodes that cluster: care placements with repeat episodes, places where several people were "
           "found and people who share an associate, on a map numbered as the tables.",
           ready="#groups-map[data-drawn=true]", full_page=True),
    Screen("missing-dashboard", "The missing persons dashboard", "compass-sup", "/missing/dashboard/",
           "Compass's supervisor's figures: people outstanding and how many are children, by risk grade, overdue "
           "reviews and return interviews, episodes per month with their trend and the time-to-found curves.",
           ready="#curves", full_page=True),
    Screen("partner-actions", "A partner agency's actions", "probation", "/casework/actions/",
           "Probation's account sees the actions assigned to probation, overdue first, and nothing else.",
           phone=True),
    Screen("home-supervisor", "Home: the supervisor's landing page", "supervisor", "/",
           "The first page a supervisor sees; the Access link counts the requests waiting for their decision.",
           full_page=True),
    Screen("grants", "Access requests and grants", "supervisor", "/account/grants/",
           "Requests waiting (the demo's Lambeth analyst has asked to see a CSU record), approve and refuse with "
           "the rationale, and past decisions.", full_page=True),
    Screen("targets", "Targets editor", "supervisor", "/performance/targets/",
           "Where a supervisor edits the indicators and their targets; every field is checked before saving."),
    Screen("authority-report", "The authority's report", "supervisor", "/performance/report/?{halves}",
           "The report to the police authority for the same half-years, as HTML (a PDF is also offered).",
           ready="#authority-targets", full_page=True),
    Screen("home-authority", "Home: an authority member", "authority", "/",
           "The first page of an authority member, who reads aggregates only: counts over OFFICIAL records, small "
           "counts withheld.",
           phone=True),
    Screen("map-authority", "Map for an authority member", "authority", "/map/",
           "The map as an authority member sees it: counts over OFFICIAL records, with the disclosure policy's "
           "protection of small counts (docs/disclosure.md).",
           ready=DRAWN, full_page=True),
    Screen("audit", "Audit: queries", "auditor", "/audit/",
           "The auditors' screen: who accessed a record, and what a user looked at."),
    Screen("audit-record", "Audit: who accessed a record", "auditor",
           "/audit/?q=record&object_type=crime.crime&object_id={sensitive}",
           "The analyst's refused attempt and the CSU investigator's read of the CSU record, from the hash-chained "
           "audit trail, downloadable as CSV or PDF.",
           ready="#audit-table"),
    Screen("history", "Record history", "auditor", "/history/crime/crime/{record}/",
           "A record's versions, what changed between them and the decisions taken on it."),
    Screen("imports", "Imports", "admin", "/imports/",
           "Administrators upload police.uk files here; a background job imports them and reports every file."),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vcdhub(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN / "vcdhub"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"vcdhub {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def private_copy(env: dict, folder: Path) -> dict:
    """On SQLite, the environment of a copy of the demo database in `folder` (the copy is consistent: SQLite's
    backup API, which reads the WAL too). On PostgreSQL, `env` as it is."""
    if env.get("DATABASE_URL"):
        return env
    var = Path(env.get("VCDHUB_VAR_DIR") or ROOT / "var")
    source = var / "vcdhub.sqlite3"
    if not source.exists():
        raise SystemExit(f"no demo database at {source}: run `make demo-load` first")
    with sqlite3.connect(source) as src, sqlite3.connect(folder / "vcdhub.sqlite3") as dst:
        src.backup(dst)
    return {**env, "VCDHUB_VAR_DIR": str(folder), "VCDHUB_AUDIT_CHECKPOINT_DIR": str(folder / "checkpoints"),
            "VCDHUB_AUDIT_SIGNING_KEY": str(folder / "audit-signing-key.pem")}


@contextmanager
def served(env: dict):
    """`vcdhub runserver` on a free port, jobs run inside the request (no worker); its base URL."""
    port = free_port()
    env = {**env, "VCDHUB_JOBS_IMMEDIATE": "1", "VCDHUB_AUDIT_CHECKPOINT_INTERVAL": "0"}
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([str(BIN / "vcdhub"), "runserver", f"127.0.0.1:{port}", "--noreload"],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"the server stopped:\n{log.read().decode()[-2000:]}") from None
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not answer within a minute")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def prepare(env: dict) -> dict[str, str]:
    """The runs and records the screens show: a hot-spot, a concentration and an emerging hot-spot run of a year's
    violence by ward (made now, unless made before), an OFFICIAL record and one of the CSU's OFFICIAL-SENSITIVE
    records, and the other records SHELL_LOOKUP finds (a person, a report, a RAMP case, a meeting, a missing-person
    episode...)."""
    if "0" == vcdhub(env, "shell", "--no-imports", "-c", PAIRS).strip().splitlines()[-1]:
        # The job a worker would run; --json, as only its pairs are needed (and the text listing fails: it asks the
        # linkage's pairs for left_source_id, which they do not have).
        vcdhub(env, "people", "duplicates", "--user", "supervisor", "--propose", "--json")
    found = json.loads(vcdhub(env, "shell", "--no-imports", "-c", SHELL_LOOKUP).strip().splitlines()[-1])
    for kind, args in (("hotspots", ("--level", "ward", "--seed", "2017")),
                       ("concentration", ("--level", "ward", "--share", "0.2")),
                       ("emerging", ("--level", "ward", "--seed", "2017"))):
        if not found.get(kind):
            run = json.loads(vcdhub(env, "analyse", kind, "--crime-type", "Violence and sexual offences",
                                    "--from", PERIOD[0], "--to", PERIOD[1], *args, "--json"))
            found[kind] = run["run"]
    return {key: str(value) for key, value in found.items()} | {"halves": HALVES}


PAIRS = "from vcdhub.people.models import DuplicatePair; print(DuplicatePair.objects.count())"
# Printed as JSON by `vcdhub shell -c`: what prepare() needs from the database, whichever database it is.
SHELL_LOOKUP = """
import json
from collections import Counter
from vcdhub.crime.models import Crime
from vcdhub.casework.models import Case, Meeting
from vcdhub.intel.models import Report
from vcdhub.people.models import CrimeRole, DuplicatePair
from vcdhub.places.models import AnalysisRun
def run(kind):
    for pk, parameters in AnalysisRun.objects.filter(kind=kind).order_by("-pk").values_list("pk", "parameters")[:50]:
        if parameters.get("crime_types") == ["Violence and sexual offences"] and parameters.get("level") == "ward":
            return pk
record = Crime.objects.filter(sensitivity="OFFICIAL", borough__code="E09000022", crime_type="Robbery")
sensitive = Crime.objects.filter(owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE", borough__code="E09000022")
print(json.dumps({"record": record.order_by("-month", "crime_id").values_list("pk", flat=True).first(),
                  "sensitive": sensitive.order_by("-month", "crime_id").values_list("pk", flat=True).first(),
                  "hotspots": run("hotspots"), "concentration": run("concentration"), "emerging": run("emerging"),
                  "person": Counter(CrimeRole.objects.filter(owner_unit_id="vcd-analysts", role="suspect")
                                    .values_list("person_id", flat=True)).most_common(3)[-1][0],
                  "pair": DuplicatePair.objects.order_by("-probability", "pk").values_list("pk", flat=True).first(),
                  "report": Report.objects.filter(owner_unit_id="csu", handling_code="C", state="disseminated")
                  .order_by("reference").values_list("pk", flat=True).first(),
                  "ramp_case": Case.objects.filter(kind="ramp", state="managed").order_by("reference")
                  .values_list("pk", flat=True).first(),
                  "meeting": Meeting.objects.filter(status="held").order_by("-starts_at")
                  .values_list("pk", flat=True).first(),
                  "missing_case": Case.objects.filter(kind="missing", state="missing",
                                                      missing_protocols__kind="herbert")
                  .order_by("-opened_at", "reference").values_list("pk", flat=True).first(),
                  "busiest": Counter(CrimeRole.objects.filter(owner_unit_id="vcd-analysts",
                                                              role__in=["suspect", "charged", "convicted"])
                                     .values_list("person_id", flat=True)).most_common(1)[0][0]}))
"""


def shrink(path: Path) -> None:
    """256 colours: a screenshot of flat colours and text loses nothing a reader would see, and a half or more."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=30_000)


def shoot(browser, base: str, screens: list[Screen], ids: dict[str, str]) -> list[str]:
    """Every screen, grouped by user (one sign-in each) and size; the problems met."""
    problems = []
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for user in dict.fromkeys(s.user for s in screens):
            todo = [s for s in screens if s.user == user and (size_name == "desktop" or s.phone)]
            if not todo:
                continue
            context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                          is_mobile=size_name == "phone", has_touch=size_name == "phone")
            page = context.new_page()
            sign_in(page, base, user)
            for screen in todo:
                name = screen.name if size_name == "desktop" else f"{screen.name}-phone"
                try:
                    response = page.goto(base + screen.path.format(**ids), wait_until="load")
                    if response is None or response.status != screen.status:
                        problems.append(f"{name}: answered {response.status if response else 'nothing'}, "
                                        f"expected {screen.status}")
                    try:
                        page.wait_for_selector(screen.ready, timeout=30_000)
                    except Exception:  # noqa: BLE001 - a page still drawing is shot as it is, and reported
                        problems.append(f"{name}: {screen.ready} did not appear")
                    page.wait_for_load_state("networkidle", timeout=15_000)
                except Exception as error:  # noqa: BLE001 - one broken screen must not stop the others
                    problems.append(f"{name}: {type(error).__name__}: {str(error).splitlines()[0]}")
                path = OUT / f"{name}.png"
                if screen.full_page and size_name == "desktop":
                    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
                    page.screenshot(path=path, full_page=True,
                                    clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})
                else:
                    page.screenshot(path=path)
                shrink(path)
                print(f"{name}: {path.stat().st_size // 1024} KiB", flush=True)
            context.close()
    return problems


def write_doc(screens: list[Screen]) -> None:
    lines = ["# vcdhub's main screens", "",
             "Screenshots of the demo (`make demo`: London-wide police.uk data for 2017, see `data/demo/README.md`), "
             "each opened by the demo user it is for, 1280 px wide (long pages whole, up to 2,200 px); a few at phone "
             "size (390 x 844) too. Made by "
             "`scripts/screens.py` (`make screens`): run it again after changing a screen. The demo users are "
             "fictitious; the records are public police.uk data, and their OFFICIAL-SENSITIVE markings are the "
             "demo's.", ""]
    for screen in screens:
        lines += [f"## {screen.title}", "", f"{screen.says} (Signed in as `{screen.user}`.)", "",
                  f"![{screen.title}](screens/{screen.name}.png)", ""]
        if screen.phone:
            lines += [f"![{screen.title}, on a phone](screens/{screen.name}-phone.png)", ""]
    DOC.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running demo to photograph (default: serve a copy of the demo)")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="only these screens (docs/screens.md is kept)")
    args = parser.parse_args()
    screens = [s for s in SCREENS if not args.only or s.name in args.only]
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vcdhub-screens-") as folder:
        env = private_copy(dict(os.environ), Path(folder)) if not args.base_url else dict(os.environ)
        ids = prepare(env)
        with (served(env) if not args.base_url else _given(args.base_url.rstrip("/"))) as base, \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars", "--font-render-hinting=none"])
            try:
                problems = shoot(browser, base, screens, ids)
            finally:
                browser.close()
    if not args.only:
        expected = {f"{s.name}.png" for s in screens} | {f"{s.name}-phone.png" for s in screens if s.phone}
        for stale in OUT.glob("*.png"):
            if stale.name not in expected:
                stale.unlink()
        write_doc(screens)
    total = sum(p.stat().st_size for p in OUT.glob("*.png"))
    print(f"{len(list(OUT.glob('*.png')))} screenshots, {total / 1e6:.2f} MB, in {OUT.relative_to(ROOT)}; "
          f"{DOC.relative_to(ROOT)}")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


@contextmanager
def _given(base: str):
    yield base


if __name__ == "__main__":
    shutil.which(CHROMIUM) or sys.exit(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    sys.exit(main())
