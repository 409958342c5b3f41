"""A workflow step in the API: one POST on the record (`/api/<name>/{id}/step/`), whose body names the step and
carries what that step takes. What each step takes is read from the form its page uses, so the page, the API
and the API's schema cannot drift apart.

- A module's step view declares a `StepBody` per step: the step serializer's top-level fields it reads, and the
  page's form, whose fields go in `values` (the form's `reason` is the body's top-level `reason`).
- `platform.api_schema.AutoSchema` documents them as one body per step: a `oneOf` on `step`.
- `step_values` refuses a value of the wrong type for its field, by field, before the step's action reads it:
  the action checks what the value says (a time that exists, a unit that does), as it does for the page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django import forms
from rest_framework.exceptions import ValidationError

from vcdhub.platform.api_schema import ANY_STEP_VALUE, STEP_TEXT_LIMIT, field_schema


@dataclass(frozen=True)
class StepBody:
    """One step's body. `fields`: the step serializer's top-level fields it reads (the others are ignored), of
    which `required` must be given. `form`: makes the page's form (its fields, as a page would show them, with
    no record to fill its choices from); its fields go in `values` but for `reason` and `not_in_values`, and
    each is required if the form requires it, but for those in `optional`."""

    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    form: Callable[[], forms.Form] | None = None
    not_in_values: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()  # fields the page fills in for its user, which the action does without

    @cached_property
    def form_fields(self) -> dict[str, forms.Field]:
        """The form's fields, made once: the schema and every request read them (no choice from the database is
        read here: those are callables, read when a page shows them)."""
        return dict(self.form().fields) if self.form is not None else {}

    def values_schema(self) -> dict | None:
        """The JSON Schema of `values`, from the form; None if the step takes none."""
        if self.form is None:
            return None
        properties, required = {}, []
        for name, field in self.form_fields.items():
            if name == "reason" or name in self.not_in_values:
                continue
            properties[name] = field_schema(field)
            if name in self.optional and "enum" in properties[name]:
                properties[name]["enum"] = [*properties[name]["enum"], ""]
            elif field.required and name not in self.optional:
                required.append(name)
        schema = {"type": "object", "maxProperties": 40, "properties": properties,
                  "additionalProperties": ANY_STEP_VALUE,
                  "description": "The step's fields, as its page names them; other names are ignored"}
        if required:
            schema["required"] = required
        return schema

    def reason(self) -> forms.Field | None:
        """The form's reason field, which the body carries at its top level."""
        return self.form_fields.get("reason")


JSON_TYPES = {"boolean": (bool,), "integer": (int,), "string": (str,)}
TYPE_NAMES = {"boolean": "true or false", "integer": "a whole number", "string": "a text"}


def step_values(body: StepBody, values) -> dict:
    """The step's own fields of the body's `values`, each of the type its schema gives (null is not a text here:
    a ValidationError by field). Other names may hold a text, a number, a yes/no or null, as the schema says,
    and are then left out, so the action never reads a field its page does not have."""
    if values is None:
        raise ValidationError({"values": ["Send the step's fields as an object, or leave values out."]})
    schema = body.values_schema() or {"properties": {}}
    if isinstance(values, dict):
        errors = {}
        for name, field in schema["properties"].items():
            wanted = field["type"]
            if name in values and (not isinstance(values[name], JSON_TYPES[wanted])
                                   or (wanted == "integer" and isinstance(values[name], bool))):
                errors[name] = [f"Give {TYPE_NAMES[wanted]}."]
        if errors:
            raise ValidationError(errors)
    if not isinstance(values, dict) or len(values) > 40 or not all(
            value is None or (isinstance(value, str | bool | int | float) and len(str(value)) <= STEP_TEXT_LIMIT)
            for value in values.values()):
        raise ValidationError({"values": ["An object of at most 40 field names, each with a text."]})
    return {name: value for name, value in values.items() if name in schema["properties"]}  # the rest ignored


def read_step(serializer_class, bodies: dict[str, StepBody], data) -> dict:
    """The body of a step, validated: its `step`, then only the fields that step reads, and its `values` by
    their types. The fields other steps read are ignored whatever they hold, as the step's schema says."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    step = data.get("step")
    if not isinstance(step, str) or step not in bodies:
        raise ValidationError({"step": [f"Choose one of: {', '.join(bodies)}."]})
    body = bodies[step]
    serializer = serializer_class(data=data)
    reads = {"step", *body.fields, *(("reason",) if body.reason() is not None else ())}
    for name in [name for name in serializer.fields if name not in reads]:
        del serializer.fields[name]
    serializer.is_valid(raise_exception=True)
    validated = dict(serializer.validated_data)
    if body.form is not None:
        validated["values"] = step_values(body, data.get("values", {}))
    return validated
