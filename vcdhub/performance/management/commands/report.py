import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from vcdhub.equality.engine import equality_report
from vcdhub.performance.engine import Period, coverage_warnings, evaluate_all, parse_period
from vcdhub.performance.indicators import TargetsFileError, load_targets
from vcdhub.platform.commands import COMMAND_CHECKS, period_from_options, usage_error
from vcdhub.platform.inputs import add_month_span_arguments

DEFAULT_TARGETS = settings.DATA_DIR / "demo" / "targets.toml"


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "Reports built from the data: performance against targets; equality monitoring of stop and search."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        perf = sub.add_parser("performance", help="each target's position, with intervals and a verdict")
        perf.add_argument("--targets", type=Path, default=DEFAULT_TARGETS, help="targets file (TOML)")
        add_month_span_arguments(perf, period_alias=True)
        perf.add_argument("--baseline", help="YYYY-MM..YYYY-MM (default: the same months a year earlier)")
        perf.add_argument("--json", action="store_true", dest="as_json")
        authority = sub.add_parser("authority", help="the monthly report to the oversight authority, HTML or PDF")
        add_month_span_arguments(authority, period_alias=True)
        authority.add_argument("--baseline", help="YYYY-MM..YYYY-MM (default: the same months a year earlier)")
        authority.add_argument("--format", choices=["html", "pdf"], default="pdf")
        authority.add_argument("-o", "--output", type=Path, help="file to write (default: report-<period>.<format>)")
        authority.add_argument("--aggregate-only", action="store_true",
                               help="withhold small counts, as for authority members")
        ramp = sub.add_parser("ramp", help="the risk panel's figures: open cases by risk and state, overdue reviews "
                                           "and actions, escalations to MAPPA")
        ramp.add_argument("--as-of", help="YYYY-MM-DD: the figures as they stood at the end of that day "
                                          "(default: today)")
        ramp.add_argument("--user", help="the figures this user sees: exact counts of the cases they may open "
                                         "(default: the published figures, perturbed with small counts withheld)")
        ramp.add_argument("--json", action="store_true", dest="as_json")
        missing = sub.add_parser("missing", help="missing persons: outstanding, of whom children, open episodes by "
                                                 "risk grade, overdue reviews and return interviews")
        missing.add_argument("--as-of", help="YYYY-MM-DD: the figures as they stood at the end of that day "
                                             "(default: today)")
        missing.add_argument("--user", help="the figures this user sees: exact counts of the episodes they may open "
                                            "(default: the published figures, perturbed with small counts withheld)")
        missing.add_argument("--json", action="store_true", dest="as_json")
        equality = sub.add_parser("equality", help="stop-and-search rates and ratios by ethnic group")
        add_month_span_arguments(equality, period_alias=True)
        equality.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, report, **options):
        if options.get("period"):
            self.stderr.write("Note: --period is deprecated; use --from YYYY-MM --to YYYY-MM.")
        if report == "performance":
            self._performance(**options)
        elif report == "equality":
            self._equality(**options)
        elif report == "authority":
            self._authority(**options)
        elif report == "ramp":
            self._ramp(**options)
        elif report == "missing":
            self._missing(**options)

    def _authority(self, baseline, format, output, aggregate_only, **options):  # noqa: A002 - the CLI's word
        from vcdhub.performance.authority import build_context, render_html, render_pdf

        current = Period(*period_from_options(options))
        try:
            before = parse_period(baseline) if baseline else None
        except ValueError as exc:
            raise CommandError(f"--baseline: {exc}", returncode=2) from exc
        try:
            context = build_context(current, before, aggregate_only=aggregate_only)
        except TargetsFileError as exc:
            raise CommandError("; ".join(exc.problems), returncode=2) from exc
        output = output or Path(f"report-{current.label.replace('..', '-to-')}.{format}")
        if format == "pdf":
            output.write_bytes(render_pdf(context))
        else:
            output.write_text(render_html(context), encoding="utf-8")
        self.stdout.write(f"Report for {current.label} written to {output}")

    @staticmethod
    def _figures(figures, as_of, user, name: str) -> dict:
        """A dashboard's `figures` as of --as-of, as --user sees them (without one, the published figures),
        computed as that user on the audit chain."""
        from vcdhub.audit.context import acting_as, cli_actor
        from vcdhub.platform.commands import active_user
        from vcdhub.platform.inputs import InputError, day

        try:
            on = day(as_of, "as_of")
        except InputError as exc:
            raise usage_error(exc, {"as_of": "--as-of"}) from exc
        account = active_user(user)
        with acting_as(f"user:{account.username}" if account else cli_actor(), user=account,
                       reason=f"CLI report {name} by {cli_actor()}"):
            return figures(account, as_of=on)

    def _ramp(self, as_of, user, as_json: bool = False, **options):
        from vcdhub.ramp.dashboard import figures

        result = self._figures(figures, as_of, user, "ramp")
        if as_json:
            keys = ("as_of", "perturbed", "open", "by_risk", "by_state", "overdue_reviews", "overdue_actions",
                    "escalated_to_mappa", "closed", "referrals_by_source", "median_days_in_state")
            self.stdout.write(json.dumps({key: result[key] for key in keys}, indent=2))
            return
        console = Console(file=self.stdout, width=120)
        shown = lambda n: "withheld" if n is None else f"{n:,}"  # noqa: E731
        table = Table(title=f"RAMP, as of {result['as_of']}"
                      + (" (perturbed; small counts withheld)" if result["perturbed"] else " (exact)"))
        table.add_column("Figure")
        table.add_column("Cases", justify="right")
        for label, key in (("Open", "open"), ("Reviews overdue", "overdue_reviews"),
                           ("Actions overdue", "overdue_actions"), ("Escalated to MAPPA", "escalated_to_mappa"),
                           ("Closed or declined", "closed")):
            table.add_row(label, shown(result[key]))
        for level, n in result["by_risk"].items():
            table.add_row(f"Open, risk {result['risk_labels'][level].lower()}", shown(n))
        for state, n in result["by_state"].items():
            days = result["median_days_in_state"][state]
            table.add_row(f"{result['state_labels'][state]}" + ("" if days is None else f" (median {days} days)"),
                          shown(n))
        console.print(table)

    def _missing(self, as_of, user, as_json: bool = False, **options):
        from vcdhub.missing.dashboard import figures

        result = self._figures(figures, as_of, user, "missing")
        if as_json:
            keys = ("as_of", "perturbed", "outstanding", "children", "by_risk", "overdue_reviews",
                    "overdue_interviews", "episodes_by_month", "trend", "top_placements", "time_to_found")
            self.stdout.write(json.dumps({key: result[key] for key in keys}, indent=2))
            return
        console = Console(file=self.stdout, width=120)
        shown = lambda n: "withheld" if n is None else f"{n:,}"  # noqa: E731
        table = Table(title=f"Missing persons, as of {result['as_of']}"
                      + (" (perturbed; small counts withheld)" if result["perturbed"] else " (exact)"))
        table.add_column("Figure")
        table.add_column("People", justify="right")
        for label, key in (("Outstanding", "outstanding"), ("Of whom children", "children"),
                           ("Reviews or supervision overdue", "overdue_reviews"),
                           ("Return interviews overdue", "overdue_interviews")):
            table.add_row(label, shown(result[key]))
        for grade, n in result["by_risk"].items():
            table.add_row(f"Outstanding, {result['risk_labels'][grade].lower()} risk", shown(n))
        console.print(table)
        if result["trend"]:
            console.print(f"Episodes per month over {len(result['episodes_by_month'])} months: "
                          f"{result['trend']['text']}")

    def _equality(self, as_json: bool = False, **options):
        start, end = period_from_options(options)
        report = equality_report(start, end)
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, default=str))
            return
        console = Console(file=self.stdout, width=160)
        for force in report["forces"]:
            for scheme in ("officer", "self"):
                table = Table(title=f"{force['force']}, {scheme}-defined ethnicity, {report['from']} to {report['to']}")
                for column in ("Group", "Searches", "Per 1,000", "Ratio to White (95% CI)", "Arrest rate",
                               "RRI arrest"):
                    table.add_column(column)
                for r in force[scheme]["rows"]:
                    ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}" + (
                        f" ({r['ratio_low']:.2f}–{r['ratio_high']:.2f})" if r["ratio_low"] is not None else "")
                    table.add_row(r["group"] + (" (too few)" if r["too_small"] else ""), str(r["searches"]),
                                  "—" if r["rate"] is None else f"{r['rate']:.2f}", ratio,
                                  "—" if r["arrest_rate"] is None else f"{r['arrest_rate']:.1f}%",
                                  "—" if r["rri_arrest"] is None else f"{r['rri_arrest']:.2f}")
                console.print(table)
        for note in report["coverage"]:
            console.print(f"Coverage: {note}", highlight=False)

    def _performance(self, targets, baseline, as_json: bool = False, **options):
        current = Period(*period_from_options(options))
        try:
            before = parse_period(baseline) if baseline else current.year_before()
        except ValueError as exc:
            raise CommandError(f"--baseline: {exc}", returncode=2) from exc
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
            table.add_row(r.name, target, _fmt(r.baseline_value, unit), _fmt(r.current_value, unit), r.change_text,
                          r.interval_text, r.verdict)
        console.print(table)
        for r in results:
            console.print(f"- {r.name}: {r.explanation}." + (f" Note: {r.note}" if r.note else "")
                          + (f" Coverage: {r.coverage_note}." if r.coverage_note else ""), highlight=False)
        for warning in warnings:
            console.print(f"[bold]Coverage:[/bold] {warning}.", highlight=False)


def _fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}{unit}" if unit else f"{value:,.0f}"

