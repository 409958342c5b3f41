"""Every main page, as the user who sees it (issue 11): every number has its thousands separators, and every table
of figures states its period in its caption.

A table whose rows are records (a list of cases, reports or files, each row with its own dates) or the facts of
one record says so with `data-rows="records"`; every other table is a table of figures. What counts as a number
without separators: four or more digits standing alone in the page's text, other than a year (1900 to 2099), a
record's id that is the whole text of its link, and the digits inside a reference, a code, a hash or a decimal
fraction (IR-2026-000123, E01000001, 51.597143), which are not quantities.
"""

import re
from html.parser import HTMLParser

from tests.browser_support import build_site, signed_in_as_each

NOT_TEXT = {"script", "style", "template", "textarea", "option", "code", "kbd", "samp", "pre"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Four or more digits, not inside a word, a reference, a code or a decimal, and not followed by a separator group.
BARE_NUMBER = re.compile(r"(?<![\w.,/#-])\d{4,}(?![\w,/-]|\.\d)")
YEAR = re.compile(r"(19|20)\d\d")
# A month (2017-07, and so a date), or a month's name with its year (July 2017, 1 Jul 2017).
PERIOD = re.compile(r"\b(19|20)\d\d-(0[1-9]|1[0-2])\b"
                    r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (19|20)\d\d\b")


class PageText(HTMLParser):
    """The text a reader sees, each piece with whether it is the whole text of a link, and each table's caption
    and `data-rows`."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.texts: list[tuple[str, bool]] = []
        self.tables: list[dict] = []
        self._link_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.open.append(tag)
        if tag == "table":
            self.tables.append({"caption": "", "rows": dict(attrs).get("data-rows"), "id": dict(attrs).get("id")})
        elif tag == "a":
            self._link_text = []

    def handle_endtag(self, tag):
        if tag not in self.open:
            return
        while self.open and self.open.pop() != tag:
            pass
        if tag == "a" and self._link_text is not None:
            text = "".join(self._link_text).strip()
            self.texts.append((text, True))
            self._link_text = None

    def handle_data(self, data):
        if NOT_TEXT & set(self.open):
            return
        if "caption" in self.open and self.tables:
            self.tables[-1]["caption"] += data
        if self._link_text is not None:
            self._link_text.append(data)
        else:
            self.texts.append((data, False))


def bare_numbers(found: PageText, path: str = "") -> list[tuple[str, str]]:
    """Each number of four or more digits shown without its separators, with its context. A number in the page's
    own address is the id of the record it shows ("Crime 4386463")."""
    own_ids = set(re.findall(r"\d+", path))
    problems = []
    for text, whole_link in found.texts:
        if whole_link and text.isdigit():
            continue  # a record's id, as the text of the link to it
        for match in BARE_NUMBER.finditer(text):
            if (len(match.group()) == 4 and YEAR.fullmatch(match.group())) or match.group() in own_ids:
                continue
            problems.append((match.group(), text[max(0, match.start() - 40):match.end() + 20].strip()))
    return problems


def tables_without_period(found: PageText) -> list[str]:
    return [f"table {t['id'] or '(no id)'} {t['caption'].strip()[:80]!r}" for t in found.tables
            if t["rows"] != "records" and not PERIOD.search(t["caption"])]


def test_period_pattern_knows_a_period_from_a_year_in_passing():
    assert PERIOD.search("Indicators, 2017-07 against 2016-07")
    assert PERIOD.search("Open actions, as of 2026-12-01")
    assert PERIOD.search("Searches in July 2017") and PERIOD.search("Asked 3 Dec 2026, 14:05")
    assert not PERIOD.search("Rates are per 1,000 residents (ONS mid-2019 estimates).")
    assert not PERIOD.search("Cases by state")


def test_bare_numbers_are_found_and_references_ids_and_years_are_not():
    found = PageText()
    found.feed('<p>12345 rows, 1,234 crimes, in 2017, report IR-2026-000123, LSOA E01000001, at 51.597143; '
               'events older than 1095 days</p><a href="/crimes/747426/">747426</a><code>27a0d6ac9334</code>')
    assert [number for number, _ in bare_numbers(found)] == ["12345", "1095"]
    assert [number for number, _ in bare_numbers(found, "/things/12345/")] == ["1095"]


def test_every_number_has_separators_and_every_table_of_figures_states_its_period(client, london, demo_file,
                                                                                   monkeypatch):
    # A short commit hash may be all digits (6248031): the pages show the code version as code, not a number.
    for module in ("vcdhub.places.actions", "vcdhub.performance.authority"):
        monkeypatch.setattr(f"{module}.code_version", lambda: "vcdhub 0.1.0 (6248031)")
    site = build_site(demo_file)
    problems = []
    for _, pages in signed_in_as_each(client, site):
        for page in pages:
            response = client.get(page.path)
            assert response.status_code == 200, (page.name, response.status_code)
            found = PageText()
            found.feed(response.content.decode())
            problems += [f"{page.name} ({page.path}): number without separators: {number} in {context!r}"
                         for number, context in bare_numbers(found, page.path)]
            problems += [f"{page.name} ({page.path}): {t} states no period (or is not data-rows=\"records\")"
                         for t in tables_without_period(found)]
    assert not problems, "\n".join(problems)
