"""The indicators at a glance, for the landing page: which are off track over the latest months of data."""

import hashlib

from django.core.cache import cache
from django.db.models import Max

from vcdhub.crime import cells
from vcdhub.crime.models import Crime
from vcdhub.performance.engine import Period, evaluate_all
from vcdhub.performance.indicators import TargetsFileError
from vcdhub.performance.published import withhold_small_cells
from vcdhub.performance.targets import current_targets, targets_text
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.months import month_range

OFF_TRACK = ("not met",)
LATEST_MONTHS = 5


def latest_period(months: int = LATEST_MONTHS) -> Period | None:
    """The performance page's default: the latest `months` months loaded."""
    latest = Crime.objects.aggregate(m=Max("month"))["m"]
    if latest is None:
        return None
    return Period(month_range(latest.replace(year=latest.year - 1), latest)[-months], latest)


def off_track(user) -> dict:
    """{"period", "results" (the indicators whose verdict is "not met"), "error"} for `user`'s disclosure.

    Cached under the crime cells' data version, the targets in force and how exact the reader's figures are,
    so a landing page costs one evaluation per change of data or targets (none on SQLite: uncached)."""
    period = latest_period()
    if period is None:
        return {"period": None, "results": [], "error": ""}
    disclosure = Disclosure.for_user(user)
    version = cells.data_version()
    key = None
    if version is not None:
        digest = hashlib.sha256(targets_text().encode()).hexdigest()[:16]
        key = f"vcdhub:off-track:{version}:{digest}:{period.label}:{disclosure.perturbs}:{disclosure.minimum}"
        hit = cache.get(key)
        if hit is not None:
            return hit
    try:
        results = evaluate_all(current_targets(), period, period.year_before(), disclosure)
    except TargetsFileError as exc:
        return {"period": period, "results": [], "error": "; ".join(exc.problems)}
    if disclosure.protects:
        results = withhold_small_cells(results, disclosure)
    summary = {"period": period, "results": [r for r in results if r.verdict in OFF_TRACK], "error": "",
               "assessed": len(results)}
    if key is not None:
        cache.set(key, summary, 3600)
    return summary
