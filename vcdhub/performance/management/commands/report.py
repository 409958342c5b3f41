import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from vcdhub.performance.engine import coverage_warnings, evaluate_all, parse_period
from vcdhub.performance.indicators import TargetsFileError, load_targets

DEFAULT_TARGETS = settings.DATA_DIR / "demo" / "targets.toml"


class Command(BaseCommand):
    help = "Reports built from the data: performance against targets."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        perf = sub.add_parser("performance", help="each target's position, with intervals and a verdict")
        perf.add_argument("--targets", type=Path, default=DEFAULT_TARGETS, help="targets file (TOML)")
        perf.add_argument("--period", required=True, help="YYYY-MM..YYYY-MM, inclusive")
        perf.add_argument("--baseline", help="YYYY-MM..YYYY-MM (default: the same months a year earlier)")
        perf.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, report, **options):
        if report == "performance":
            self._performance(**options)

    def _performance(self, targets, period, baseline, as_json: bool = False, **options):
        try:
            current = parse_period(period)
            before = parse_period(baseline) if baseline else current.year_before()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if before.months != current.months and not baseline:
            raise CommandError("the periods differ in length", returncode=2)
        try:
            results = evaluate_all(load_targets(targets), current, before)
        except TargetsFileError as exc:
            raise CommandError(f"{targets}: " + "; ".join(exc.problems), returncode=2) from exc
        warnings = coverage_warnings(current, before)
        if as_json:
            self.stdout.write(json.dumps([r.as_dict() for r in results], indent=2))
            for warning in warnings:
                self.stderr.write(f"coverage: {warning}")
            return
        console = Console(file=self.stdout, width=160)
        table = Table(title=f"Performance, {current.label} against {before.label}")
        for column in ("Indicator", "Target", "Baseline", "Current", "Change", "95% interval", "Verdict"):
            table.add_column(column)
        for r in results:
            unit = "%" if r.kind in ("rate", "survey") else ""
            target = f"{r.target:g}% {'reduction' if r.kind == 'reduction' else 'rate'}"
            change = "" if r.change_pct is None else (f"{r.change_pct:+.1f}%" if r.kind == "reduction"
                                                      else f"{r.change_pct:+.1f} pts")
            interval = "" if r.ci_low is None else (f"{r.ci_low:+.1f}% to {r.ci_high:+.1f}%" if r.kind == "reduction"
                                                    else f"{r.ci_low:.1f}% to {r.ci_high:.1f}%")
            table.add_row(r.name, target, _fmt(r.baseline_value, unit), _fmt(r.current_value, unit), change,
                          interval, r.verdict)
        console.print(table)
        for r in results:
            console.print(f"- {r.name}: {r.explanation}." + (f" Note: {r.note}" if r.note else ""), highlight=False)
        for warning in warnings:
            console.print(f"[bold]Coverage:[/bold] {warning}.", highlight=False)


def _fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}{unit}" if unit else f"{value:,.0f}"

