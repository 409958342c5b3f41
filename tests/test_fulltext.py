"""Full-text search: the same records on PostgreSQL and SQLite (this module runs on both, against result sets
written down by hand), stemming, every word required, counts of only what the user may see, and snippets that
escape what they quote."""

import pytest

from tests.conftest import make_persona
from tests.intel.factories import make_report
from tests.kit import client_for
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.intel.models import Report
from vcdhub.people.models import PersonName
from vcdhub.platform import fulltext

pytestmark = pytest.mark.django_db

CORPUS = {
    "stabbing": "A man was stabbed outside the Dog and Duck at 2 a.m.; the knife was not found.",
    "knives": "Knives are kept under the floorboards at a flat on Acre Lane.",
    "moped": "Two youths on a moped snatched phones on Brixton Road; one wore a red helmet.",
    "cafe": "Drugs are sold from the café on Coldharbour Lane after dark.",
    "gang": "The gang's leader, known as 'Tiny', carries a firearm.",
    "car": "Vehicle AB12 CDE seen collecting cash; phone 07700 900123 used to arrange it.",
}
# query -> the documents it must find: written by hand, not computed by the code under test
EXPECTED = {
    "stab": {"stabbing"},
    "stabbing knife": {"stabbing"},
    "knife": {"stabbing"},  # Snowball stems "knives" to "knive", not "knife"
    "kept flat": {"knives"},
    "moped phone": {"moped"},
    "phones": {"moped", "car"},
    "café": {"cafe"},
    "cafe": set(),  # diacritics are kept, as PostgreSQL's simple configuration keeps them
    "Lane": {"knives", "cafe"},
    "gang": {"gang"},
    "gangs": {"gang"},
    "tiny firearm": {"gang"},
    "ab12": {"car"},
    "07700": {"car"},
    "the": {"stabbing", "knives", "cafe", "gang"},  # no stop words are dropped
    "helmet knife": set(),
    "": set(),
    "!!! ???": set(),
    'knife" OR "moped': set(),  # not syntax: "knife", "or" and "moped" must all be there
}


@pytest.fixture
def corpus(london):
    made = {}
    for number, (name, text) in enumerate(CORPUS.items()):
        made[name] = make_report("vcd-analysts", "OFFICIAL", text=text, reference=f"FT-{number}")
    return made


def test_knives_and_knife_stem_apart_as_snowball_stems_them():
    # Snowball English (PostgreSQL's english_stem) leaves "knives" as "knive": the EXPECTED sets say so.
    assert fulltext.terms("knife knives") == ["knife", "knive"]


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_a_query_finds_the_same_records_on_either_database(corpus, query):
    found = fulltext.matching(Report.objects.all(), query)
    names = {name for name, report in corpus.items() if report in found}
    assert names == EXPECTED[query], query


def test_a_record_is_found_by_its_new_words_once_changed_and_not_once_deleted(corpus):
    report = corpus["moped"]
    with acting_as("test"):
        report.text = "Bicycle thefts at the station."
        report.save()
    assert not fulltext.matching(Report.objects.all(), "moped").exists()
    assert fulltext.matching(Report.objects.all(), "bicycle").get() == report
    with acting_as("test"):
        report.delete()
    assert not fulltext.matching(Report.objects.all(), "bicycle").exists()


def test_an_alias_finds_its_person(london):
    person = make_person("vcd-analysts", "OFFICIAL")
    from vcdhub.people import actions

    user = make_persona("vcd_analyst")
    with acting_as("test", user=user):
        actions.add_name(user, person, kind="alias", given_name="Tiny", surname="Marchetti")
    assert PersonName.objects.filter(person=person).exists()
    from vcdhub.people.models import Person

    assert list(fulltext.matching(Person.objects.all(), "marchetti")) == [person]


def test_the_search_page_counts_and_shows_only_what_the_user_may_see(london):
    hidden = make_report("csu", "OFFICIAL-SENSITIVE", text="Machete hidden in the garden shed.")
    shown = make_report("vcd-analysts", "OFFICIAL", text="A machete was waved at the bus stop.")
    csu = client_for(make_persona("csu_investigator"))
    compass = client_for(make_persona("compass_officer"))
    page = compass.get("/intel/search/", {"q": "machete"}).content.decode()
    assert "Intelligence reports: 1<" in page and shown.reference in page and hidden.reference not in page
    assert "garden shed" not in page
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    page = csu.get("/intel/search/", {"q": "machete"}).content.decode()
    assert "Intelligence reports: 2<" in page and "<mark>Machete</mark>" in page
    assert AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.READ, object_id=str(hidden.pk),
                                     action="search").exists()
    assert make_persona("authority_member") and client_for(make_persona("authority_member")).get(
        "/intel/search/", {"q": "machete"}).status_code == 403


def test_a_snippet_escapes_the_text_it_quotes():
    snippet = fulltext.highlight('<script>alert("knife")</script> a knife & a <b>gun</b>', "knife")
    assert "<script>" not in snippet and "<b>" not in snippet
    assert snippet.count("<mark>knife</mark>") == 2 and "&amp;" in snippet


def test_the_search_index_command_rebuilds_what_a_bulk_load_left_out(london):
    import io

    from django.core.management import call_command

    from vcdhub.platform.models import SearchDocument

    report = make_report("vcd-analysts", "OFFICIAL", text="A crossbow kept in the shed.")
    SearchDocument.objects.all().delete()  # as after a bulk load, or on a database from before search
    assert not fulltext.matching(Report.objects.all(), "crossbow").exists()
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert fulltext.matching(Report.objects.all(), "crossbow").get() == report
    assert "intel.report: 1 indexed" in out.getvalue()


def test_a_count_stops_at_the_cap_and_says_so(london, monkeypatch):
    from vcdhub.intel import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    hidden = [make_report("csu", "OFFICIAL-SENSITIVE", text="A taser in the van.") for _ in range(3)]
    for _ in range(3):
        make_report("vcd-analysts", "OFFICIAL", text="A taser in the car.")
    compass = make_persona("compass_officer")
    with acting_as("test", user=compass):
        part = search.reports_part(compass, "taser")
    assert (part.count, part.capped, len(part.hits)) == (3, False, 3)  # the CSU's three are not counted
    make_report("vcd-analysts", "OFFICIAL", text="Another taser.")
    with acting_as("test", user=compass):
        part = search.reports_part(compass, "taser")
    assert (part.count, part.capped) == (3, True)
    page = client_for(compass).get("/intel/search/", {"q": "taser"}).content.decode()
    assert "Intelligence reports: 3 or more<" in page
    assert all(r.reference not in page for r in hidden)


@pytest.mark.django_db(False)
def test_threads_stemming_at_once_each_get_the_right_stems():
    """The server stems queries and records on several threads. A Snowball stemmer object holds the word it is
    working on, so one shared between threads gave wrong stems and IndexErrors (seen with four threads)."""
    import sys
    import threading

    import snowballstemmer

    bases = ["stab", "run", "knife", "robber", "walk", "carry", "threat", "happy", "connect", "general"]
    endings = ["", "s", "ed", "ing", "ness", "ly", "ational", "fulness", "iveness", "ement"]
    words = [f"{base}{ending}{'x' * n}" for base in bases for ending in endings for n in range(40)]
    reference = snowballstemmer.stemmer("english")
    expected = {word: reference.stemWord(word) for word in words}
    fulltext.stem.cache_clear()  # every word reaches a stemmer, not the cache
    wrong: list[str] = []
    failures: list[BaseException] = []

    def stem_all(share: list[str]) -> None:
        try:
            wrong.extend(word for word in share if fulltext.stem(word) != expected[word])
        except BaseException as exc:  # an IndexError inside the stemmer is the failure seen
            failures.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=stem_all, args=(words[i::4],)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
        fulltext.stem.cache_clear()
    assert not failures
    assert not wrong
