"""Who may do what with intelligence. The actions check these, so the pages, the API and the CLI agree."""

from vcdhub.access.choices import Role

# Any officer or analyst may submit intelligence.
SUBMITTERS = frozenset({Role.INVESTIGATOR, Role.ANALYST, Role.SUPERVISOR, Role.TASKING_OFFICER,
                        Role.SOURCE_HANDLER})
# Reviewing, grading and sanitising are the intelligence unit's: its analysts and supervisors.
REVIEWERS = frozenset({Role.ANALYST, Role.SUPERVISOR})
# Sharing a report outside its unit.
DISSEMINATORS = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.TASKING_OFFICER})
