"""Organisational vulnerabilities and investigative opportunities: episodes that cluster.

- **Placements**: episodes from the same care placement (its normalised name and postcode).
- **Places found**: people found within the same 250 m square (British National Grid), more than one person.
- **Shared associates**: people missing who are linked, on the register, to the same associate.

Each group counts only episodes, people and links the reader may see. A group needs two episodes (a placement)
or two people (a place found, an associate)."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from pyproj import Transformer

from vcdhub.missing.models import Episode
from vcdhub.missing.queue import visible_episodes
from vcdhub.people.models import Person, PersonLink

CELL_METRES = 250
_TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@dataclass
class Group:
    kind: str  # placement, found, associate
    label: str
    episodes: list[Episode] = field(default_factory=list)
    longitude: float | None = None
    latitude: float | None = None

    @property
    def people(self) -> int:
        return len({e.case.subject_id for e in self.episodes})

    @property
    def open(self) -> int:
        return sum(1 for e in self.episodes if e.case.is_open)

    @property
    def latest(self) -> dt.datetime:
        return max(e.reported_at for e in self.episodes)


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


GROUPED_DAYS = 365  # the groups are made of the episodes reported in the last year


def groups(user, *, since: dt.date | None = None) -> dict[str, list[Group]]:
    """The reader's groups of each kind, the largest first (episodes reported since `since`, default a year)."""
    since = since or timezone.localdate() - dt.timedelta(days=GROUPED_DAYS)
    episodes = list(visible_episodes(user).filter(reported_at__date__gte=since)
                    .select_related("case", "case__subject"))
    found: dict[str, list[Group]] = {"placement": [], "found": [], "associate": []}

    by_placement = defaultdict(list)
    for episode in episodes:
        if episode.placement_key:
            by_placement[episode.placement_key].append(episode)
    for members in by_placement.values():
        if len(members) >= 2:
            name = Counter(e.from_place for e in members).most_common(1)[0][0]
            postcode = next((e.from_postcode for e in members if e.from_postcode), "")
            found["placement"].append(Group("placement", f"{name}{', ' + postcode if postcode else ''}", members,
                                            _mean(e.from_longitude for e in members),
                                            _mean(e.from_latitude for e in members)))

    by_cell = defaultdict(list)
    for episode in episodes:
        if episode.found_longitude is not None and episode.found_latitude is not None:
            x, y = _TO_GRID.transform(episode.found_longitude, episode.found_latitude)
            if x == x and y == y and abs(x) < 1e7 and abs(y) < 1e7:  # outside the grid's reach: not grouped
                by_cell[(int(x // CELL_METRES), int(y // CELL_METRES))].append(episode)
    for members in by_cell.values():
        if len({e.case.subject_id for e in members}) >= 2:
            name = Counter(e.found_place for e in members).most_common(1)[0][0]
            found["found"].append(Group("found", f"Found near {name}", members,
                                        _mean(e.found_longitude for e in members),
                                        _mean(e.found_latitude for e in members)))

    subjects = defaultdict(list)
    for episode in episodes:
        subjects[episode.case.subject_id].append(episode)
    associates = defaultdict(set)
    for person_id, other_id in (PersonLink.objects.restrict(user)
                                .filter(person_id__in=subjects).values_list("person_id", "other_id")):
        associates[other_id].add(person_id)
    for person_id, other_id in (PersonLink.objects.restrict(user)
                                .filter(other_id__in=subjects).values_list("person_id", "other_id")):
        associates[person_id].add(other_id)
    shared = {a: linked - {a} for a, linked in associates.items() if len(linked - {a}) >= 2}
    names = {p.pk: p.name for p in Person.objects.restrict(user).filter(pk__in=shared)}
    for associate, linked in shared.items():
        if associate in names:
            members = [e for subject in sorted(linked) for e in subjects[subject]]
            found["associate"].append(Group("associate", f"Linked to {names[associate]}", members))

    for kind in found:
        found[kind].sort(key=lambda g: (-len(g.episodes), -g.people, g.label))
    return found
