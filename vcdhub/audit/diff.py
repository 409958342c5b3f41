"""Versions of a record from its change entries, and what changed between them."""

from dataclasses import dataclass


@dataclass
class Version:
    number: int
    entry: object  # AuditEntry
    changes: list[tuple[str, object, object]]  # (field, before, after)


def field_changes(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    before, after = before or {}, after or {}
    return [(name, before.get(name), after.get(name)) for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)]


def versions(entries) -> list[Version]:
    result = []
    for entry in entries:
        if entry.kind == "change":
            result.append(Version(len(result) + 1, entry, field_changes(entry.before, entry.after)))
        else:
            result.append(Version(len(result), entry, []))
    return result
