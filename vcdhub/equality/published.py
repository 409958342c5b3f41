"""What a reader may see of an equality table: a rate or ratio resting on a withheld cell is withheld too.

Each row of a DisparityTable rests on cells: the group's searches, arrests and finds, and the reference group's.
For an aggregate-only reader those cells are perturbed counts, and one from 1 to VCDHUB_MIN_CELL - 1 is withheld;
then so is everything worked out from it (the rate per 1,000 and its interval, the ratio to the reference group,
the arrest and find rates, the relative rate indexes), with the reason in `row["notes"]`.
"""

from vcdhub.platform.disclosure import Disclosure

RATE_FIELDS = ("rate", "rate_low", "rate_high")
RATIO_FIELDS = ("ratio", "ratio_low", "ratio_high", "rri_search")
ARREST_FIELDS = ("arrest_rate", "arrest_low", "arrest_high", "rri_arrest")
FIND_FIELDS = ("find_rate", "find_low", "find_high", "rri_find")


def _withhold(row: dict, fields: tuple[str, ...], note_keys: tuple[str, ...], why: str) -> None:
    for name in fields:
        row[name] = None
    for key in note_keys:
        row["notes"].setdefault(key, why)


def publish_rows(rows: list[dict], disclosure: Disclosure, *, reference: str = "White",
                 rate_withheld: str = "") -> list[dict]:
    """Withhold, in place, what this reader may not see of `rows` (a DisparityTable's), noting why.

    `rate_withheld`: the reason rates per head cannot be given at all (the searches do not cover the area whose
    population would divide them); the rates and the ratios to the reference group are withheld with it."""
    by_group = {row["group"]: row for row in rows}
    ref = by_group.get(reference)
    small = disclosure.is_small
    fewer = f"fewer than {disclosure.minimum}" if disclosure.minimum else ""
    # The reference group's cells, judged before any row is withheld.
    ref_searches, ref_arrests, ref_finds = (ref is not None and small(ref[name])
                                            for name in ("searches", "arrests", "finds"))
    for row in rows:
        row["notes"] = {}
        if rate_withheld:
            _withhold(row, RATE_FIELDS + RATIO_FIELDS, ("rate", "ratio"), rate_withheld)
        elif row["population"] is None:
            _withhold(row, RATE_FIELDS + RATIO_FIELDS, ("rate", "ratio"), "no population denominator")
        if small(row["searches"]):
            why = f"withheld: {fewer} searches"
            row["searches"] = row["arrests"] = row["finds"] = None
            row["notes"]["searches"] = fewer
            _withhold(row, RATE_FIELDS + RATIO_FIELDS + ARREST_FIELDS + FIND_FIELDS + ("rri_find",),
                      ("rate", "ratio", "arrest_rate", "find_rate", "rri_arrest"), why)
            continue
        if small(row["arrests"]):
            row["arrests"] = None
            _withhold(row, ARREST_FIELDS, ("arrest_rate", "rri_arrest"), f"withheld: {fewer} arrests")
        if small(row["finds"]):
            row["finds"] = None
            _withhold(row, FIND_FIELDS, ("find_rate",), f"withheld: {fewer} finds")
        if ref is None or row is ref:
            continue
        if ref_searches:
            _withhold(row, RATIO_FIELDS + ("rri_arrest", "rri_find"), ("ratio", "rri_arrest"),
                      f"withheld: {reference}, {fewer} searches")
        if ref_arrests:
            _withhold(row, ("rri_arrest",), ("rri_arrest",), f"withheld: {reference}, {fewer} arrests")
        if ref_finds:
            _withhold(row, ("rri_find",), (), "")
    return rows
