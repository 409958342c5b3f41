"""State changes for place analyses: storing a run (and auditing it), and reproducing one."""

import time

from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.places import analyses
from vcdhub.places.models import AnalysisRun
from vcdhub.places.parameters import check_request, request_text
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.inputs import InputError
from vcdhub.platform.version import code_version, library_versions

LIBRARIES = ("esda", "libpysal", "numpy", "scipy", "pymannkendall")


def run_analysis(kind: str, *, crime_types: list[str], month_from: str | None, month_to: str, level: str,
                 boroughs: list[str] | None = None, actor: str, perturbed: bool = False, progress=None,
                 **options) -> AnalysisRun:
    """Compute an analysis and store it with its parameters, input hash and code version.

    `perturbed`: a run for aggregate-only readers, computed from perturbed counts (docs/disclosure.md); the
    only runs such readers may open, so that no two of their runs can be differenced to give a count back.

    Months are "YYYY-MM" text. The request is checked first (places.parameters.check_request: InputError,
    field by field); ValueError for a request that cannot be answered (no data, no neighbours). `progress(percent,
    message)`, when given, hears each stage (a background job shows it).
    """
    report = progress or (lambda percent, message: None)
    began = time.perf_counter()
    request = check_request(kind, crime_types=crime_types, month_from=month_from, month_to=month_to, level=level,
                            boroughs=boroughs, **options)
    if request["level"] is None:
        raise InputError({"level": "Choose the areas: ward or borough."})
    report(5, f"counting crimes and computing the {kind} analysis")
    disclosure = Disclosure.aggregate_only() if perturbed else None
    result, series = analyses.compute(**request, disclosure=disclosure)
    result["perturbed"] = perturbed
    report(90, "storing the run")
    text = request_text(request)
    parameters = {"kind": kind, "crime_types": text["crime_types"], "from": text["month_from"],
                  "to": text["month_to"], "level": text["level"], "boroughs": text["boroughs"] or [],
                  **result["parameters"], **({"perturbed": True} if perturbed else {})}
    run = AnalysisRun.objects.create(
        kind=kind, perturbed=perturbed, parameters=parameters, input_sha256=series.sha256(),
        code_version=code_version(),
        libraries=library_versions(*LIBRARIES), result=result, seconds=time.perf_counter() - began,
        created_by=actor)
    record_event(EntryKind.DECISION, "analysis_run", run, reason=f"{kind} analysis", detail={
        "parameters": parameters, "input_sha256": run.input_sha256, "code_version": run.code_version})
    return run


def reproduce(run: AnalysisRun, *, actor: str) -> dict:
    """Run a stored analysis again with its own parameters; say whether the input and the result match."""
    p = dict(run.parameters)
    common = {key: p.pop(key) for key in ("kind", "crime_types", "from", "to", "level", "boroughs")}
    again = run_analysis(common["kind"], crime_types=common["crime_types"], month_from=common["from"],
                         month_to=common["to"], level=common["level"], boroughs=common["boroughs"] or None,
                         actor=actor, **p)
    same_input = again.input_sha256 == run.input_sha256
    differing = [a["code"] for a, b in zip(run.result["areas"], again.result["areas"], strict=False) if a != b]
    same_result = same_input and not differing and len(run.result["areas"]) == len(again.result["areas"]) \
        and run.result["summary"] == again.result["summary"]
    return {"run": run.pk, "again": again.pk, "same_input": same_input, "same_result": same_result,
            "areas_differing": differing[:20], "code_version_then": run.code_version,
            "code_version_now": again.code_version}
