"""Indicators and targets, defined as data in a TOML file:

    [area_sets]
    "gun boroughs" = ["Brent", "Lambeth", "E09000014"]    # borough names or codes, or ward codes

    [outcome_sets]
    "charged" = ["Suspect charged", "Awaiting court outcome"]   # "sanction-detection" is built in

    [[indicator]]
    name = "Personal robbery"
    kind = "reduction"            # or "rate" or "survey"
    crime_types = ["Robbery"]
    areas = "all"                 # or the name of an area set
    flags = ["gun_enabled"]       # optional: offence flags, where a force's records carry them
    outcomes = "sanction-detection"   # rate only: the outcome set counted as the numerator
    target = 7.0                  # percent reduction, or percent rate
    note = "..."                  # optional, shown with the row

Survey indicators are entered by hand, one value per surveyed period; a value shows only for a report whose
period overlaps its own (the latest such value), and the baseline's value is the one for the baseline:

    [[indicator]]
    name = "Public confidence"
    kind = "survey"
    target = 81.0
    [[indicator.survey]]
    period = "2017-01..2017-03"   # YYYY-MM..YYYY-MM, or one month
    value = 80.0                  # percent
    sample_size = 1200            # optional: gives the value a 95% interval
    label = "quarter 1"           # optional, shown with the period

The older single `value` (with `sample_size`, `period_label` and `baseline_value`) is still read; without a
`period` it belongs to no period and is never shown as a period's figure.
"""

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from vcdhub.crime.choices import ALL_CRIME_TYPES
from vcdhub.performance.outcomes import BUILT_IN_SETS
from vcdhub.platform.months import format_month, parse_month

KINDS = ("reduction", "rate", "survey")
FLAGS = ("gun_enabled", "knife_enabled", "alcohol_related", "domestic", "hate")


class TargetsFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SurveyValue:
    """A surveyed percentage and the months it describes."""

    start: dt.date
    end: dt.date
    value: float
    sample_size: int | None = None
    label: str = ""

    @property
    def period_text(self) -> str:
        first, last = format_month(self.start), format_month(self.end)
        span = first if first == last else f"{first}..{last}"
        return f"{span}, {self.label}" if self.label else span

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True)
class Indicator:
    name: str
    kind: str
    target: float
    crime_types: tuple[str, ...] = ()
    areas: str = "all"
    flags: tuple[str, ...] = ()
    outcomes: str = ""
    note: str = ""
    value: float | None = None
    baseline_value: float | None = None
    sample_size: int | None = None
    period_label: str = ""
    surveys: tuple[SurveyValue, ...] = ()
    undated_value: bool = False  # a legacy `value` with no `period`: belongs to no period

    def survey_for(self, start: dt.date, end: dt.date) -> SurveyValue | None:
        """The latest survey value whose period overlaps start..end."""
        overlapping = [s for s in self.surveys if s.overlaps(start, end)]
        return max(overlapping, key=lambda s: (s.end, s.start)) if overlapping else None


@dataclass
class Targets:
    indicators: list[Indicator]
    area_sets: dict[str, list[str]] = field(default_factory=dict)
    outcome_sets: dict[str, frozenset[str]] = field(default_factory=dict)
    source: str = ""


def _number(value, where: str, problems: list[str], *, minimum: float = 0.0, maximum: float = 100.0):
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where}: must be a number, not {value!r}")
        return None
    if not minimum <= value <= maximum:
        problems.append(f"{where}: {value} is outside {minimum} to {maximum}")
        return None
    return float(value)


def _survey_period(text, where: str, problems: list[str]) -> tuple[dt.date, dt.date] | None:
    if not isinstance(text, str):
        problems.append(f"{where}: 'period' must be text such as \"2017-01..2017-03\"")
        return None
    first, sep, last = text.strip().partition("..")
    try:
        start = parse_month(first.strip())
        end = parse_month(last.strip()) if sep else start
    except ValueError as exc:
        problems.append(f"{where}: 'period': {exc}")
        return None
    if end < start:
        problems.append(f"{where}: 'period' ends before it starts")
        return None
    return start, end


def _sample_size(size, where: str, problems: list[str]) -> int | None:
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        problems.append(f"{where}: 'sample_size' must be a positive whole number")
        return None
    return size


def _surveys(item: dict, where: str, problems: list[str]) -> tuple[list[SurveyValue], bool]:
    """The survey values of one indicator, and whether a legacy value has no period."""
    values: list[SurveyValue] = []
    entries = item.get("survey", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(f"{where}: 'survey' must be a list of [[indicator.survey]] tables")
        entries = []
    for number, entry in enumerate(entries, start=1):
        at = f"{where}: survey {number}"
        for key in sorted(set(entry) - {"period", "value", "sample_size", "label"}):
            problems.append(f"{at}: unknown field {key!r}")
        span = _survey_period(entry.get("period"), at, problems) if "period" in entry else None
        if "period" not in entry:
            problems.append(f"{at}: 'period' is required (the months the survey describes)")
        value = _number(entry["value"], f"{at}: 'value'", problems) if "value" in entry else None
        if "value" not in entry:
            problems.append(f"{at}: 'value' is required (the surveyed percentage)")
        size = _sample_size(entry["sample_size"], at, problems) if "sample_size" in entry else None
        if span is not None and value is not None:
            values.append(SurveyValue(*span, value, size, str(entry.get("label", ""))))
    undated = False
    if "value" in item:  # the older single value
        value = _number(item["value"], f"{where}: 'value'", problems)
        size = _sample_size(item["sample_size"], where, problems) if "sample_size" in item else None
        span = _survey_period(item["period"], where, problems) if "period" in item else None
        if value is not None and span is not None:
            values.append(SurveyValue(*span, value, size, str(item.get("period_label", ""))))
        undated = span is None
    if not values and not undated:
        problems.append(f"{where}: a survey indicator needs at least one [[indicator.survey]] with its period "
                        "and value")
    spans = sorted((v.start, v.end) for v in values)
    if any(a[1] >= b[0] for a, b in zip(spans, spans[1:], strict=False)):
        problems.append(f"{where}: two survey values cover the same month")
    return values, undated


def parse_targets(text: str, source: str = "") -> Targets:
    """Parse and check a targets file. Every problem is reported at once, field by field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetsFileError([f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    unknown_top = set(data) - {"indicator", "area_sets", "outcome_sets"}
    if unknown_top:
        problems.append(f"unknown sections: {', '.join(sorted(unknown_top))}")
    area_sets = data.get("area_sets", {})
    if not isinstance(area_sets, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in area_sets.values()):
        problems.append("area_sets: each set must be a list of borough names or codes, or ward codes")
        area_sets = {}
    outcome_sets = {name: frozenset(values) for name, values in data.get("outcome_sets", {}).items()
                    if isinstance(values, list)}
    outcome_sets = {**BUILT_IN_SETS, **outcome_sets}
    raw = data.get("indicator", [])
    if not isinstance(raw, list) or not raw:
        problems.append("no [[indicator]] entries")
        raw = []
    indicators, names = [], set()
    allowed = {"name", "kind", "target", "crime_types", "areas", "flags", "outcomes", "note", "value",
               "baseline_value", "sample_size", "period_label", "period", "survey"}
    for number, item in enumerate(raw, start=1):
        where = f"indicator {number}" + (f" ({item.get('name')!r})" if isinstance(item, dict) and "name" in item
                                         else "")
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a table")
            continue
        for key in sorted(set(item) - allowed):
            problems.append(f"{where}: unknown field {key!r}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: 'name' is required")
        elif name in names:
            problems.append(f"{where}: the name is used twice")
        names.add(name)
        kind = item.get("kind")
        if kind not in KINDS:
            problems.append(f"{where}: 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
        target = _number(item.get("target"), f"{where}: 'target'", problems) if "target" in item else None
        if "target" not in item:
            problems.append(f"{where}: 'target' is required")
        crime_types = item.get("crime_types", [])
        if not isinstance(crime_types, list) or any(t not in ALL_CRIME_TYPES for t in crime_types):
            bad = [t for t in crime_types if t not in ALL_CRIME_TYPES] if isinstance(crime_types, list) else [
                crime_types]
            problems.append(f"{where}: unknown crime types {bad!r}")
            crime_types = []
        if kind in ("reduction", "rate") and not crime_types:
            problems.append(f"{where}: 'crime_types' lists the police.uk crime types it counts")
        areas = item.get("areas", "all")
        if areas != "all" and areas not in area_sets:
            problems.append(f"{where}: 'areas' must be \"all\" or an area set defined in [area_sets], not {areas!r}")
        flags = item.get("flags", [])
        if not isinstance(flags, list) or any(f not in FLAGS for f in flags):
            problems.append(f"{where}: 'flags' may hold only {', '.join(FLAGS)}")
            flags = []
        outcomes = item.get("outcomes", "")
        if kind == "rate" and outcomes not in outcome_sets:
            problems.append(f"{where}: 'outcomes' must name an outcome set ({', '.join(sorted(outcome_sets))})")
        value = baseline_value = sample_size = None
        surveys, undated = [], False
        if kind == "survey":
            surveys, undated = _surveys(item, where, problems)
            if undated:
                value = item.get("value")
                sample_size = item.get("sample_size")
            if "baseline_value" in item:
                problems.append(f"{where}: 'baseline_value' belongs to no period: enter the baseline's survey as "
                                "its own [[indicator.survey]] with its period")
        elif "survey" in item or "period" in item:
            problems.append(f"{where}: 'survey' and 'period' belong to survey indicators only")
        if problems:
            continue
        indicators.append(Indicator(
            name=name.strip(), kind=kind, target=target, crime_types=tuple(crime_types), areas=areas,
            flags=tuple(flags), outcomes=outcomes, note=str(item.get("note", "")), value=value,
            baseline_value=baseline_value, sample_size=sample_size, period_label=str(item.get("period_label", "")),
            surveys=tuple(sorted(surveys, key=lambda v: v.start)), undated_value=undated,
        ))
    if problems:
        raise TargetsFileError(problems)
    return Targets(indicators, area_sets, outcome_sets, source)


def load_targets(path: Path) -> Targets:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetsFileError([f"{path}: cannot read ({exc})"]) from exc
    return parse_targets(text, str(path))
