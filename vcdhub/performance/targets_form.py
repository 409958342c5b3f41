"""The targets editor: one row per indicator, each field checked on its own. The TOML file stays the import and
export format: the rows are turned into TOML and checked by the one parser (indicators.parse_targets), whose
problems are put back beside the fields they concern.

    formset = indicator_formset(targets, data=request.POST)
    text, problems = formset_to_toml(formset, targets)   # problems: put on the formset's fields
"""

import re

from django import forms

from vcdhub.crime.choices import CRIME_TYPES
from vcdhub.performance.indicators import FLAGS, KINDS, Indicator, SurveyValue, Targets
from vcdhub.performance.outcomes import BUILT_IN_SETS
from vcdhub.platform.months import format_month

SURVEY_HELP = "One surveyed period a line: YYYY-MM..YYYY-MM, percentage[, sample size][, label]"


class IndicatorForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(choices=[("", "choose"), *((k, k) for k in KINDS)])
    target = forms.FloatField(required=False, help_text="Percent: a reduction, or a rate")
    crime_types = forms.MultipleChoiceField(choices=[(t, t) for t in CRIME_TYPES], required=False)
    areas = forms.ChoiceField(choices=[("all", "all")], initial="all")
    flags = forms.MultipleChoiceField(choices=[(f, f.replace("_", " ")) for f in FLAGS], required=False)
    outcomes = forms.ChoiceField(choices=[("", "—")], required=False)
    note = forms.CharField(max_length=500, required=False)
    surveys = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 36}), required=False,
                              help_text=SURVEY_HELP, label="Survey values")

    def __init__(self, *args, area_sets=(), outcome_sets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = [("all", "all"), *((a, a) for a in area_sets)]
        self.fields["outcomes"].choices = [("", "—"), *((o, o) for o in outcome_sets)]


def indicator_formset(targets: Targets, data=None):
    """A formset of the indicators in `targets` (and one blank row to add one)."""
    formset_class = forms.formset_factory(IndicatorForm, extra=1, can_delete=True)
    kwargs = {"area_sets": list(targets.area_sets), "outcome_sets": list(targets.outcome_sets)}
    initial = [indicator_initial(i) for i in targets.indicators]
    return formset_class(data, initial=initial, prefix="indicator", form_kwargs=kwargs)


def indicator_initial(indicator: Indicator) -> dict:
    return {"name": indicator.name, "kind": indicator.kind, "target": indicator.target,
            "crime_types": list(indicator.crime_types), "areas": indicator.areas, "flags": list(indicator.flags),
            "outcomes": indicator.outcomes, "note": indicator.note,
            "surveys": "\n".join(_survey_line(s) for s in indicator.surveys)}


def _survey_line(survey: SurveyValue) -> str:
    first, last = format_month(survey.start), format_month(survey.end)
    parts = [first if first == last else f"{first}..{last}", f"{survey.value:g}"]
    if survey.sample_size or survey.label:
        parts.append(str(survey.sample_size or ""))
    if survey.label:
        parts.append(survey.label)
    return ", ".join(parts)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _toml_list(values) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def targets_toml(area_sets: dict, outcome_sets: dict, indicators: list[dict]) -> str:
    """TOML text in the targets file's format (indicators.py) from plain values."""
    lines = []
    if area_sets:
        lines.append("[area_sets]")
        lines += [f"{_toml_string(name)} = {_toml_list(members)}" for name, members in area_sets.items()]
        lines.append("")
    custom = {name: sorted(values) for name, values in outcome_sets.items() if name not in BUILT_IN_SETS}
    if custom:
        lines.append("[outcome_sets]")
        lines += [f"{_toml_string(name)} = {_toml_list(values)}" for name, values in custom.items()]
        lines.append("")
    for item in indicators:
        lines.append("[[indicator]]")
        for key in ("name", "kind", "target", "crime_types", "areas", "flags", "outcomes", "note"):
            value = item.get(key)
            if value in (None, "", []) and key not in ("name", "kind"):
                continue
            if isinstance(value, list):
                lines.append(f"{key} = {_toml_list(value)}")
            elif isinstance(value, float | int) and not isinstance(value, bool):
                lines.append(f"{key} = {float(value)!r}")
            else:
                lines.append(f"{key} = {_toml_string(str(value or ''))}")
        for survey in item.get("surveys", []):
            lines.append("[[indicator.survey]]")
            lines += [f"{k} = {_toml_string(v) if isinstance(v, str) else repr(v)}" for k, v in survey.items()]
        lines.append("")
    return "\n".join(lines)


def to_toml(targets: Targets) -> str:
    """The targets in force as a TOML file (the export)."""
    items = []
    for i in targets.indicators:
        item = {k: v for k, v in indicator_initial(i).items() if k != "surveys"}
        item["surveys"] = [_survey_dict(s) for s in i.surveys]
        items.append(item)
    return targets_toml(targets.area_sets, targets.outcome_sets, items)


def _survey_dict(s: SurveyValue) -> dict:
    first, last = format_month(s.start), format_month(s.end)
    data = {"period": first if first == last else f"{first}..{last}", "value": s.value}
    if s.sample_size:
        data["sample_size"] = s.sample_size
    if s.label:
        data["label"] = s.label
    return data


def _surveys(text: str) -> tuple[list[dict], list[str]]:
    """Survey lines as [[indicator.survey]] tables; line problems in words."""
    surveys, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2:
            problems.append(f"line {number}: give the period and the percentage, e.g. 2017-01..2017-03, 80")
            continue
        survey: dict = {"period": parts[0]}
        try:
            survey["value"] = float(parts[1])
        except ValueError:
            problems.append(f"line {number}: the percentage {parts[1]!r} is not a number")
            continue
        if len(parts) > 2 and parts[2]:
            if not parts[2].isdigit():
                problems.append(f"line {number}: the sample size {parts[2]!r} is not a whole number")
                continue
            survey["sample_size"] = int(parts[2])
        if len(parts) > 3:
            survey["label"] = ", ".join(parts[3:])
        surveys.append(survey)
    return surveys, problems


# Where a parser problem about indicator N belongs: "indicator 2 ('x'): 'target' ..." -> row 2, field target.
PROBLEM = re.compile(r"^indicator (\d+)(?: \(.*?\))?: (?:survey \d+: )?(.*)$")
FIELD_WORDS = {"'name'": "name", "'kind'": "kind", "'target'": "target", "crime types": "crime_types",
               "'crime_types'": "crime_types", "'areas'": "areas", "'flags'": "flags", "'outcomes'": "outcomes",
               "survey": "surveys", "'period'": "surveys", "'value'": "surveys", "'sample_size'": "surveys",
               "the name": "name"}


def formset_to_toml(formset, targets: Targets) -> tuple[str | None, list[str]]:
    """The rows as TOML text, or None with the formset's fields carrying each problem; plus problems that belong
    to no field. Rows marked for deletion, and the blank row, are left out."""
    if not formset.is_valid():
        return None, []
    items, rows = [], []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not (data.get("name") or "").strip() and not form.has_changed():
            continue
        surveys, problems = _surveys(data.get("surveys") or "")
        for problem in problems:
            form.add_error("surveys", problem)
        item = {key: data.get(key) for key in ("name", "kind", "target", "crime_types", "areas", "flags",
                                               "outcomes", "note")}
        item["surveys"] = surveys
        items.append(item)
        rows.append(form)
    converted = not any(form.errors for form in rows)  # the parser still checks the rest: every problem at once
    text = targets_toml(targets.area_sets, targets.outcome_sets, items)
    from vcdhub.performance.indicators import TargetsFileError, parse_targets

    try:
        parse_targets(text)
    except TargetsFileError as exc:
        loose = []
        for problem in exc.problems:
            match = PROBLEM.match(problem)
            field = None
            if match and 1 <= int(match.group(1)) <= len(rows):
                rest = match.group(2)
                field = next((name for words, name in FIELD_WORDS.items() if rest.startswith(words)), None)
                if field is None:
                    field = next((name for words, name in FIELD_WORDS.items() if words in rest), None)
                if field is not None:
                    rows[int(match.group(1)) - 1].add_error(field, rest)
                    continue
            loose.append(problem)
        return None, loose
    return (text, []) if converted else (None, [])
