"""What geography tells the modules above it. Geography knows nothing of the records placed in its areas:
a records module that stores area links listens here and re-places its records."""

from django.dispatch import Signal

# Sent after a boundary load changed the areas. Receivers re-place their records and return
# {record kind: how many are placed}, for the loader's summary.
boundaries_changed = Signal()
