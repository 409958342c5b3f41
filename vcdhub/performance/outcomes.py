"""Outcome sets, in police.uk's "Last outcome category" wording."""

# A sanction detection: the suspect was charged or summonsed (every court outcome, whatever the
# verdict, and cases awaiting or unable to proceed at court), cautioned, given a drugs possession
# warning, or given a penalty notice. Configurable per targets file; this is the default.
SANCTION_DETECTION = frozenset({
    "Awaiting court outcome",
    "Court case unable to proceed",
    "Court result unavailable",
    "Defendant found not guilty",
    "Defendant sent to Crown Court",
    "Offender deprived of property",
    "Offender fined",
    "Offender given a caution",
    "Offender given a drugs possession warning",
    "Offender given absolute discharge",
    "Offender given community sentence",
    "Offender given conditional discharge",
    "Offender given penalty notice",
    "Offender given suspended prison sentence",
    "Offender ordered to pay compensation",
    "Offender otherwise dealt with",
    "Offender sent to prison",
    "Suspect charged",
    "Suspect charged as part of another case",
})

BUILT_IN_SETS = {"sanction-detection": SANCTION_DETECTION}
