"""API paging, for every list endpoint (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]). Its own module: DRF
loads it while its views are imported, so it cannot live beside the viewsets."""

from functools import partial

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class KnownCountPaginator(Paginator):
    """Django's paginator, told the count when the view knows it more cheaply than COUNT(*) over the rows."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return super().count if self._known_count is None else self._known_count


class CappedPagination(PageNumberPagination):
    """Pages of `page_size` (at most 1,000) up to page MAX_PAGE: a deep OFFSET reads and throws away every row
    before it (page 3,000 took 4.3 s), and nobody reads page 3,000. Past it, narrow the filter or use the CSV
    export, which streams."""

    page_size_query_param = "page_size"
    max_page_size = 1000
    max_page = 200
    last_page_strings = ()  # "last" would be the deepest offset of all

    def paginate_queryset(self, queryset, request, view=None):
        self.get_page_size(request)  # a refused page size is refused before anything is counted
        # A view may know the count from an aggregate table (count_records); otherwise the rows are counted.
        known = view.count_records(queryset) if hasattr(view, "count_records") else None
        self.django_paginator_class = partial(KnownCountPaginator, count=known)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        """`page_size`: a whole number from 1 (above 1,000 is 1,000); empty or absent, the default. Anything else
        is refused (400), not quietly replaced by the default."""
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [
                "Enter a whole number from 1 (more than 1,000 gives 1,000)."]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (f"A page number, from 1; pages stop at {self.max_page} (404 past the "
                                            "last page or past that).")
            else:
                parameter["description"] = (f"Records per page, from 1 (default {self.page_size}); more than "
                                            f"{self.max_page_size:,} is {self.max_page_size:,}.")
        return parameters

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        try:
            requested = int(number)
        except (TypeError, ValueError):
            return number  # "last", or nonsense: DRF answers as usual
        if requested > self.max_page:
            raise NotFound(f"Pages stop at {self.max_page}: narrow the filter, or download the CSV export.")
        return number
