"""The authority's report as a PDF is built in the background: WeasyPrint takes seconds over a year of data."""

from vcdhub.platform.jobs import JobOutcome, job_kind


@job_kind("performance.authority_pdf", label="The authority's report as a PDF")
def build_authority_pdf(job, *, period: str, baseline: str | None, aggregate_only: bool) -> JobOutcome:
    # Here, not at the top: every process imports this module as it starts (the job kind's registration), and
    # the report's statistics bring scipy, a second of every command's start.
    from vcdhub.performance.authority import build_context, render_pdf
    from vcdhub.performance.engine import parse_period

    job.progress(10, "counting crimes and outcomes for each indicator")
    current = parse_period(period)
    context = build_context(current, parse_period(baseline) if baseline else None, aggregate_only=aggregate_only)
    job.progress(60, "drawing the PDF")
    return JobOutcome(content=render_pdf(context), content_type="application/pdf",
                      file_name=f"vcd-report-{current.label}.pdf", summary=f"The authority's report, {current.label}")
