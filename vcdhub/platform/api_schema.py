"""The OpenAPI schema of every module's API (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] names `AutoSchema`), kept true
to what the API does; tests/test_api_schema.py runs Schemathesis against it.

- Bearer tokens (access.authentication) are a security scheme beside the session cookie.
- Every operation documents the errors it can answer, in DRF's shapes: 400 (a refused parameter, with its
  messages), 401 (no valid credentials), 403 (the role may not read records), 404 (no such record, or a page
  past the last), 409 (a write the records held do not allow: a step from the wrong state, a duplicate;
  platform.actions.StateConflict).
- Every query parameter may be sent empty, which is the same as leaving it out (`allowEmptyValue`); the API
  ignores empty values the same way (crime.filtersets, platform.pagination).
- A filter on areas takes ONS codes (`BoroughCode`, `WardCode`, ...), of the areas loaded.
- Months are YYYY-MM strings (`MONTH_SCHEMA`), in parameters and in records alike.
"""

from django import forms
from django.utils.choices import CallableChoiceIterator
from django_filters import filters
from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from rest_framework.fields import CharField
from rest_framework.permissions import AllowAny, IsAuthenticated

from vcdhub.platform.fields import MonthFilter

# A calendar month as police.uk publishes it; the years platform.months.parse_month accepts.
MONTH_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
NO_NUL_PATTERN = "^[^\\x00]*$"  # any text but the NUL character
NO_NUL_NOT_BLANK_PATTERN = "^[^\\x00]+$"
# Some character that is not white space as Python's str.strip() reads it (DRF trims text so), and no NUL.
# Written out, not as \s, which Python and ECMA read differently.
_SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
HAS_TEXT_PATTERN = f"^[^\\x00]*[^\\x00{_SPACE}][^\\x00]*$"
MONTH_SCHEMA = {"type": "string", "pattern": MONTH_PATTERN, "example": "2017-07",
                "description": "A month, YYYY-MM (1900-01 to 2100-12)"}

STEP_TEXT_LIMIT = 10_000  # platform.api_steps.step_values: no value of a step is longer
# A value in a step's `values` that its step does not name (platform.api_steps.step_values): checked, then ignored.
ANY_STEP_VALUE = {"nullable": True, "anyOf": [{"type": "string", "maxLength": STEP_TEXT_LIMIT}, {"type": "number"},
                                              {"type": "boolean"}]}

# An ONS (GSS) area code: a letter for the country, two digits for the kind of area, six for the area.
GSS_CODE_PATTERN = r"^[EWSN][0-9]{8}$"

DETAIL = ResolvedComponent(
    name="Error", type=ResolvedComponent.SCHEMA, object="Error",
    schema={"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"],
            "description": "Why the request was refused"})
FIELD_ERRORS = ResolvedComponent(
    name="ParameterErrors", type=ResolvedComponent.SCHEMA, object="ParameterErrors",
    schema={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Each refused parameter (or `non_field_errors`) with its messages",
            "example": {"month_to": ["The end month is before the start month."]}})
# A write is refused field by field, or (a body that is not JSON at all) with a detail.
RECORD_ERRORS = ResolvedComponent(
    name="RecordErrors", type=ResolvedComponent.SCHEMA, object="RecordErrors",
    schema={"anyOf": [{"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                      {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}],
            "description": "Each refused field (or `non_field_errors`) with its messages; or, for a body that "
                           "could not be read, a detail",
            "example": {"date_of_birth": ["There is no 30 February."]}})

PAGING_PARAMETERS = ("page", "page_size")


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer vcd_<prefix>_<secret>`: a token a user creates on their account page."""

    target_class = "vcdhub.access.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "vcd_<prefix>_<secret>",
                "description": "An API token, created (with an expiry) on your account page. It acts as you: "
                               "it sees what you may see."}


class FilterExtension(DjangoFilterExtension):
    """django-filter's parameters as drf-spectacular reads them, told what two kinds of filter accept:

    - a month (`platform.fields.MonthFilter`): YYYY-MM, not the date its model field holds;
    - an area by code: the ONS code of a loaded area (any other is refused, 400), one named schema per kind of
      area. The codes are data, listed by the area's own endpoint (`/api/boroughs/`, `/api/wards/`), so the
      schema never reads the database and does not change when boundaries are loaded.

    A filter may add to its description with a `schema_note` attribute (a rule across parameters)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        label = (filter_field.label or field_name).removesuffix(" (YYYY-MM)")
        note = getattr(filter_field, "schema_note", "")
        if isinstance(filter_field, MonthFilter):
            for parameter in parameters:
                parameter["schema"] = {key: value for key, value in MONTH_SCHEMA.items() if key != "description"}
                parameter["description"] = f"{label}: a month, YYYY-MM{note}"
            return parameters
        queryset = filter_field.extra.get("queryset")
        if not (isinstance(filter_field, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter)
                and queryset is not None and filter_field.extra.get("to_field_name") == "code"):
            return parameters
        area = queryset.model
        kind, listing = area._meta.verbose_name, f"/api/{area._meta.model_name}s/"
        component = ResolvedComponent(
            name=f"{area.__name__}Code", type=ResolvedComponent.SCHEMA, object=f"{area.__name__}Code",
            schema={"type": "string", "pattern": GSS_CODE_PATTERN,
                    "description": f"The ONS code of a loaded {kind} (`{listing}` lists them)"})
        auto_schema.registry.register_on_missing(component)
        several = isinstance(filter_field, filters.ModelMultipleChoiceFilter)
        for parameter in parameters:
            parameter["description"] = (
                f"{label}: the ONS code of a loaded {kind} (`{listing}` lists them); any other is refused"
                + ("; may be given several times" if several else "") + note)
            if parameter["schema"].get("type") == "array":
                parameter["schema"]["items"] = component.ref
            else:
                parameter["schema"] = component.ref
        return parameters


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema for a view, with the error responses it can give and the empty-value rule."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not ({"pattern", "format", "enum"} & set(schema)):
                    # Django's form fields refuse a NUL character in text (400), as the database could not hold it.
                    schema["pattern"] = NO_NUL_PATTERN
            elif parameter["in"] == "path" and parameter["schema"].get("type") == "string":
                # What the router passes to the view (DRF's default: no slash, no dot); anything else is no page.
                pattern = getattr(self.view, "lookup_value_regex", "[^/.]+")
                parameter["schema"].setdefault("pattern", f"^{pattern}$")
        responses = operation["responses"]
        for code, response in self._error_responses(parameters).items():
            responses.setdefault(code, response)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, CharField) and schema.get("type") == "string" \
                and not ({"pattern", "enum", "format"} & set(schema)):
            # DRF's text fields refuse a NUL character (400), and trim white space before the blank check. Where
            # the field allows a blank, drf-spectacular documents it as a second schema of oneOf, which this one
            # must not also match.
            schema["pattern"] = NO_NUL_NOT_BLANK_PATTERN if field.allow_blank else HAS_TEXT_PATTERN
        return schema

    def _get_request_body(self, direction="request"):
        bodies = getattr(self.view, "step_bodies", None)
        if bodies is None or getattr(self.view, "action", None) != "step" or self.method != "POST":
            return super()._get_request_body(direction)
        return {"content": {"application/json": {"schema": self._step_bodies_schema(bodies)}}, "required": True}

    def _step_bodies_schema(self, bodies) -> dict:
        """One body per step (platform.api_steps.StepBody), told apart by `step`: the top-level fields the step
        reads, its form's reason, and its form's other fields in `values`."""
        serializer = force_instance(self.get_request_serializer())
        variants = []
        for name, body in bodies.items():
            properties = {"step": {"type": "string", "enum": [name]}}
            required = ["step", *body.required]
            for field in body.fields:
                schema = properties[field] = self._map_serializer_field(serializer.fields[field], "request")
                self._insert_field_validators(serializer.fields[field], schema)  # lengths, bounds
                if schema.get("pattern") == NO_NUL_NOT_BLANK_PATTERN:  # no oneOf here to document a blank
                    if field in body.required:  # the step needs it: not blank, nor only white space
                        schema.update(minLength=1, pattern=HAS_TEXT_PATTERN)
                    else:
                        schema["pattern"] = NO_NUL_PATTERN
            reason = body.reason()
            if reason is not None:
                properties["reason"] = field_schema(reason)
                if reason.required:
                    required.append("reason")
            values = body.values_schema()
            if values is not None:
                properties["values"] = values
                if values.get("required"):
                    required.append("values")
            variants.append({"type": "object", "title": name, "properties": properties, "required": required})
        return {"oneOf": variants}

    def _error_responses(self, parameters) -> dict:
        registry = self.registry
        registry.register_on_missing(DETAIL)
        registry.register_on_missing(FIELD_ERRORS)
        registry.register_on_missing(RECORD_ERRORS)

        def answer(component, description, headers=None):
            response = {"description": description,
                        "content": {"application/json": {"schema": component.ref}}}
            if headers:
                response["headers"] = headers
            return response

        errors = {}
        if self.method in ("POST", "PUT", "PATCH"):
            errors["400"] = answer(RECORD_ERRORS, "The record was refused, field by field; nothing was written.")
        elif any(p["in"] == "query" and p["name"] not in PAGING_PARAMETERS for p in parameters):
            errors["400"] = answer(FIELD_ERRORS, "A parameter was refused; nothing was read.")
        permissions = self.view.get_permissions()
        if any(isinstance(p, IsAuthenticated) for p in permissions):
            errors["401"] = answer(DETAIL, "No credentials, or a bad, expired or revoked token.", headers={
                "WWW-Authenticate": {"schema": {"type": "string"}, "required": True,
                                     "description": "`Bearer`: the scheme to authenticate with"}})
        if any(not isinstance(p, (IsAuthenticated, AllowAny)) for p in permissions):  # DRF overloads |
            errors["403"] = answer(DETAIL, "Your role may not use this: an aggregate-only reader (an authority "
                                           "member) reads counts/ and choropleth/, not records.")
        paged = any(p["in"] == "query" and p["name"] == "page" for p in parameters)
        by_path = any(p["in"] == "path" for p in parameters)
        if by_path or paged:
            errors["404"] = answer(DETAIL, "No such record, or one you may not see (the same answer)"
                                   + ("; or a page past the last, or past page 200" if paged else "") + ".")
        if self.method in ("POST", "PUT", "PATCH"):  # platform.actions.StateConflict
            errors["409"] = answer(RECORD_ERRORS, "The records held do not allow this: done or decided already, in "
                                                  "another state, or a record that exists already. By field, as a "
                                                  "400; nothing was written.")
        if by_path:
            # A path parameter the router cannot hand to the API (one holding a slash, or a dot where the
            # pattern excludes one) makes a path no endpoint has: the site's own page not found answers.
            errors["404"]["description"] += " A path parameter outside its pattern reaches no endpoint: HTML."
            errors["404"]["content"]["text/html"] = {"schema": {"type": "string"}}
        return errors


def field_schema(field: forms.Field) -> dict:
    """A form field as a JSON Schema: the JSON type the API takes for it and the values the form offers."""
    description = ": ".join(str(text) for text in (field.label, field.help_text) if text)
    if isinstance(field, forms.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        schema = {"type": "integer", "enum": [int(value) for value in _choice_values(field)]}
    elif isinstance(field, forms.ChoiceField):
        # Choices a page fills from the records (a unit, a meeting, an earlier item) are not known here: any text.
        values = [] if isinstance(field.choices, CallableChoiceIterator) else _choice_values(field)
        schema = {"type": "string", "maxLength": STEP_TEXT_LIMIT}
        if values:
            schema = {"type": "string", "enum": [*values, *([""] if not field.required else [])]}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"} if field.required else {"type": "string", "maxLength": 10}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
    else:
        longest = getattr(field, "max_length", None) or STEP_TEXT_LIMIT
        schema = {"type": "string", "maxLength": min(longest, STEP_TEXT_LIMIT)}
        if field.required:
            schema["minLength"] = 1
    if schema["type"] == "string" and "enum" not in schema and "format" not in schema:
        # The action refuses a NUL character, as the database cannot hold it, and trims white space.
        schema["pattern"] = HAS_TEXT_PATTERN if field.required else NO_NUL_PATTERN
    if description:
        schema["description"] = description
    return schema


def _choice_values(field: forms.ChoiceField) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # a group of choices
            values.extend(str(v) for v, _ in label)
        elif value != "":
            values.append(str(value))
    return values
