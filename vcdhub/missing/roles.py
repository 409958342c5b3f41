"""Who may do what on a missing-person episode. The workflow and the actions check these, so the pages, the API and
the CLI agree."""

from vcdhub.access.choices import Role

# Whoever works missing-person investigations: records reports, grades, logs information, reviews, records finds.
WORKERS = frozenset({Role.INVESTIGATOR, Role.ANALYST, Role.SUPERVISOR, Role.TASKING_OFFICER})
# A supervisor's review (the supervision interval), reopening an episode found in error.
SUPERVISORS = frozenset({Role.SUPERVISOR})
# The dashboard: the unit's workers (their episodes, exactly), the authority and auditors (published figures).
DASHBOARD_ROLES = frozenset(WORKERS | {Role.AUTHORITY_MEMBER, Role.AUDITOR})
