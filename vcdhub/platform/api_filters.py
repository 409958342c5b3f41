"""The API's filter backend (settings.REST_FRAMEWORK), in a module of its own: DRF imports it while its own
modules are still loading, so it must not import the viewsets (platform.api)."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


def refuse_repeated_values(params, filterset) -> None:
    """A filter that takes one value, given several (`?reference=a&reference=b`), is a 400 for that parameter:
    taking the last one silently would answer a question the caller did not ask. Empty values are left out,
    as everywhere."""
    refuse_repeated(params, [name for name, declared in filterset.filters.items()
                             if not getattr(declared.field.widget, "allow_multiple_selected", False)])


def refuse_repeated(params, names) -> None:
    """refuse_repeated_values for parameters named outright (a view's own, read without a filter set)."""
    if not hasattr(params, "getlist"):  # a plain dict holds one value a name
        return
    errors = {name: ["Give one value, not several."] for name in names
              if len([value for value in params.getlist(name) if value != ""]) > 1}
    if errors:
        raise ValidationError(errors)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with `refuse_repeated_values` (the API's default, settings.REST_FRAMEWORK)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            refuse_repeated_values(request.query_params, filterset)
        return filterset
