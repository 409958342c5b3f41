"""Argument checks shared by the vcdhub commands; a bad argument is a usage error (exit status 2)."""

import datetime as dt

from django.core.management.base import CommandError

from vcdhub.platform.months import parse_month


def month_span(month_from: str | None, month_to: str | None) -> tuple[dt.date | None, dt.date | None]:
    """--from and --to as months (either may be left out); a bad month or a reversed range is a usage error."""
    try:
        start = parse_month(month_from) if month_from else None
        end = parse_month(month_to) if month_to else None
    except ValueError as exc:
        raise CommandError(str(exc), returncode=2) from exc
    if start and end and start > end:
        raise CommandError("--to is before --from", returncode=2)
    return start, end
