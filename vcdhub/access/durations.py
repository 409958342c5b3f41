"""Lengths of time as people say them: "7 days", never "7 days, 0:00:00" or a number of seconds."""

import datetime as dt

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def say_days(span: dt.timedelta) -> str:
    """Whole days ("1 day", "7 days"), rounded to the nearest; under a day, whole hours ("12 hours"); a span
    that has run out is "no time"."""
    if span <= dt.timedelta(0):
        return "no time"
    if span >= DAY - HOUR / 2:
        days = max(1, round(span / DAY))
        return f"{days} day" if days == 1 else f"{days} days"
    hours = max(1, round(span / HOUR))
    return f"{hours} hour" if hours == 1 else f"{hours} hours"
