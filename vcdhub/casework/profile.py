"""The cases about a person, on the person's page: each case of any module that the user may see, with its state
and risk, added to the people module's page through the registry (platform.registry.panels_for)."""

from django.urls import reverse

from vcdhub.access.policy import profile
from vcdhub.audit.log import record_reads
from vcdhub.casework.kinds import kinds
from vcdhub.casework.models import Case
from vcdhub.platform.registry import Panel


def person_panel(user, person) -> Panel | None:
    cases = list(Case.objects.restrict(user).filter(subject=person).order_by("-opened_at")[:50])
    record_reads(cases, "view")
    rows = []
    for case in cases:
        describe = case.case_kind.describe
        shown = describe(case) if describe is not None else {
            "risk": case.get_risk_level_display() or "Not assessed",
            "next_review": f"{case.next_review_due:%Y-%m-%d}" if case.next_review_due else "—",
            "overdue": bool(case.review_overdue_days)}
        rows.append({"case": case, "url": reverse(case.case_kind.detail_url, args=[case.pk]), **shown})
    roles = profile(user).roles
    starts = [{"label": k.start_label, "url": f"{reverse(k.start_url)}?subject={person.pk}"} for k in kinds()
              if k.start_url and (k.worker_roles is None or roles & k.worker_roles)]
    return Panel("Case work", "casework/_person_panel.html", {"rows": rows, "starts": starts}, anchor="casework")
