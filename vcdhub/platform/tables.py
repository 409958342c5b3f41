"""A records module's table: which columns its list page, detail page and CSV export show.

    class TargetSetTable(Table):
        columns = [Column("name", "Name", link=True), Column("updated_at", "Updated")]
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Column:
    accessor: str  # attribute path, "ward.name"; a callable attribute is called
    label: str
    link: bool = False  # the list links this cell to the record's detail page
    format: Callable[[Any], str] | None = None

    def value(self, obj):
        value = obj
        for part in self.accessor.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value() if callable(value) else value

    def text(self, obj) -> str:
        value = self.value(obj)
        if self.format is not None:
            return self.format(value)
        if value is None:
            return "—"
        if hasattr(value, "strftime"):
            if not hasattr(value, "hour"):
                return value.strftime("%Y-%m-%d")
            # Stored in UTC; a user reads the time on the clock where they work (settings.TIME_ZONE).
            return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
        return str(value)


class Table:
    columns: list[Column] = []

    def rows(self, objects) -> list[dict]:
        return [{"object": obj, "cells": [(c, c.text(obj)) for c in self.columns]} for obj in objects]

    def values(self, objects):
        for obj in objects:
            yield [c.value(obj) for c in self.columns]

    def fields(self, obj) -> list[tuple[str, str]]:
        return [(c.label, c.text(obj)) for c in self.columns]
