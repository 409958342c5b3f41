"""Each input check, declared once.

An action validates its input with these declarations and raises `InputError`, field by field. The form
fields and the command-line options are made from the same declarations, so they only convert text to
values: the web form, the API and the CLI cannot disagree about what is allowed.

    PERMUTATIONS = Number("permutations", "Permutations", int, default=999, minimum=99, maximum=9999)
    PERMUTATIONS.clean(5)          # InputError: {"permutations": "Permutations must be 99 to 9,999."}
    PERMUTATIONS.form_field()      # an IntegerField with the same bounds, for the page
    PERMUTATIONS.add_argument(p)   # --permutations N for the CLI

Months and month ranges are declared here too; boroughs (geography.inputs) and crime types (crime.inputs)
beside the data they name.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django import forms

from vcdhub.platform.months import parse_month


class InputError(ValueError):
    """Bad input, as {field: message}. A ValueError, so callers that catch ValueError still do."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def collect(*checks) -> list:
    """Run each zero-argument check; raise one InputError holding every field's message, or return results."""
    results, errors = [], {}
    for check in checks:
        try:
            results.append(check())
        except InputError as exc:
            errors.update(exc.errors)
            results.append(None)
    if errors:
        raise InputError(errors)
    return results


def _number_text(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


@dataclass(frozen=True)
class Number:
    name: str
    label: str
    type: type = int
    default: int | float | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    help: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def bounds_text(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"{_number_text(self.minimum)} to {_number_text(self.maximum)}"
        if self.minimum is not None:
            return f"at least {_number_text(self.minimum)}"
        return f"at most {_number_text(self.maximum)}"

    def clean(self, value):
        """The value, converted and in bounds; None stays None (the caller applies the default)."""
        if value is None or value == "":
            return None
        try:
            number = self.type(value)
            if self.type is int and isinstance(value, float) and not value.is_integer():
                raise ValueError
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
            raise InputError({self.name: f"{self.label} must be a {'whole ' if self.type is int else ''}number."}) \
                from None
        if self.type is float and not math.isfinite(number):  # NaN and infinities are not amounts
            raise InputError({self.name: f"{self.label} must be a number."})
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            raise InputError({self.name: f"{self.label} must be {self.bounds_text()}."})
        return number

    def value(self, raw):
        """Cleaned, with the default when not given."""
        cleaned = self.clean(raw)
        return self.default if cleaned is None else cleaned

    def form_field(self, **kwargs) -> forms.Field:
        """A field that converts text to a number; the bounds are the browser's hint only, so the message for a
        number out of bounds is this declaration's, the same on the page as from the CLI and the API."""
        field = forms.IntegerField if self.type is int else forms.FloatField
        attrs = {key: value for key, value in (("min", self.minimum), ("max", self.maximum)) if value is not None}
        attrs["step"] = "1" if self.type is int else "any"
        return field(label=self.label, required=False, initial=self.default, widget=forms.NumberInput(attrs=attrs),
                     help_text=self.help or self.bounds_text(), **kwargs)

    def add_argument(self, parser, **kwargs) -> None:
        parser.add_argument(self.flag, dest=self.name, type=self.type, default=self.default,
                            help=f"{self.help or self.label} ({self.bounds_text()}; default {self.default})"
                            if self.default is not None else (self.help or self.label), **kwargs)


@dataclass(frozen=True)
class Choice:
    name: str
    label: str
    choices: tuple[tuple[str, str], ...]
    default: str | None = None
    help: str = ""

    @property
    def values(self) -> list[str]:
        return [value for value, _ in self.choices]

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def clean(self, value):
        if value is None or value == "":
            return None
        if str(value) not in self.values:
            raise InputError({self.name: f"{self.label}: choose one of {', '.join(self.values)}."})
        return str(value)

    def value(self, raw):
        cleaned = self.clean(raw)
        return self.default if cleaned is None else cleaned

    def form_field(self, *, blank_label: str | None = None, **kwargs) -> forms.Field:
        choices = list(self.choices) if blank_label is None else [("", blank_label), *self.choices]
        return forms.ChoiceField(label=self.label, choices=choices, required=False,
                                 initial=self.default if blank_label is None else "", help_text=self.help, **kwargs)

    def add_argument(self, parser, **kwargs) -> None:
        parser.add_argument(self.flag, dest=self.name, default=self.default, metavar="|".join(self.values),
                            help=self.help or self.label, **kwargs)


# --- months --------------------------------------------------------------------------------------------------

def day(text, field: str = "date") -> dt.date | None:
    """A date written YYYY-MM-DD, or None when blank; anything else is an InputError naming the field."""
    text = str(text or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10 or not text.isascii():
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError({field: f"{text[:20]!r} is not a date: write YYYY-MM-DD."}) from None


def month(text, field: str = "month") -> dt.date:
    """A "YYYY-MM" month (or a date, passed through) as the first day of that month."""
    if isinstance(text, dt.date):
        return text.replace(day=1)
    try:
        return parse_month(str(text).strip())
    except ValueError:
        raise InputError({field: f"Enter a month as YYYY-MM, e.g. 2017-04 (not {str(text)[:20]!r})."}) from None


def month_span(month_from, month_to, *, from_field: str = "month_from", to_field: str = "month_to",
               require_from: bool = True, require_to: bool = True) -> tuple[dt.date | None, dt.date | None]:
    """A month range: each end a month (given when required), the end not before the start."""
    errors = {}
    start = end = None
    for raw, field, required in ((month_from, from_field, require_from), (month_to, to_field, require_to)):
        if raw is None or raw == "":
            if required:
                errors[field] = "Give the " + ("first" if field == from_field else "last") + " month (YYYY-MM)."
            continue
        try:
            value = month(raw, field)
        except InputError as exc:
            errors.update(exc.errors)
            continue
        if field == from_field:
            start = value
        else:
            end = value
    if not errors and start and end and start > end:
        errors[to_field] = "The end month is before the start month."
    if errors:
        raise InputError(errors)
    return start, end


def period_alias(text: str, *, from_field: str = "month_from", to_field: str = "month_to") -> tuple[str, str]:
    """The old "YYYY-MM..YYYY-MM" (or one month) as (from, to) text; checked by month_span afterwards."""
    first, sep, last = str(text).strip().partition("..")
    return first.strip(), (last.strip() if sep else first.strip())


def add_month_span_arguments(parser, *, required: bool = True, period_alias: bool = False) -> None:
    """--from and --to for a command; with `period_alias`, the older --period A..B still works (deprecated)."""
    group = parser if not period_alias else parser.add_argument_group("period")
    group.add_argument("--from", dest="month_from", metavar="YYYY-MM", default=None,
                       required=required and not period_alias, help="first month, inclusive")
    group.add_argument("--to", dest="month_to", metavar="YYYY-MM", default=None,
                       required=required and not period_alias, help="last month, inclusive")
    if period_alias:
        group.add_argument("--period", default=None, metavar="YYYY-MM..YYYY-MM",
                           help="deprecated: the same as --from YYYY-MM --to YYYY-MM")


def months_from_options(options: dict, *, required: bool = True) -> tuple[str | None, str | None]:
    """--from/--to text from parsed options, honouring the deprecated --period alias (which may not be mixed)."""
    start, end, period = options.get("month_from"), options.get("month_to"), options.get("period")
    if period:
        if start or end:
            raise InputError({"period": "Give --from and --to, or --period (deprecated), not both."})
        start, end = period_alias(period)
    if required and not (start and end):
        missing = {k: "required" for k, v in (("from", start), ("to", end)) if not v}
        raise InputError({f"--{k}": f"--{k} YYYY-MM is {v}" for k, v in missing.items()})
    return start, end


__all__ = ["InputError", "collect", "Number", "Choice", "month", "month_span", "period_alias",
           "add_month_span_arguments", "months_from_options"]
