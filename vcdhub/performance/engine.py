"""Compute indicators from the records: counts, rates, intervals and a verdict for each target.

Performance figures are aggregates of the open channel's records (platform.disclosure.open_records). For
aggregate-only readers every count is perturbed (cell key perturbation) before any rate, ratio, interval or
verdict is worked out from it, and the pages then withhold small cells (performance.published).
"""

import datetime as dt
import math
from dataclasses import asdict, dataclass, field

from django.db.models import Min, Q, QuerySet

from vcdhub.crime.models import Crime, CrimeFlags
from vcdhub.geography.models import Borough, Ward
from vcdhub.performance.indicators import Indicator, Targets, TargetsFileError
from vcdhub.platform.charts import Trend
from vcdhub.platform.disclosure import Disclosure, open_records
from vcdhub.platform.months import format_month, month_range, parse_month
from vcdhub.stats.control import XmRChart
from vcdhub.stats.rates import rate_ratio, wilson_interval

CONFIDENCE = 0.95
EXACT = Disclosure()  # figures for readers of records


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def label(self) -> str:
        first, last = format_month(self.start), format_month(self.end)
        return first if first == last else f"{first}..{last}"

    def year_before(self) -> "Period":
        return Period(self.start.replace(year=self.start.year - 1), self.end.replace(year=self.end.year - 1))


def parse_period(text: str) -> Period:
    """'2017-04..2017-08' (inclusive) or a single month '2017-04'."""
    first, sep, last = text.strip().partition("..")
    start = parse_month(first.strip())
    end = parse_month(last.strip()) if sep else start
    if end < start:
        raise ValueError(f"the period ends before it starts: {text!r}")
    return Period(start, end)


@dataclass
class IndicatorResult:
    name: str
    kind: str
    target: float
    baseline_value: float | None
    current_value: float | None
    change_pct: float | None
    met: bool | None
    ci_low: float | None
    ci_high: float | None
    verdict: str
    explanation: str
    baseline_count: int | None = None
    current_count: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    rate_ratio: float | None = None
    p_value: float | None = None
    note: str = ""
    definition: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, float) and not math.isfinite(value):
                data[key] = None
            elif isinstance(value, float):
                data[key] = round(value, 4)
        return data


def area_filter(targets: Targets, name: str) -> Q:
    if name == "all":
        return Q()
    members = targets.area_sets[name]
    boroughs = set(Borough.objects.filter(Q(name__in=members) | Q(code__in=members)).values_list("code", flat=True))
    boroughs |= set(Borough.objects.filter(name__in=[m.removesuffix(" borough") for m in members])
                    .values_list("code", flat=True))
    wards = set(Ward.objects.filter(code__in=members).values_list("code", flat=True))
    names = set(Borough.objects.filter(code__in=boroughs).values_list("name", flat=True))
    unknown = [m for m in members if m not in boroughs and m not in wards and m not in names
               and m.removesuffix(" borough") not in names]
    if unknown:
        raise TargetsFileError([f"area set {name!r}: not a loaded borough or ward: {', '.join(unknown)}"])
    return Q(borough__code__in=boroughs) | Q(ward__code__in=wards)


def indicator_queryset(indicator: Indicator, targets: Targets) -> QuerySet:
    queryset = open_records(Crime.objects.filter(crime_type__in=indicator.crime_types)).filter(
        area_filter(targets, indicator.areas))
    for flag in indicator.flags:
        queryset = queryset.filter(**{f"flags__{flag}": True})
    return queryset


def in_period(queryset: QuerySet, period: Period) -> QuerySet:
    return queryset.filter(month__gte=period.start, month__lte=period.end)


def _flags_missing(indicator: Indicator) -> list[str]:
    return [f for f in indicator.flags if not CrimeFlags.objects.filter(**{f"{f}__isnull": False}).exists()]


def _unavailable(indicator: Indicator, why: str) -> IndicatorResult:
    return IndicatorResult(indicator.name, indicator.kind, indicator.target, None, None, None, None, None, None,
                           "no data", why, note=indicator.note, definition=definition(indicator))


def definition(indicator: Indicator) -> dict:
    return {k: v for k, v in asdict(indicator).items() if v not in ((), "", None)}


def evaluate(indicator: Indicator, targets: Targets, period: Period, baseline: Period,
             disclosure: Disclosure = EXACT) -> IndicatorResult:
    if indicator.kind == "survey":
        return _survey(indicator)
    missing = _flags_missing(indicator)
    if missing:
        return _unavailable(indicator, f"no loaded record carries the {', '.join(missing)} flag; police.uk data "
                                       "has no offence flags, so this needs the force's own records")
    queryset = indicator_queryset(indicator, targets)
    if indicator.kind == "reduction":
        return _reduction(indicator, queryset, period, baseline, disclosure)
    return _rate(indicator, targets, queryset, period, baseline, disclosure)


def _reduction(indicator, queryset, period, baseline, disclosure) -> IndicatorResult:
    current = disclosure.count(in_period(queryset, period), n=None)["n"]
    before = disclosure.count(in_period(queryset, baseline), n=None)["n"]
    if current + before == 0:
        return _unavailable(indicator, "no crimes of these types in either period")
    rr = rate_ratio(current, before, period.months, baseline.months, CONFIDENCE)
    reduction = -rr.change_pct
    if rr.low <= 1 <= rr.high:
        met, verdict = None, "not distinguishable from no change"
        why = (f"the 95% interval for the change, {_pct(rr.low)} to {_pct(rr.high)}, includes no change")
    elif reduction >= indicator.target:
        met, verdict = True, "met"
        why = f"a {reduction:.1f}% reduction against a {indicator.target:g}% target, beyond chance"
    else:
        met, verdict = False, "not met"
        direction = f"a {reduction:.1f}% reduction" if reduction > 0 else f"a {-reduction:.1f}% increase"
        why = f"{direction} against a {indicator.target:g}% reduction target, beyond chance"
    return IndicatorResult(
        indicator.name, indicator.kind, indicator.target, before, current, rr.change_pct, met,
        (rr.low - 1) * 100, (rr.high - 1) * 100, verdict, why, baseline_count=before, current_count=current,
        rate_ratio=rr.ratio, p_value=rr.p_value, note=indicator.note, definition=definition(indicator))


def _pct(ratio: float) -> str:
    return "unbounded" if math.isinf(ratio) else f"{(ratio - 1) * 100:+.1f}%"


def _rate(indicator, targets, queryset, period, baseline, disclosure) -> IndicatorResult:
    outcomes = targets.outcome_sets[indicator.outcomes]

    def counts(p: Period) -> tuple[int, int]:
        rows = disclosure.count(in_period(queryset, p), n=None, k=Q(last_outcome_category__in=outcomes))
        # Perturbed separately, the part could exceed the whole; a rate is never over 100%.
        return min(rows["k"], rows["n"]), rows["n"]

    k, n = counts(period)
    k0, n0 = counts(baseline)
    if n == 0:
        return _unavailable(indicator, "no crimes of these types in the period")
    interval = wilson_interval(k, n, CONFIDENCE)
    rate, low, high = interval.estimate * 100, interval.low * 100, interval.high * 100
    baseline_rate = k0 / n0 * 100 if n0 else None
    if low > indicator.target:
        met, verdict, why = True, "met", f"{rate:.1f}% against a {indicator.target:g}% target; the 95% interval " \
                                         f"({low:.1f}% to {high:.1f}%) is above it"
    elif high < indicator.target:
        met, verdict, why = False, "not met", f"{rate:.1f}% against a {indicator.target:g}% target; the 95% " \
                                              f"interval ({low:.1f}% to {high:.1f}%) is below it"
    else:
        met, verdict = None, "not distinguishable from the target"
        why = f"{rate:.1f}%; the 95% interval ({low:.1f}% to {high:.1f}%) includes the {indicator.target:g}% target"
    return IndicatorResult(
        indicator.name, indicator.kind, indicator.target, baseline_rate, rate,
        rate - baseline_rate if baseline_rate is not None else None, met, low, high, verdict, why,
        baseline_count=n0, current_count=n, numerator=k, denominator=n, note=indicator.note,
        definition={**definition(indicator), "outcome_set": sorted(outcomes)})


def _survey(indicator: Indicator) -> IndicatorResult:
    value, target = indicator.value, indicator.target
    low = high = None
    if indicator.sample_size:
        interval = wilson_interval(round(value / 100 * indicator.sample_size), indicator.sample_size)
        low, high = interval.low * 100, interval.high * 100
    if low is not None and low <= target <= high:
        met, verdict = None, "not distinguishable from the target"
    else:
        met, verdict = value >= target, "met" if value >= target else "not met"
    period = f" ({indicator.period_label})" if indicator.period_label else ""
    why = f"surveyed {value:g}%{period} against a {target:g}% target" + (
        "" if indicator.sample_size else "; entered by hand, sample size not given")
    change = value - indicator.baseline_value if indicator.baseline_value is not None else None
    return IndicatorResult(indicator.name, "survey", target, indicator.baseline_value, value, change, met, low, high,
                           verdict, why, note=indicator.note, definition=definition(indicator))


def evaluate_all(targets: Targets, period: Period, baseline: Period | None = None,
                 disclosure: Disclosure = EXACT) -> list[IndicatorResult]:
    baseline = baseline or period.year_before()
    return [evaluate(indicator, targets, period, baseline, disclosure) for indicator in targets.indicators]


def monthly_trend(indicator: Indicator, targets: Targets, start: dt.date, end: dt.date,
                  disclosure: Disclosure = EXACT) -> Trend | None:
    """Monthly counts with XmR control limits from the median moving range; None for surveys, missing flags
    or too few months.

    XmR rather than a c-chart: monthly crime counts vary more than a Poisson count would (seasons, operations),
    and a c-chart's limits on counts in the thousands flag nearly every month. Months before the first loaded
    month are left out, so "not loaded yet" never reads as "no crime".
    """
    if indicator.kind == "survey" or _flags_missing(indicator):
        return None
    first_loaded = Crime.objects.aggregate(first=Min("month"))["first"]
    if first_loaded is None:
        return None
    start = max(start, first_loaded)
    months = month_range(start, end)
    if len(months) < 2:
        return None
    rows = disclosure.count_by(in_period(indicator_queryset(indicator, targets), Period(start, end)), "month")
    counts = [rows.get(m, 0) for m in months]
    if not any(counts):
        return None
    chart = XmRChart(moving_range="median").fit(counts)
    return Trend(indicator.name, [format_month(m) for m in months], counts, chart.centre_, chart.upper_,
                 max(0.0, chart.lower_), chart.signals_)

TREND_MONTHS = 24


def trend_charts(targets: Targets, end: dt.date, months: int = TREND_MONTHS,
                 disclosure: Disclosure = EXACT) -> list[dict]:
    """Each indicator's monthly trend up to `end`, with its chart drawn as SVG."""
    from vcdhub.platform.charts import control_chart_svg

    start = month_range(end - dt.timedelta(days=31 * (months - 1)), end)[0]
    charts = []
    for indicator in targets.indicators:
        trend = monthly_trend(indicator, targets, start, end, disclosure)
        if trend is not None:
            charts.append({"trend": trend, "svg": control_chart_svg(trend, f"{indicator.name}: monthly count")})
    return charts


def coverage_warnings(*periods: Period) -> list[str]:
    """Months in the compared periods that look partial in the source (see crime.coverage)."""
    from vcdhub.crime.coverage import monthly_coverage

    spans = [(p.start, p.end) for p in periods]
    loaded = {(c.force, c.month) for c in monthly_coverage()}
    warnings = [f"{c.force} {format_month(c.month)} holds {c.crimes:,} crimes, under half its usual "
                f"{c.median:,.0f}: the source month looks partial"
                for c in monthly_coverage() if c.partial and any(a <= c.month <= b for a, b in spans)]
    forces = {force for force, _ in loaded}
    for force in sorted(forces):
        for period in periods:
            for month in month_range(period.start, period.end):
                if (force, month) not in loaded:
                    warnings.append(f"{force} {format_month(month)}: no records loaded")
    return warnings
