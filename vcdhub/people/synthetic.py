"""Fictitious people with known truth: the demo's nominals and the duplicate finder's benchmark.

Nothing public holds nominals, so vcdhub makes them: names from Faker's en_GB lists (with their frequency
weights), dates of birth, addresses, and the same person recorded more than once with the errors real records
carry. Everything comes from one seeded random stream, so the same seed gives the same population. Every
person made here is fictitious and is marked so where it is stored. No Django: the benchmark runs it alone.

The distributions are documented in docs/synthetic-people.md.

>>> population = make_population(200, seed=7)
>>> len(population.people), population.records[0]["source_id"] == make_population(200, seed=7).records[0]["source_id"]
(200, True)
>>> sorted({r["truth"] for r in population.records}) == list(range(200))
True
"""

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from faker.providers.person.en_GB import Provider as PersonProvider
from nicknames import NickNamer

MALE = tuple(PersonProvider.first_names_male)
FEMALE = tuple(PersonProvider.first_names_female)
SURNAMES = tuple(PersonProvider.last_names)
SURNAME_CUMULATIVE = tuple(itertools.accumulate(PersonProvider.last_names.values()))
STREET_SUFFIXES = ("Road", "Street", "Avenue", "Close", "Gardens", "Lane", "Way", "Crescent", "Grove", "Court")
UNITS = ("csu", "sapphire", "compass", "rvctf", "jigsaw", "vcd-tasking")
# Errors a duplicate record may carry, with their relative frequency (docs/synthetic-people.md).
ERRORS = {"surname_typo": 3, "given_typo": 3, "nickname": 3, "initial_only": 1, "dob_transposed": 2,
          "dob_digit_typo": 2, "dob_missing": 2, "address_moved": 3, "address_missing": 2, "postcode_typo": 1}
_NICKNAMES = NickNamer()


@dataclass
class Population:
    people: list[dict]  # the true people: index = truth
    records: list[dict]  # what the units hold: "truth" is the index of the person recorded, "errors" what
    # a duplicate got wrong (empty for each person's first record)
    duplicate_rate: float  # the share of people recorded more than once
    errors: dict[str, int] = field(default_factory=dict)  # how many duplicate records carry each error

    def true_pairs(self) -> set[tuple[str, str]]:
        """Every pair of source ids that record the same person (left < right)."""
        by_truth: dict[int, list[str]] = {}
        for record in self.records:
            by_truth.setdefault(record["truth"], []).append(record["source_id"])
        return {(a, b) if a < b else (b, a) for ids in by_truth.values()
                for i, a in enumerate(ids) for b in ids[i + 1:]}


def make_population(size: int, *, seed: int, duplicate_rate: float = 0.15, today: dt.date | None = None,
                    postcode_areas: tuple[str, ...] = ("E", "N", "NW", "SE", "SW", "W", "EC", "WC"),
                    ) -> Population:
    """`size` true people, of whom `duplicate_rate` are recorded two to four times (mostly twice)."""
    rng = random.Random(seed)
    today = today or dt.date(2026, 1, 1)
    people = [new_person(rng, today, postcode_areas) for _ in range(size)]
    records, errors = [], dict.fromkeys(ERRORS, 0)
    number = 0
    for truth, person in enumerate(people):
        copies = 1 + (_extra_copies(rng) if rng.random() < duplicate_rate else 0)
        for copy in range(copies):
            number += 1
            record = dict(person, truth=truth, source_id=f"{rng.choice(UNITS)}-{number:07d}", errors=[])
            if copy:
                record = misrecorded(record, rng, postcode_areas)
                for error in record["errors"]:
                    errors[error] += 1
            records.append(record)
    rng.shuffle(records)
    counts: dict[int, int] = {}
    for record in records:
        counts[record["truth"]] = counts.get(record["truth"], 0) + 1
    return Population(people, records, sum(1 for c in counts.values() if c > 1) / max(size, 1), errors)


def _extra_copies(rng: random.Random) -> int:
    return rng.choices((1, 2, 3), weights=(80, 15, 5))[0]


def _errors_for(rng: random.Random) -> list[str]:
    kinds, weights = zip(*ERRORS.items(), strict=True)
    first = rng.choices(kinds, weights)[0]
    if rng.random() < 0.3:  # some duplicates carry two errors
        second = rng.choices(kinds, weights)[0]
        if second != first and {first, second} != {"address_moved", "address_missing"}:
            return [first, second]
    return [first]


def misrecorded(record: dict, rng: random.Random, areas: tuple[str, ...] = ("E", "N", "SE", "SW", "W")) -> dict:
    """A copy of `record` as another unit might hold it: one error, sometimes two, named in its "errors"."""
    copy = dict(record, errors=_errors_for(rng))
    for error in copy["errors"]:
        _apply(error, copy, rng, areas)
    return copy


def new_person(rng: random.Random, today: dt.date, areas: tuple[str, ...] = ("E", "N", "SE", "SW", "W"), *,
               sex: str | None = None, min_age: float = 10, mode_age: float = 24, max_age: float = 80) -> dict:
    """One fictitious person: a name from Faker's en_GB lists, a date of birth, an address."""
    sex = sex or rng.choice(("male", "female"))
    given = rng.choice(MALE if sex == "male" else FEMALE)
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUMULATIVE)[0]
    age_days = int(rng.triangular(min_age * 365.25, max_age * 365.25, mode_age * 365.25))  # mostly young adults
    born = today - dt.timedelta(days=age_days)
    return {"given_name": given, "surname": surname, "sex": sex, "date_of_birth": born.isoformat(),
            **new_address(rng, areas), "aliases": [], "fictitious": True}


def new_address(rng: random.Random, areas: tuple[str, ...] = ("E", "N", "SE", "SW", "W")) -> dict:
    street = f"{rng.choice(SURNAMES + MALE)} {rng.choice(STREET_SUFFIXES)}"
    return {"street_number": str(rng.randint(1, 240)), "address_1": street, "address_2": "", "town": "London",
            "postcode": _postcode(rng, areas)}


def _postcode(rng: random.Random, areas: tuple[str, ...]) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the inward code's letters (no C, I, K, M, O, V)
    return (f"{rng.choice(areas)}{rng.randint(1, 20)} {rng.randint(0, 9)}"
            f"{rng.choice(letters)}{rng.choice(letters)}")


def _typo(text: str, rng: random.Random) -> str:
    """One keying error: a letter dropped, doubled, swapped with the next, or replaced."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    if kind == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + rng.choice("aeiourstnl") + text[i + 1:]


def _apply(error: str, record: dict, rng: random.Random, areas: tuple[str, ...]) -> None:
    if error == "surname_typo":
        record["surname"] = _typo(record["surname"], rng)
    elif error == "given_typo":
        record["given_name"] = _typo(record["given_name"], rng)
    elif error == "nickname":
        forms = sorted(_NICKNAMES.nicknames_of(record["given_name"].lower()))
        if forms:
            record["given_name"] = rng.choice(forms).capitalize()
        else:
            record["given_name"] = _typo(record["given_name"], rng)
    elif error == "initial_only":
        record["given_name"] = record["given_name"][0]
    elif error in ("dob_transposed", "dob_digit_typo", "dob_missing") and record["date_of_birth"]:
        record["date_of_birth"] = _dob_error(error, record["date_of_birth"], rng)
    elif error == "address_moved":
        record.update(new_address(rng, areas))
    elif error == "address_missing":
        record.update(street_number="", address_1="", address_2="", town="", postcode="")
    elif error == "postcode_typo" and record["postcode"]:
        outward, inward = record["postcode"].split()
        record["postcode"] = f"{outward} {inward[0]}{inward[2]}{inward[1]}"


def _dob_error(error: str, text: str, rng: random.Random) -> str:
    if error == "dob_missing":
        return ""
    year, month, day = (int(p) for p in text.split("-"))
    if error == "dob_transposed" and day <= 12 and day != month:
        return f"{year:04d}-{day:02d}-{month:02d}"  # day and month swapped, as an American-style entry
    digits = list(f"{year:04d}{month:02d}{day:02d}")
    for _ in range(10):
        i = rng.choice((3, 5, 7))  # the last digit of the year, month or day
        candidate = digits.copy()
        candidate[i] = str(rng.randrange(10))
        try:
            return dt.date(int("".join(candidate[:4])), int("".join(candidate[4:6])),
                           int("".join(candidate[6:]))).isoformat()
        except ValueError:
            continue
    return text
