"""Compute indicators from the records: counts, rates, intervals and a verdict for each target.

Performance figures are aggregates of the open channel's records (platform.disclosure.open_records). For
aggregate-only readers every count is perturbed (cell key perturbation) before any rate, ratio, interval or
verdict is worked out from it, and the pages then withhold small cells (performance.published).
"""

import datetime as dt
import math
from dataclasses import asdict, dataclass, field

from django.db.models import Q, QuerySet

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
    change_text: str = ""  # the change as shown: "-12.3%", "+2.0 pts", "new: none in the baseline", ""
    interval_text: str = ""  # the 95% interval as shown: "-20.1% to -4.2%", "at least +310.0%", ""
    coverage_note: str = ""  # months of either period with no records loaded, or partial, for this row

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


@dataclass(frozen=True)
class Coverage:
    """Which months of a period hold any loaded record (any force, any crime type), and which look partial.

    A month with no record at all is "not loaded", never "no crime": counts over a period are compared as
    monthly rates over the months loaded, and a period with none loaded is "no data"."""

    period: Period
    loaded: tuple[dt.date, ...]
    partial: tuple[dt.date, ...]

    @property
    def missing(self) -> list[dt.date]:
        held = set(self.loaded)
        return [m for m in month_range(self.period.start, self.period.end) if m not in held]

    @property
    def empty(self) -> bool:
        return not self.loaded

    def describe(self, name: str) -> str:
        """"baseline 2015-01..2015-12: no records loaded", or "" when every month is loaded and whole."""
        parts = []
        if self.empty:
            parts.append("no records loaded")
        elif self.missing:
            parts.append(f"{len(self.missing)} of {self.period.months} months not loaded "
                         f"({month_spans(self.missing)})")
        if self.partial:
            parts.append(f"{month_spans(list(self.partial))} partial in the source")
        return f"{name} {self.period.label}: {'; '.join(parts)}" if parts else ""


def month_spans(months: list[dt.date]) -> str:
    """Months as runs: [2015-01 .. 2015-12, 2016-03] -> "2015-01..2015-12, 2016-03"."""
    spans: list[list[dt.date]] = []
    for month in sorted(months):
        if spans and month_range(spans[-1][1], month)[1:2] == [month]:
            spans[-1][1] = month
        else:
            spans.append([month, month])
    return ", ".join(format_month(a) if a == b else f"{format_month(a)}..{format_month(b)}" for a, b in spans)


def coverage(period: Period) -> Coverage:
    from vcdhub.crime.coverage import monthly_coverage

    months = monthly_coverage()
    inside = [c for c in months if period.start <= c.month <= period.end]
    return Coverage(period, tuple(sorted({c.month for c in inside})),
                    tuple(sorted({c.month for c in inside if c.partial})))


def _flags_missing(indicator: Indicator) -> list[str]:
    return [f for f in indicator.flags if not CrimeFlags.objects.filter(**{f"{f}__isnull": False}).exists()]


def _unavailable(indicator: Indicator, why: str) -> IndicatorResult:
    return IndicatorResult(indicator.name, indicator.kind, indicator.target, None, None, None, None, None, None,
                           "no data", why, note=indicator.note, definition=definition(indicator))


def definition(indicator: Indicator) -> dict:
    data = {k: v for k, v in asdict(indicator).items() if v not in ((), "", None, False)}
    if indicator.surveys:
        data["surveys"] = [{"period": s.period_text, "value": s.value, "sample_size": s.sample_size}
                           for s in indicator.surveys]
    return data


def evaluate(indicator: Indicator, targets: Targets, period: Period, baseline: Period,
             disclosure: Disclosure = EXACT, covered: tuple[Coverage, Coverage] | None = None) -> IndicatorResult:
    if indicator.kind == "survey":
        return _survey(indicator, period, baseline)
    missing = _flags_missing(indicator)
    if missing:
        return _unavailable(indicator, f"no loaded record carries the {', '.join(missing)} flag; police.uk data "
                                       "has no offence flags, so this needs the force's own records")
    queryset = indicator_queryset(indicator, targets)  # an unknown area is an error whatever is loaded
    now, before = covered or (coverage(period), coverage(baseline))
    if now.empty:
        return _unavailable(indicator, f"no records are loaded for {period.label}")
    if indicator.kind == "reduction":
        result = _reduction(indicator, queryset, now, before, disclosure)
    else:
        result = _rate(indicator, targets, queryset, now, before, disclosure)
    result.coverage_note = "; ".join(text for text in (now.describe("current"), before.describe("baseline")) if text)
    return result


def _reduction(indicator, queryset, now: Coverage, before: Coverage, disclosure) -> IndicatorResult:
    period, baseline = now.period, before.period
    current = disclosure.count(in_period(queryset, period), n=None)["n"]
    if before.empty:
        return IndicatorResult(
            indicator.name, indicator.kind, indicator.target, None, current, None, None, None, None,
            "no baseline data", f"no records are loaded for the baseline, {baseline.label}, so there is nothing to "
                                "compare with", current_count=current, note=indicator.note,
            definition=definition(indicator), change_text="no baseline data")
    previous = disclosure.count(in_period(queryset, baseline), n=None)["n"]
    if current + previous == 0:
        return _unavailable(indicator, "no crimes of these types in either period")
    # Monthly rates over the months loaded: a month not loaded is no data, not a month without crime.
    months_now, months_before = len(now.loaded), len(before.loaded)
    rr = rate_ratio(current, previous, months_now, months_before, CONFIDENCE)
    over = "" if (months_now, months_before) == (period.months, baseline.months) else (
        f"; compared as monthly rates over the {months_now} and {months_before} months loaded")
    low_pct = (rr.low - 1) * 100
    high_pct = None if math.isinf(rr.high) else (rr.high - 1) * 100
    if previous == 0:
        change_pct, change_text = None, "new: none in the baseline"
    else:
        change_pct = rr.change_pct
        change_text = f"{change_pct:+.1f}%"
    interval_text = f"{low_pct:+.1f}% to {high_pct:+.1f}%" if high_pct is not None else f"at least {low_pct:+.1f}%"
    if rr.low <= 1 <= rr.high:
        met, verdict = None, "not distinguishable from no change"
        why = f"the 95% interval for the change, {interval_text}, includes no change"
    elif previous == 0:
        met, verdict = False, "not met"
        why = f"{current:,} against none in the baseline: an increase beyond chance"
    elif -change_pct >= indicator.target:
        met, verdict = True, "met"
        why = f"a {-change_pct:.1f}% reduction against a {indicator.target:g}% target, beyond chance"
    else:
        met, verdict = False, "not met"
        direction = f"a {-change_pct:.1f}% reduction" if change_pct < 0 else f"a {change_pct:.1f}% increase"
        why = f"{direction} against a {indicator.target:g}% reduction target, beyond chance"
    return IndicatorResult(
        indicator.name, indicator.kind, indicator.target, previous, current, change_pct, met, low_pct, high_pct,
        verdict, why + over, baseline_count=previous, current_count=current,
        rate_ratio=None if math.isinf(rr.ratio) else rr.ratio, p_value=rr.p_value, note=indicator.note,
        definition=definition(indicator), change_text=change_text, interval_text=interval_text)


def _rate(indicator, targets, queryset, now: Coverage, before: Coverage, disclosure) -> IndicatorResult:
    period, baseline = now.period, before.period
    outcomes = targets.outcome_sets[indicator.outcomes]

    def counts(p: Period) -> tuple[int, int]:
        rows = disclosure.count(in_period(queryset, p), n=None, k=Q(last_outcome_category__in=outcomes))
        # Perturbed separately, the part could exceed the whole; a rate is never over 100%.
        return min(rows["k"], rows["n"]), rows["n"]

    k, n = counts(period)
    k0, n0 = counts(baseline) if not before.empty else (0, 0)
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
    change = rate - baseline_rate if baseline_rate is not None else None
    change_text = f"{change:+.1f} pts" if change is not None else (
        "no baseline data" if before.empty else "no crimes in the baseline")
    return IndicatorResult(
        indicator.name, indicator.kind, indicator.target, baseline_rate, rate, change, met, low, high, verdict, why,
        baseline_count=n0 if not before.empty else None, current_count=n, numerator=k, denominator=n,
        note=indicator.note, definition={**definition(indicator), "outcome_set": sorted(outcomes)},
        change_text=change_text, interval_text=f"{low:.1f}% to {high:.1f}%")


def _survey(indicator: Indicator, period: Period, baseline: Period) -> IndicatorResult:
    """The survey value for the period (the latest whose months overlap it), against its target; the
    baseline's is the value for the baseline's months. A value belongs to its stated period only."""
    target = indicator.target
    survey = indicator.survey_for(period.start, period.end)
    earlier = indicator.survey_for(baseline.start, baseline.end)
    if survey is None:
        held = ", ".join(s.period_text for s in indicator.surveys)
        why = (f"no survey value covers {period.label}" + (f"; values are entered for {held}" if held else "")
               + ("; the value entered has no period: give it one" if indicator.undated_value else ""))
        return IndicatorResult(indicator.name, "survey", target, earlier.value if earlier else None, None, None,
                               None, None, None, "no survey value for this period", why, note=indicator.note,
                               definition=definition(indicator))
    value, low, high = survey.value, None, None
    if survey.sample_size:
        interval = wilson_interval(round(value / 100 * survey.sample_size), survey.sample_size)
        low, high = interval.low * 100, interval.high * 100
    if low is not None and low <= target <= high:
        met, verdict = None, "not distinguishable from the target"
    else:
        met, verdict = value >= target, "met" if value >= target else "not met"
    why = f"surveyed {value:g}% ({survey.period_text}) against a {target:g}% target" + (
        "" if survey.sample_size else "; entered by hand, sample size not given")
    baseline_value = earlier.value if earlier is not None and earlier != survey else None
    change = value - baseline_value if baseline_value is not None else None
    return IndicatorResult(indicator.name, "survey", target, baseline_value, value, change, met, low, high,
                           verdict, why, note=indicator.note, definition=definition(indicator),
                           change_text=f"{change:+.1f} pts" if change is not None else "",
                           interval_text=f"{low:.1f}% to {high:.1f}%" if low is not None else "")


def evaluate_all(targets: Targets, period: Period, baseline: Period | None = None,
                 disclosure: Disclosure = EXACT) -> list[IndicatorResult]:
    baseline = baseline or period.year_before()
    covered = (coverage(period), coverage(baseline))
    return [evaluate(indicator, targets, period, baseline, disclosure, covered) for indicator in targets.indicators]


def monthly_trend(indicator: Indicator, targets: Targets, start: dt.date, end: dt.date,
                  disclosure: Disclosure = EXACT) -> Trend | None:
    """The indicator itself, month by month, with XmR control limits from the median moving range: a
    reduction's crimes a month, or a rate's percentage. None for surveys, missing flags or fewer than two
    months with a value.

    XmR rather than a c-chart or p-chart: monthly crime counts and rates vary more than a Poisson or binomial
    count would (seasons, operations), and such limits on counts in the thousands flag nearly every month.
    Months before the first loaded month are left out, and a month with no records loaded, or whose value is
    withheld, is a gap, so "not loaded yet" never reads as "no crime".
    """
    if indicator.kind == "survey" or _flags_missing(indicator):
        return None
    covered = coverage(Period(start, end))
    if covered.empty:
        return None
    months = month_range(covered.loaded[0], end)
    if len(months) < 2:
        return None
    loaded = set(covered.loaded)
    queryset = in_period(indicator_queryset(indicator, targets), Period(months[0], end))
    values: list[float | int | None] = []
    gaps: list[str] = []
    if indicator.kind == "rate":
        outcomes = targets.outcome_sets[indicator.outcomes]
        by_month = disclosure.counts_by(queryset, "month", n=None, k=Q(last_outcome_category__in=outcomes))
        for month in months:
            cell = by_month.get(month, {"n": 0, "k": 0})
            n, k = cell["n"], min(cell["k"], cell["n"])
            if month not in loaded:
                values.append(None)
                gaps.append(f"{format_month(month)}: no records loaded")
            elif disclosure.is_small(n) or disclosure.is_small(k):
                values.append(None)
                gaps.append(f"{format_month(month)}: withheld (fewer than {disclosure.minimum} crimes)")
            elif n == 0:
                values.append(None)
                gaps.append(f"{format_month(month)}: no crimes, so no rate")
            else:
                values.append(round(k / n * 100, 4))
        y_label, unit = f"% {indicator.outcomes.replace('-', ' ')}", "%"
    else:
        by_month = disclosure.count_by(queryset, "month")
        for month in months:
            n = by_month.get(month, 0)
            if month not in loaded:
                values.append(None)
                gaps.append(f"{format_month(month)}: no records loaded")
            elif disclosure.is_small(n):
                values.append(None)
                gaps.append(f"{format_month(month)}: withheld (fewer than {disclosure.minimum} crimes)")
            else:
                values.append(n)
        y_label, unit = "crimes a month", ""
    present = [i for i, v in enumerate(values) if v is not None]
    if len(present) < 2 or not any(values[i] for i in present):
        return None
    chart = XmRChart(moving_range="median").fit([values[i] for i in present])
    upper = min(chart.upper_, 100.0) if unit == "%" else chart.upper_
    return Trend(indicator.name, [format_month(m) for m in months], values, chart.centre_, upper,
                 max(0.0, chart.lower_), [present[i] for i in chart.signals_], y_label=y_label, unit=unit,
                 gaps=gaps)


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
            what = "monthly rate" if trend.unit == "%" else "crimes each month"
            charts.append({"trend": trend, "svg": control_chart_svg(trend, f"{indicator.name}: {what}")})
    return charts


def coverage_warnings(*periods: Period) -> list[str]:
    """One line per force: the months of the compared periods with no records loaded (as runs of months), and
    the months that look partial in the source (see crime.coverage)."""
    from vcdhub.crime.coverage import monthly_coverage

    wanted = sorted({m for p in periods for m in month_range(p.start, p.end)})
    months = monthly_coverage()
    loaded = {(c.force, c.month) for c in months}
    lines = []
    for force in sorted({c.force for c in months}):
        missing = [m for m in wanted if (force, m) not in loaded]
        partial = [c for c in months if c.force == force and c.partial and c.month in set(wanted)]
        parts = []
        if missing:
            parts.append(f"no records loaded for {month_spans(missing)}")
        if partial:
            listed = ", ".join(f"{format_month(c.month)} ({c.crimes:,} crimes)" for c in partial)
            parts.append(f"{listed} under half its usual {partial[0].median:,.0f} a month: the source looks partial")
        if parts:
            lines.append(f"{force}: {'; '.join(parts)}")
    return lines
