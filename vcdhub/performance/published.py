"""What a reader may see of the indicators: results resting on a withheld cell are withheld."""

from vcdhub.platform.disclosure import Disclosure


def withhold_small_cells(results, disclosure: Disclosure):
    """Counts and rates resting on a cell the disclosure policy withholds are not shown, nor anything that
    would give the cell back (the change, the interval, the verdict)."""
    for r in results:
        if any(disclosure.is_small(c) for c in (r.current_count, r.baseline_count, r.numerator)):
            r.baseline_value = r.current_value = r.change_pct = r.ci_low = r.ci_high = None
            r.current_count = r.baseline_count = r.numerator = r.denominator = None
            r.verdict = "withheld"
            r.explanation = f"fewer than {disclosure.minimum} crimes: withheld from this view"
    return results
