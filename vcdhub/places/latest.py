"""The place analyses' public face for other modules (the landing page): the latest run of a kind that a user
may open, and what it found, as that user may see it (places.published)."""

from vcdhub.places.models import AnalysisRun
from vcdhub.places.published import published
from vcdhub.platform.permissions import reads_records

# The classes that mean "look here", per kind of run.
FINDINGS = {"alerts": ("alert", "new activity"),
            "emerging": ("new hot spot", "consecutive hot spot", "intensifying hot spot", "persistent hot spot",
                         "sporadic hot spot", "oscillating hot spot")}


def openable_runs(user):
    """The runs this user may open: every run for a reader of records, perturbed runs for the rest."""
    runs = AnalysisRun.objects.all()
    return runs if reads_records(user) else runs.filter(perturbed=True)


def latest_findings(user, kind: str, month: str) -> dict | None:
    """The latest `kind` run ending in `month` ("YYYY-MM") that `user` may open: its id and the areas in the
    classes that call for attention, by class. None when there is no such run."""
    run = openable_runs(user).filter(kind=kind, result__to=month).order_by("-created_at", "-id").first()
    if run is None:
        return None
    result = published(run, user)
    wanted = FINDINGS.get(kind, ())
    found: dict[str, list[str]] = {label: [] for label in wanted}
    for area in result["areas"]:
        if area["class"] in found:
            found[area["class"]].append(area.get("name") or area["code"])
    return {"run": run, "level": result.get("level"), "crime_types": result.get("crime_types", []),
            "found": {label: sorted(names) for label, names in found.items() if names},
            "perturbed": result.get("perturbed", False)}
