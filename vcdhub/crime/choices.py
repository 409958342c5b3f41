"""police.uk vocabularies."""

# Current street-level crime categories, plus the pre-2013 ones that older files still carry.
CRIME_TYPES = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
]
HISTORIC_CRIME_TYPES = ["Violent crime", "Public disorder and weapons"]
ALL_CRIME_TYPES = frozenset(CRIME_TYPES + HISTORIC_CRIME_TYPES)

STOP_SEARCH_TYPES = frozenset({"Person search", "Vehicle search", "Person and Vehicle search"})


class Kind:
    STREET = "street"
    OUTCOMES = "outcomes"
    STOP_AND_SEARCH = "stop-and-search"

    CHOICES = [(STREET, "Street-level crime"), (OUTCOMES, "Outcomes"), (STOP_AND_SEARCH, "Stop and search")]
