"""CSV cells a spreadsheet cannot run: text starting with =, +, -, @, a tab or a carriage return is prefixed
with a quote (OWASP's advice on CSV injection). Every CSV download made for people to open goes through here."""

import json
import math

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula is prefixed with a quote; numbers are left as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value if not isinstance(value, float) or math.isfinite(value) else ""
    text = json.dumps(value) if isinstance(value, list | dict) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
