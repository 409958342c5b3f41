"""Crime types as police.uk names them, checked once for every form, API call and command."""

from vcdhub.crime.choices import ALL_CRIME_TYPES, CRIME_TYPES, HISTORIC_CRIME_TYPES
from vcdhub.platform.inputs import InputError

CRIME_TYPE_CHOICES = [(t, t) for t in CRIME_TYPES + HISTORIC_CRIME_TYPES]


def crime_types(values, field: str = "crime_type", *, required: bool = True) -> list[str]:
    """The crime types, in the order given without repeats; police.uk's names, exactly."""
    values = [values] if isinstance(values, str) else [v for v in (values or []) if v != ""]
    if not values:
        if required:
            raise InputError({field: "Choose at least one crime type."})
        return []
    unknown = [v for v in values if v not in ALL_CRIME_TYPES]
    if unknown:
        raise InputError({field: f"Unknown crime type: {', '.join(map(str, unknown))} (police.uk's names, "
                                 "e.g. Robbery, Violence and sexual offences)."})
    return list(dict.fromkeys(values))
