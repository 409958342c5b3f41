"""The one counting engine behind the explorer, the map and the API: counts of filtered records, in total,
by area and by value.

Crimes are counted from their cells (crime.cells) whenever the cells can say exactly what the rows would:
always for the explorer's filters, unless the user holds a grant to single records. Other record types, and
those users, are counted from the rows. Either way a user counts exactly the records they may see
(platform.disclosure).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldError
from django.db.models import Count, QuerySet, Sum

from vcdhub.crime import cells
from vcdhub.crime.filtersets import CrimeFilterSet
from vcdhub.crime.models import Crime, CrimeCell, CrimeCellBorough, CrimeCellWard
from vcdhub.geography.models import Borough, Lsoa, Ward
from vcdhub.geography.shapes import area_outlines
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
    """Records to count: rows (one each), or cells whose `weight` column holds how many records each counts.

    `coarser`: the same cells, filtered and restricted the same way, in smaller tables (crime.cells: without
    the LSOA, without the ward), coarsest first, as (model, function making the queryset or None if the filter
    cannot apply to that table). Each question is asked of the smallest table that has the fields it groups
    by; a table's queryset is made only when a question needs it.
    """

    queryset: QuerySet
    weight: str | None = None
    keys: str = "record_key"  # the column of record keys, or of their sums in cells
    coarser: tuple[tuple[type, Callable[[type], QuerySet | None]], ...] = ()
    _made: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def tally(self):
        return Sum(self.weight) if self.weight else Count("pk")

    def source(self, *fields: str) -> QuerySet:
        """The smallest of the querysets whose model has every one of `fields` ("ward_id", "crime_type")."""
        for model, make in self.coarser:
            if cells.holds(model, *fields):
                if model not in self._made:
                    self._made[model] = make(model)
                if self._made[model] is not None:
                    return self._made[model]
        return self.queryset

    def keyed_by(self, field: str) -> dict:
        """{value of `field`: (count, sum of the records' keys)}, for values with any record."""
        source = self.source(field)

        def compute():
            rows = source.order_by().values_list(field).annotate(n=self.tally, k=Sum(self.keys))
            return {value: (n, k or 0) for value, n, k in rows}

        return self._cached(source, f"keyed_by:{field}", compute)

    def total(self) -> int:
        if self.weight is None:
            return self.queryset.count()
        source = self.source()
        return self._cached(source, "total", lambda: source.order_by().aggregate(n=self.tally)["n"] or 0)

    def shown_total(self, disclosure) -> int | None:
        """The total as `disclosure`'s reader may see it: perturbed for aggregate-only readers, then withheld
        if small."""
        if not disclosure.perturbs:
            return disclosure.cell(self.total())
        source = self.source()
        row = self._cached(source, "keyed_total",
                           lambda: source.order_by().aggregate(n=self.tally, k=Sum(self.keys)))
        return disclosure.cell(disclosure.perturbed({None: row["n"] or 0}, {None: row["k"] or 0})[None])

    def by(self, field: str) -> dict:
        """{value of `field`: count}, for values with any record."""
        source = self.source(field)
        return self._cached(source, f"by:{field}",
                            lambda: dict(source.order_by().values_list(field).annotate(n=self.tally)))

    def distinct(self, field: str) -> list:
        """The values of `field` that any counted record has."""
        source = self.source(field)
        return self._cached(source, f"distinct:{field}", lambda: sorted(
            v for v in source.order_by().values_list(field, flat=True).distinct() if v is not None))

    def _cached(self, source, what: str, compute):
        """Counts from cells are cached under the cells' data version (crime.cells.cached); rows never are."""
        return cells.cached(source, what, compute) if self.weight else compute()


def usable(filterset) -> bool:
    """An unbound filterset (no filter at all) selects everything; a bound one only if it is valid."""
    return not filterset.is_bound or filterset.is_valid()


def counted_crimes(user, params=None, *, request=None, filterset_class=CrimeFilterSet):
    """(the bound filterset, the Counted crimes it selects) for `user`, from the cells when they can say.
    An invalid filter counts nothing: check `usable(filterset)`."""
    cells = countable_cells(CrimeCell.objects.all(), user, Crime)
    if cells is not None:
        filterset = filterset_class(params, queryset=cells, request=request)
        if not usable(filterset):
            return filterset, Counted(cells.none(), "records", "key_sum")

        def same_filter(model) -> QuerySet | None:
            restricted = countable_cells(model.objects.all(), user, Crime)
            try:  # the same filter on a table without the ward cannot filter by ward: then it is not used
                # The one validated filter applied again (a new filterset per table would build its form anew).
                return filterset.filter_queryset(restricted) if filterset.is_bound else restricted
            except FieldError:
                return None

        counted = Counted(filterset.qs, "records", "key_sum",
                          ((CrimeCellBorough, same_filter), (CrimeCellWard, same_filter)))  # coarsest first
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
    counted = records if isinstance(records, Counted) else Counted(records)
    codes = _codes(level)
    return {codes[i] for i in counted.distinct(f"{level}_id")}


# A sequential palette (ColorBrewer Blues) for the classes, lightest first; a map with fewer classes takes the
# darker end, so its classes stay far apart. Zero, withheld and no data have their own, outside it.
CLASS_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
ZERO_COLOUR, WITHHELD_COLOUR, NO_DATA_COLOUR = "#f7fbff", "#bdbdbd", "#ffffff"
RATE_PER = 1000


@dataclass
class Shading:
    """How each area is shaded, and the legend: one entry per class actually used, then "none", "withheld" and
    "no data" when any area is so. `of[code]` is the legend entry's index, or None."""

    legend: list[dict]
    of: dict[str, int | None]


def shade(values: dict[str, float | None], covered: set[str] | None, minimum: int | None, *,
          unit: str = "", decimals: int = 0, unavailable: frozenset[str] = frozenset()) -> Shading:
    """Jenks classes (stats.classes) over the non-zero values shown; zero, withheld (None) and areas without
    data are classes of their own, so no class spans values that cannot be shown."""
    from vcdhub.stats.classes import NaturalClasses

    has_data = {code: covered is None or code in covered for code in values}
    shown = [v for code, v in values.items() if has_data[code] and v]
    model = NaturalClasses(k=len(CLASS_COLOURS)).fit(shown)
    colours = CLASS_COLOURS[len(CLASS_COLOURS) - len(model.bounds_):]

    def text(v) -> str:
        return f"{v:,.{decimals}f}{unit}"

    legend = [{"label": text(lo) if lo == hi else f"{text(lo)}–{text(hi)}", "colour": colour, "areas": n}
              for (lo, hi), colour, n in zip(model.bounds_, colours, model.counts_, strict=True)]
    extra = {}
    for key, label, colour, dashed in (("zero", "none", ZERO_COLOUR, False),
                                       ("withheld", f"withheld (1–{minimum - 1})" if minimum else "withheld",
                                        WITHHELD_COLOUR, False),
                                       ("no data", "no data", NO_DATA_COLOUR, True),
                                       ("unavailable", "no population estimate", NO_DATA_COLOUR, True)):
        extra[key] = {"label": label, "colour": colour, "dashed": dashed, "areas": 0}
    of: dict[str, int | None] = {}
    for code, value in values.items():
        if not has_data[code]:
            key = "no data"
        elif code in unavailable:
            key = "unavailable"
        elif value is None:
            key = "withheld"
        elif value == 0:
            key = "zero"
        else:
            of[code] = model.class_of(value)
            continue
        extra[key]["areas"] += 1
        of[code] = key
    used = [key for key in ("zero", "withheld", "no data", "unavailable") if extra[key]["areas"]]
    position = {key: len(legend) + i for i, key in enumerate(used)}
    legend += [extra[key] for key in used]
    return Shading(legend, {code: position.get(v, v) if isinstance(v, str) else v for code, v in of.items()})


def rates_per_thousand(counts: dict[str, int | None], population: dict[str, int]) -> dict[str, float | None]:
    """Crimes per 1,000 residents; None where the count is withheld or the area has no full population."""
    return {code: (round(n / population[code] * RATE_PER, 2) if n is not None and population.get(code) else None)
            for code, n in counts.items()}


def choropleth(counts: AreaCounts, borough_codes: list[str] | None = None, covered: set[str] | None = None,
               *, geometry: bool = True) -> str:
    """A GeoJSON FeatureCollection, as JSON text, of every area at the level (zero counts included), with its
    count, its rate per 1,000 residents, their classes, and whether the source has any data there (`covered`),
    so "no data" is never drawn as "no crime". The boundaries' text is spliced in as it is stored
    (geography.shapes), not parsed and encoded again; without `geometry` every geometry is null, for a map that
    has the outlines already (the areas' `outlines/` endpoint)."""
    from vcdhub.geography.population import resident_population

    outlines = list(area_outlines(LEVELS[counts.level], borough_codes))
    values = {code: counts.by_code.get(code, 0) for code, _, _ in outlines}
    has_data = {code for code in values if covered is None or code in covered or code in counts.by_code}
    by_count = shade(values, has_data, counts.suppressed_below)
    population = resident_population(counts.level, list(values))
    rates = rates_per_thousand(values, population)
    by_rate = shade(rates, has_data, counts.suppressed_below, decimals=1,
                    unavailable=frozenset(code for code in values if code not in population))
    features = []
    for code, name, outline in outlines:
        shape = outline if geometry else "null"
        properties = {"code": code, "name": name, "count": values[code], "covered": code in has_data,
                      "class": by_count.of.get(code), "rate": rates[code], "rate_class": by_rate.of.get(code)}
        features.append(f'{{"type": "Feature", "id": {json.dumps(code)}, "geometry": {shape}, '
                        f'"properties": {json.dumps(properties)}}}')
    properties = {"level": counts.level, "total": counts.total, "unplaced": counts.unplaced,
                  "suppressed_below": counts.suppressed_below, "perturbed": counts.perturbed,
                  "legend": by_count.legend, "rate_legend": by_rate.legend}
    return (f'{{"type": "FeatureCollection", "features": [{", ".join(features)}], '
            f'"properties": {json.dumps(properties)}}}')
