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

Survey indicators take `value` (percent), optionally `baseline_value` and `sample_size`, and `period_label`.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from vcdhub.crime.choices import ALL_CRIME_TYPES
from vcdhub.performance.outcomes import BUILT_IN_SETS

KINDS = ("reduction", "rate", "survey")
FLAGS = ("gun_enabled", "knife_enabled", "alcohol_related", "domestic", "hate")


class TargetsFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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
               "baseline_value", "sample_size", "period_label"}
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
        if kind == "survey":
            if "value" not in item:
                problems.append(f"{where}: a survey indicator needs 'value' (the surveyed percentage)")
            else:
                value = _number(item["value"], f"{where}: 'value'", problems)
            if "baseline_value" in item:
                baseline_value = _number(item["baseline_value"], f"{where}: 'baseline_value'", problems)
            if "sample_size" in item:
                size = item["sample_size"]
                if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                    problems.append(f"{where}: 'sample_size' must be a positive whole number")
                else:
                    sample_size = size
        if problems:
            continue
        indicators.append(Indicator(
            name=name.strip(), kind=kind, target=target, crime_types=tuple(crime_types), areas=areas,
            flags=tuple(flags), outcomes=outcomes, note=str(item.get("note", "")), value=value,
            baseline_value=baseline_value, sample_size=sample_size, period_label=str(item.get("period_label", "")),
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
