"""The one counting engine behind the explorer, the map and the API: counts of filtered records, in total,
by area and by value.

Crimes are counted from their cells (crime.cells) whenever the cells can say exactly what the rows would:
always for the explorer's filters, unless the user holds a grant to single records. Other record types, and
those users, are counted from the rows. Either way a user counts exactly the records they may see
(platform.disclosure).
"""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from vcdhub.crime import cells
from vcdhub.crime.filtersets import CrimeFilterSet
from vcdhub.crime.models import Crime, CrimeCell
from vcdhub.geography.loader import geometry_feature
from vcdhub.geography.models import Borough, Lsoa, Ward
from vcdhub.platform.disclosure import countable, countable_cells

LEVELS = {"borough": Borough, "ward": Ward, "lsoa": Lsoa}


@dataclass
class AreaCounts:
    level: str
    total: int | None
    unplaced: int | None
    by_code: dict[str, int | None]
    suppressed_below: int | None = None  # cells from 1 to this minus one are shown as None
    # The sums of the counted records' record keys, by code, for cell key perturbation ("" unplaced, None total)
    key_sums: dict = field(default_factory=dict, repr=False)
    perturbed: bool = False


def protect_counts(counts: AreaCounts, disclosure) -> AreaCounts:
    """The counts as the disclosure policy lets this reader see them (platform.disclosure.Disclosure).

    With perturbation (aggregate-only readers), every cell and the total get their cell key noise, then small
    cells are withheld: the total is a cell of its own, so neither it nor a difference between two tables
    gives a withheld cell back exactly. Without it, small cells are withheld, and so is the total when any
    cell is, since the total minus the cells shown would give the withheld cells back."""
    if not disclosure.protects:
        return counts
    if disclosure.perturbs:
        raw = {**counts.by_code, "": counts.unplaced, None: counts.total}
        noisy = disclosure.perturbed(raw, counts.key_sums)
        by_code = {code: disclosure.cell(noisy[code]) for code in counts.by_code}
        return AreaCounts(counts.level, disclosure.cell(noisy[None]), disclosure.cell(noisy[""]), by_code,
                          suppressed_below=disclosure.minimum, perturbed=True)
    by_code, any_withheld = disclosure.cells(counts.by_code)
    unplaced = disclosure.cell(counts.unplaced)
    any_withheld = any_withheld or (unplaced is None and counts.unplaced is not None)
    total, _ = disclosure.total(counts.total, any_withheld=any_withheld)
    return AreaCounts(counts.level, total, unplaced, by_code, suppressed_below=disclosure.minimum)


@dataclass(frozen=True)
class Counted:
    """Records to count: rows (one each), or cells whose `weight` column holds how many records each counts."""

    queryset: QuerySet
    weight: str | None = None
    keys: str = "record_key"  # the column of record keys, or of their sums in cells

    @property
    def tally(self):
        return Sum(self.weight) if self.weight else Count("pk")

    def keyed_by(self, field: str) -> dict:
        """{value of `field`: (count, sum of the records' keys)}, for values with any record."""
        def compute():
            rows = self.queryset.order_by().values_list(field).annotate(n=self.tally, k=Sum(self.keys))
            return {value: (n, k or 0) for value, n, k in rows}

        return self._cached(f"keyed_by:{field}", compute)

    def total(self) -> int:
        if self.weight is None:
            return self.queryset.count()
        return self._cached("total", lambda: self.queryset.order_by().aggregate(n=self.tally)["n"] or 0)

    def shown_total(self, disclosure) -> int | None:
        """The total as `disclosure`'s reader may see it: perturbed for aggregate-only readers, then withheld
        if small."""
        if not disclosure.perturbs:
            return disclosure.cell(self.total())
        row = self._cached("keyed_total", lambda: self.queryset.order_by().aggregate(n=self.tally, k=Sum(self.keys)))
        return disclosure.cell(disclosure.perturbed({None: row["n"] or 0}, {None: row["k"] or 0})[None])

    def by(self, field: str) -> dict:
        """{value of `field`: count}, for values with any record."""
        return self._cached(f"by:{field}",
                            lambda: dict(self.queryset.order_by().values_list(field).annotate(n=self.tally)))

    def _cached(self, what: str, compute):
        """Counts from cells are cached under the cells' data version (crime.cells.cached); rows never are."""
        return cells.cached(self.queryset, what, compute) if self.weight else compute()


def usable(filterset) -> bool:
    """An unbound filterset (no filter at all) selects everything; a bound one only if it is valid."""
    return not filterset.is_bound or filterset.is_valid()


def counted_crimes(user, params=None, *, request=None, filterset_class=CrimeFilterSet):
    """(the bound filterset, the Counted crimes it selects) for `user`, from the cells when they can say.
    An invalid filter counts nothing: check `usable(filterset)`."""
    cells = countable_cells(CrimeCell.objects.all(), user, Crime)
    if cells is not None:
        filterset = filterset_class(params, queryset=cells, request=request)
        counted = Counted(filterset.qs if usable(filterset) else cells.none(), "records", "key_sum")
    else:
        filterset = filterset_class(params, queryset=countable(Crime.objects.all(), user), request=request)
        counted = Counted(filterset.qs if usable(filterset) else Crime.objects.none())
    return filterset, counted


def count_by_area(records: "QuerySet | Counted", level: str) -> AreaCounts:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    counted = records if isinstance(records, Counted) else Counted(records)
    by_code: dict[str, int] = {}
    key_sums: dict = {"": 0}
    unplaced = 0
    # Group on the foreign key (no join), then name the areas: much cheaper over millions of rows.
    rows = counted.keyed_by(f"{level}_id").items()
    codes = _codes(level)
    for area_id, (n, keys) in rows:
        if area_id is None:
            unplaced += n
            key_sums[""] += keys
        else:
            by_code[codes[area_id]] = n
            key_sums[codes[area_id]] = keys
    key_sums[None] = sum(key_sums.values())
    return AreaCounts(level, sum(by_code.values()) + unplaced, unplaced, by_code, key_sums=key_sums)


def _codes(level: str) -> dict[int, str]:
    return dict(LEVELS[level].objects.values_list("id", "code"))


def covered_areas(records: "QuerySet | Counted", level: str) -> set[str]:
    """Areas with any record in `records`: where the data has coverage at all (a zero means something)."""
    if isinstance(records, Counted):
        return set(records._cached(f"covered:{level}", lambda: _covered(records.queryset, level)))
    return _covered(records, level)


def _covered(queryset, level: str) -> list[str]:
    codes = _codes(level)
    ids = queryset.order_by().values_list(f"{level}_id", flat=True).distinct()
    return sorted(codes[i] for i in ids if i is not None)


def choropleth(counts: AreaCounts, borough_codes: list[str] | None = None, covered: set[str] | None = None) -> dict:
    """A GeoJSON FeatureCollection of every area at the level (zero counts included), with its count and
    whether the source has any data there (`covered`), so "no data" is never drawn as "no crime"."""
    model = LEVELS[counts.level]
    areas = model.objects.all()
    if borough_codes:
        areas = areas.filter(code__in=borough_codes) if model is Borough else areas.filter(
            borough__code__in=borough_codes)
    features = [
        geometry_feature(a, {"count": counts.by_code.get(a.code, 0),
                             "covered": covered is None or a.code in covered or a.code in counts.by_code})
        for a in areas.order_by("code")
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"level": counts.level, "total": counts.total, "unplaced": counts.unplaced,
                       "suppressed_below": counts.suppressed_below, "perturbed": counts.perturbed},
    }
