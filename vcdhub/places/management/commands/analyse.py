import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vcdhub.audit.context import acting_as, cli_actor
from vcdhub.places import parameters
from vcdhub.places.actions import reproduce, run_analysis
from vcdhub.places.charts import lorenz_svg
from vcdhub.places.models import AnalysisRun
from vcdhub.places.prose import areas_text, coverage_lines, not_assessed_line, summary_lines, title
from vcdhub.places.published import withhold
from vcdhub.places.tables import detail_label, format_detail
from vcdhub.platform.commands import COMMAND_CHECKS
from vcdhub.platform.inputs import InputError

# The CLI's flags for the request's fields (places.parameters names them as the form does).
FLAGS = {"crime_type": "--crime-type", "month_from": "--from", "month_to": "--to", "borough": "--borough",
         "level": "--level", "kind": "analysis"}


def _common(parser, *, period: bool = True, levels=parameters.LEVELS, default_level: str | None = "ward"):
    parser.add_argument("--crime-type", action="append", required=True, help="repeat for several")
    if period:
        parser.add_argument("--from", dest="month_from", required=True, metavar="YYYY-MM")
        parser.add_argument("--to", dest="month_to", required=True, metavar="YYYY-MM")
    parser.add_argument("--level", choices=levels, default=default_level)
    parser.add_argument("--borough", action="append", metavar="CODE|NAME",
                        help="analyse only these boroughs (GSS code or name; repeat); default: every borough the "
                             "data covers in the period")
    parser.add_argument("--json", action="store_true", dest="as_json")
    parser.add_argument("--perturbed", action="store_true",
                        help="compute from perturbed counts: a run that aggregate-only readers (the authority) may "
                             "open (docs/disclosure.md)")


def _options(parser, kind: str):
    """The analysis's own options, from their declarations (bounds are checked by the action, not here)."""
    for spec in parameters.KIND_OPTIONS[kind]:
        if spec is parameters.FDR:
            parser.add_argument("--no-fdr", dest="fdr", action="store_false",
                                help="skip the false-discovery-rate correction (on by default)")
        elif spec is parameters.CONFIDENCE:
            parser.add_argument("--confidence", type=float, default=0.90, help="0.90, 0.95 or 0.99")
        else:
            spec.add_argument(parser)


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "Analyses of where crime concentrates, hot spots, emerging patterns and robbery alerts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="analysis", required=True)
        helps = {"concentration": "how few areas hold a share of the crimes; Lorenz and Gini",
                 "challenged": "most challenged areas: counts and rates per 1,000 residents",
                 "hotspots": "Getis-Ord Gi* hot and cold spots",
                 "clusters": "local Moran's I: high-high, low-low, high-low, low-high",
                 "emerging": "emerging hot spots: Gi* each month, then Mann-Kendall",
                 "alerts": "areas whose latest month exceeds a seasonal baseline"}
        for kind in parameters.KINDS:
            p = sub.add_parser(kind, help=helps[kind])
            if kind == "alerts":
                _common(p, period=False, levels=parameters.ALERT_LEVELS, default_level=None)
                months = p.add_mutually_exclusive_group(required=True)
                months.add_argument("--to", dest="month", metavar="YYYY-MM", help="the month to assess")
                months.add_argument("--month", dest="month", metavar="YYYY-MM", help="the same as --to")
                p.add_argument("--from", dest="month_from", metavar="YYYY-MM",
                               help="ignored: alerts read up to five years before the month assessed")
            else:
                _common(p)
            _options(p, kind)
            if kind == "concentration":
                p.add_argument("--lorenz", metavar="FILE.svg", help="also write the Lorenz curve as an SVG file")
        p = sub.add_parser("runs", help="list stored analysis runs")
        p.add_argument("--json", action="store_true", dest="as_json")
        p = sub.add_parser("reproduce", help="run a stored analysis again and compare")
        p.add_argument("run_id", type=int)
        p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, analysis, as_json, **options):
        self.console = Console(file=self.stdout, width=140)
        actor = cli_actor()
        with acting_as(actor, reason=f"vcdhub analyse {analysis}"):
            if analysis == "runs":
                return self._runs(as_json)
            if analysis == "reproduce":
                return self._reproduce(options["run_id"], actor, as_json)
            return self._analyse(analysis, actor, as_json, options)

    def _analyse(self, kind, actor, as_json, options):
        crime_types = options.pop("crime_type")
        boroughs = options.pop("borough")
        level = options.pop("level")
        if kind == "alerts":
            month_from, month_to = None, options.pop("month")
            options.pop("month_from", None)
            levels = [level] if level else list(parameters.ALERT_LEVELS)
        else:
            month_from, month_to = options.pop("month_from"), options.pop("month_to")
            levels = [level]
        lorenz = options.pop("lorenz", None)
        perturbed = options.pop("perturbed", False)
        analysis_options = {spec.name: options[spec.name] for spec in parameters.KIND_OPTIONS[kind]
                            if options.get(spec.name) is not None}
        runs = []
        for each_level in levels:
            try:
                runs.append(run_analysis(kind, crime_types=crime_types, month_from=month_from, month_to=month_to,
                                         level=each_level, boroughs=boroughs, actor=actor, perturbed=perturbed,
                                         **analysis_options))
            except InputError as exc:
                flag = {**FLAGS, "month_to": "--to" if kind != "alerts" else "--month"}
                raise CommandError("; ".join(f"{flag.get(field, '--' + field.replace('_', '-'))}: {message}"
                                             for field, message in exc.errors.items()), returncode=2) from exc
            except ValueError as exc:
                raise CommandError(str(exc), returncode=2) from exc
        if lorenz:
            Path(lorenz).write_text(lorenz_svg(runs[0].result), encoding="utf-8")
        if as_json:
            payload = [_json(kind, run) for run in runs]
            self.stdout.write(json.dumps(payload[0] if len(payload) == 1 else {"levels": payload}, indent=2))
            return
        for run in runs:
            self._print(kind, run)

    def _print(self, kind, run):
        # The command reads the database directly, so nothing is withheld; the sentences are the pages' own.
        result = withhold(run.result, None)
        console = self.console
        console.print(Text(title(run, result), style="bold"))
        console.print(Text(f"Areas: {areas_text(run, result)}."))
        notes = {*coverage_lines(result), not_assessed_line(result), result["summary"].get("note", "")}
        for line in summary_lines(result):
            console.print(Text.assemble(("Note: ", "yellow"), line) if line in notes else Text(line))
        console.print("Legend: " + "; ".join(f"{item['class']} {item['areas']}" for item in result["legend"]
                                             if item["areas"]), highlight=False)
        quiet = {"not significant", "rest", "no pattern detected", "no alert", "ranked", "not assessed"}
        shown = [a for a in result["areas"] if a["class"] not in quiet]
        if kind == "concentration":
            shown.sort(key=lambda a: a["detail"]["rank"])
        elif kind == "challenged":
            shown = sorted((a for a in shown if a["class"] == "most challenged"), key=lambda a: a["detail"]["rank"])
        elif kind == "alerts":
            shown.sort(key=lambda a: (a["detail"]["p_adjusted"] if a["detail"]["p_adjusted"] is not None else 1,
                                      -(a["detail"]["excess"] or 0)))
        table = Table()
        for column in ("Code", "Name", "Crimes", "Class", "Detail"):
            table.add_column(column)
        for area in shown[:60]:
            table.add_row(area["code"], area["name"], f"{area['count']:,}", area["class"], _detail(area["detail"]))
        console.print(table)
        if len(shown) > 60:
            console.print(f"... and {len(shown) - 60} more; --json gives them all.")
        console.print(f"Stored as run {run.pk}; input sha256 {run.input_sha256[:16]}; {run.code_version}; "
                      f"seed {run.parameters.get('seed', '-')}.", highlight=False)

    def _runs(self, as_json):
        runs = list(AnalysisRun.objects.all()[:50])
        rows = [{"id": r.pk, "kind": r.kind, "created_at": r.created_at.isoformat(), "created_by": r.created_by,
                 "parameters": r.parameters, "input_sha256": r.input_sha256, "code_version": r.code_version}
                for r in runs]
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        table = Table()
        for column in ("Run", "Kind", "When", "By", "Period", "Level", "Crime types"):
            table.add_column(column)
        for r in runs:
            p = r.parameters
            period = (f"{r.result.get('to')} (baseline from {r.result.get('from')})" if r.kind == "alerts"
                      else f"{r.result.get('from')}..{r.result.get('to')}")
            table.add_row(str(r.pk), r.kind, r.created_at.strftime("%Y-%m-%d %H:%M"), r.created_by, period,
                          p.get("level", ""),
                          ", ".join(p.get("crime_types", [])))
        self.console.print(table)

    def _reproduce(self, run_id, actor, as_json):
        run = AnalysisRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"no analysis run {run_id}", returncode=2)
        outcome = reproduce(run, actor=actor)
        if as_json:
            self.stdout.write(json.dumps(outcome, indent=2))
        else:
            verdict = "reproduced exactly" if outcome["same_result"] else (
                "the input data has changed since" if not outcome["same_input"] else "the result differs")
            self.console.print(f"Run {run_id} again as run {outcome['again']}: {verdict}.", highlight=False)
        if not outcome["same_result"]:
            raise CommandError("not reproduced", returncode=1)


def _detail(detail: dict) -> str:
    if "reason" in detail:
        return detail["reason"]
    return ", ".join(f"{detail_label(key)} {format_detail(key, value)}" for key, value in detail.items()
                     if value is not None)


def _json(kind: str, run: AnalysisRun) -> dict:
    result = run.result
    payload = {"run": run.pk, "input_sha256": run.input_sha256, "code_version": run.code_version, **result}
    if kind == "concentration":
        # The documented shape: the areas needed to reach the share, in rank order.
        needed = sorted((a for a in result["areas"] if a["class"] == "holds the share"),
                        key=lambda a: a["detail"]["rank"])
        payload.update(areas_needed=result["summary"]["areas_needed"], gini=result["summary"]["gini"],
                       areas=[{"code": a["code"], "name": a["name"], "count": a["count"],
                               "cumulative_share": a["detail"]["cumulative_share"]} for a in needed],
                       all_areas=result["areas"])
    if kind == "alerts":
        payload["alerts"] = [a for a in result["areas"] if a["class"] == "alert"]
    return payload
