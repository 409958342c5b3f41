"""How names, dates of birth, postcodes and identifiers are written down once, so that search, import and the
duplicate finder compare like with like. Plain functions, no database."""

import datetime
import re
import unicodedata

import jellyfish

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
NOT_A_NAME_CHARACTER = re.compile(r"[^a-z ]+")
EARLIEST_BIRTH_YEAR = 1900


def fold(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces: "O'Brien-Núñez" -> "obrien nunez"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("'", "").replace("\u2019", "")
    return " ".join(NOT_A_NAME_CHARACTER.sub(" ", plain).split())


def sound(text: str) -> str:
    """A phonetic code (Metaphone) of a folded name, so "Smyth" finds "Smith"."""
    folded = fold(text).replace(" ", "")
    return jellyfish.metaphone(folded)[:20] if folded else ""


def keys(given_name: str, surname: str) -> tuple[str, str, str]:
    """The search keys a name is stored with: folded given name, folded surname, surname's sound."""
    return fold(given_name)[:100], fold(surname)[:100], sound(surname)


def display(given_name: str, surname: str) -> str:
    """A name as the pages show it; "(no name recorded)" rather than an empty link."""
    name = " ".join(part for part in (given_name.strip(), surname.strip().upper()) if part)
    return name or "(no name recorded)"


def partial_date(year: int | None, month: int | None, day: int | None, estimated: bool = False) -> str:
    if not year:
        return ""
    text = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if month and day else "")
    return f"c. {text}" if estimated else text


def parse_birth_date(text: str, *, today: datetime.date | None = None) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from "YYYY-MM-DD", "YYYYMMDD", "YYYY-MM" or "YYYY"; blank gives (None, None, None).

    Raises ValueError with a message a user can act on: a date that does not exist, or one before 1900 or in
    the future, is refused, never guessed at.
    """
    text = (text or "").strip()
    if not text:
        return None, None, None
    if not text.isascii():
        raise ValueError(f"{text[:20]!r} is not a date: use YYYY-MM-DD or YYYYMMDD")
    if re.fullmatch(r"\d{8}", text):
        parts = [text[:4], text[4:6], text[6:]]
    elif re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        parts = text.split("-")
    else:
        raise ValueError(f"{text[:20]!r} is not a date: use YYYY-MM-DD or YYYYMMDD")
    numbers = [int(p) for p in parts] + [None] * (3 - len(parts))
    year, month, day = numbers
    today = today or datetime.date.today()
    if not EARLIEST_BIRTH_YEAR <= year <= today.year:
        raise ValueError(f"year {year} is not a plausible year of birth ({EARLIEST_BIRTH_YEAR} to {today.year})")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist")
    if day is not None:
        try:
            born = datetime.date(year, month, day)
        except ValueError:
            raise ValueError(f"{year:04d}-{month:02d}-{day:02d} does not exist") from None
        if born > today:
            raise ValueError(f"{born.isoformat()} is in the future")
    return year, month, day


def postcode(text: str) -> str:
    """Upper case with single spaces; a UK postcode gets its one space before the inward code ("sw1a1aa" ->
    "SW1A 1AA"). Anything else (a foreign address, a partial postcode) is kept as written, never refused."""
    squeezed = " ".join((text or "").upper().split())
    match = UK_POSTCODE.match(squeezed.replace(" ", ""))
    return f"{match.group(1)} {match.group(2)}" if match else squeezed[:16]


def identifier(text: str) -> str:
    """An identifier as stored and compared: upper case, no spaces."""
    return "".join((text or "").upper().split())
