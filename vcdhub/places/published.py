"""What a reader may see of a stored run: its result with small cells withheld for aggregate-only readers, and
its counts and total in words. Every page and download starts from `published(run, user)`, so they agree."""

from vcdhub.platform.disclosure import Disclosure

WITHHELD = "withheld"


def withhold(result: dict, minimum: int | None) -> dict:
    """A copy of a run's result with counts from 1 to minimum-1, and whatever they could be worked out from, withheld.

    `minimum` None leaves the numbers as they are. An area with a small count keeps its class and nothing else:
    its count and every detail (scores, p-values, expected counts, reasons quoting numbers, rank) become None.
    Each area says whether it is `withheld` and which detail fields were (`withheld_fields`). When any area is
    withheld, figures that would give the withheld counts away by differencing go too: the exact total becomes
    `total_at_least` (the sum of the counts shown), small unplaced and outside counts are withheld, and a
    concentration run loses its Lorenz points, its Gini and every cumulative share (a shown area's count over
    its cumulative share is the exact total). `summary_withheld` names what went from the summary; the result
    carries `suppressed_below`.
    """
    kind = result["kind"]
    policy = Disclosure(minimum or None)
    areas, shown = [], 0
    for area in result["areas"]:
        detail = dict(area["detail"])
        small = policy.is_small(area["count"]) or policy.is_small(detail.get("observed"))
        hidden = list(detail) if small else []
        for key in hidden:
            detail[key] = None
        if not small and isinstance(area["count"], int | float):
            shown += area["count"]
        areas.append({**area, "count": None if small else area["count"], "detail": detail, "withheld": small,
                      "withheld_fields": hidden})
    partial = any(a["withheld"] for a in areas)
    summary, summary_withheld = dict(result.get("summary") or {}), []
    if partial:
        withheld_codes = {a["code"] for a in areas if a["withheld"]}
        for key in ("top", "alerts", "new_activity"):  # codes in rank order: the order of withheld areas would tell
            if isinstance(summary.get(key), list):
                summary[key] = ([c for c in summary[key] if c not in withheld_codes]
                                + sorted(c for c in summary[key] if c in withheld_codes))
        if kind == "concentration":
            for a in areas:
                if "cumulative_share" in a["detail"] and "cumulative_share" not in a["withheld_fields"]:
                    a["detail"]["cumulative_share"] = None
                    a["withheld_fields"] = [*a["withheld_fields"], "cumulative_share"]
            summary.pop("lorenz", None)
            summary["gini"] = None
            summary_withheld = ["lorenz", "gini", "share held"]
    total, _ = policy.total(result["total"], any_withheld=partial)
    return {**result, "summary": summary, "areas": areas, "suppressed_below": minimum or None,
            "total": total, "total_at_least": shown if partial else None,
            "unplaced": policy.cell(result["unplaced"]), "outside": policy.cell(result["outside"]),
            "summary_withheld": summary_withheld}


def published(run, user) -> dict:
    """The run's result as this user may see it (the disclosure policy decides how exact), saying whether its
    counts were perturbed."""
    return {**withhold(run.result, Disclosure.for_user(user).minimum), "perturbed": run.perturbed}


def count_text(n, minimum: int | None) -> str:
    return Disclosure(minimum).count_text(n)


def total_text(result: dict) -> str:
    """The run's total as this user may see it: exact, or "at least X" when some area counts are withheld."""
    at_least = result.get("total_at_least")
    # Every withheld area has at least one crime, so the total is never below 1.
    return Disclosure(result["suppressed_below"]).total_text(result["total"],
                                                             None if at_least is None else max(at_least, 1))


def crimes_text(result: dict) -> str:
    """'1 crime', '1,204 crimes', 'at least 1 crime', 'fewer than 5 crimes'."""
    text = total_text(result)
    return f"{text} {'crime' if text in ('1', 'at least 1') else 'crimes'}"
