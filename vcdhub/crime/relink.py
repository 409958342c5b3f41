"""Re-place stored records after the boundaries change, by the same rule as at import:
the LSOA code when it is a known LSOA, else the point."""

from django.db import connection, transaction

from vcdhub.crime.models import Crime, Outcome, StopSearch
from vcdhub.geography.models import Lsoa
from vcdhub.geography.placement import AreaResolver

CHUNK = 20_000


def relink_records() -> dict[str, int]:
    """Re-place every crime, outcome and stop and search. Returns how many of each are placed."""
    resolver = AreaResolver.from_database()
    placed = {}
    with transaction.atomic():
        for model in (Crime, Outcome, StopSearch):
            placed[model._meta.model_name] = _relink(model, resolver)
    return placed


def _relink(model, resolver: AreaResolver) -> int:
    table = model._meta.db_table
    lsoa = Lsoa._meta.db_table
    has_code = any(f.name == "lsoa_code" for f in model._meta.fields)
    with connection.cursor() as cursor:
        if has_code:
            cursor.execute(
                f"UPDATE {table} SET "  # noqa: S608 - table names come from the models
                f"lsoa_id = (SELECT l.id FROM {lsoa} l WHERE l.code = {table}.lsoa_code), "
                f"ward_id = (SELECT l.ward_id FROM {lsoa} l WHERE l.code = {table}.lsoa_code), "
                f"borough_id = (SELECT l.borough_id FROM {lsoa} l WHERE l.code = {table}.lsoa_code)"
            )
    by_point = model.objects.filter(lsoa__isnull=True, longitude__isnull=False).values_list(
        "pk", "longitude", "latitude")
    pending = list(by_point.iterator(chunk_size=CHUNK))
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start:start + CHUNK]
        places = resolver.by_points([lon for _, lon, _ in chunk], [lat for _, _, lat in chunk])
        updates = [(*place, pk) for (pk, _, _), place in zip(chunk, places, strict=True) if place[0] is not None]
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET lsoa_id = %s, ward_id = %s, borough_id = %s WHERE id = %s",  # noqa: S608
                    updates,
                )
    return model.objects.filter(lsoa__isnull=False).count()
