"""Who may do what on a risk panel. The workflow and the actions check these, so the pages, the API and the CLI
agree."""

from vcdhub.access.choices import Role

# Anyone who works cases refers, assesses, sets actions and records reviews.
WORKERS = frozenset({Role.INVESTIGATOR, Role.ANALYST, Role.SUPERVISOR, Role.TASKING_OFFICER, Role.PANEL_CHAIR})
# Screening a referral: accept it for assessment, or decline it.
SCREENERS = frozenset({Role.SUPERVISOR, Role.PANEL_CHAIR})
# The panel's own steps: adopting a plan, closing, escalating to MAPPA.
CHAIRS = frozenset({Role.PANEL_CHAIR, Role.SUPERVISOR})
# The dashboard: the panel's workers (their cases, exactly), the authority and auditors (published figures).
DASHBOARD_ROLES = frozenset(WORKERS | {Role.AUTHORITY_MEMBER, Role.AUDITOR})
