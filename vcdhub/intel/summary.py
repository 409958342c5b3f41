"""What intelligence tells a user's landing page: for reviewers, the reports waiting for the intelligence unit
and the proposed links waiting for a decision, counted as the review queue and the proposals page list them."""

from django.db.models import Q

from vcdhub.intel.choices import ProposalStatus, State
from vcdhub.intel.models import LinkProposal, Report


def waiting_reports(user):
    """Reports submitted, reviewed, or graded and waiting for a sanitised version, that the user may see and
    did not submit."""
    waiting = (Q(state__in=[State.SUBMITTED, State.REVIEWED])
               | Q(state=State.GRADED, needs_sanitising=True, sanitised_text=""))
    return Report.objects.restrict(user).filter(waiting).exclude(submitted_by=user)


def waiting(user) -> dict:
    return {"reports": waiting_reports(user).count(),
            "proposals": LinkProposal.objects.restrict(user).filter(status=ProposalStatus.PROPOSED).count()}
