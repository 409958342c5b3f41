"""Full-text search that gives the same records on PostgreSQL and SQLite.

A record model that can be searched has `search_text()`. Its words are kept in `SearchDocument`: split into
letters and digits, folded to lower case (NFC), and stemmed with Snowball's English stemmer (the algorithm
PostgreSQL's `english` configuration uses), so that "stabbed" finds "stabbing". The database then only matches
whole stemmed words: PostgreSQL through a GIN index over a stored `to_tsvector('simple', terms)` column,
SQLite through an FTS5 table. Both see the same words, so a query gives the same records on both
(tests/test_fulltext.py). No stop words are dropped: every word of a query must be in the record.

A search finds ids; the caller restricts the model's records to the user, as every read does, so a count of
results is a count of records the user may see.

>>> terms("Stabbed outside the Dog & Duck, 2 a.m.")
['stab', 'outsid', 'the', 'dog', 'duck', '2', 'a', 'm']
>>> highlight("He was stabbed near the station.", "stabbing")
'He was <mark>stabbed</mark> near the station.'
"""

import html
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL

WORD = re.compile(r"[^\W_]+")
MAX_QUERY_TERMS = 12  # words of a query that count; more narrows nothing useful and costs time
# A Snowball stemmer keeps the word it is working on in the object, so threads (the server's) each have one.
_per_thread = threading.local()


# The stemmer is pure Python (about 50 µs a word) and text repeats its words: the demo's records stem 80,000
# words of a few thousand distinct ones. Entries are short strings, so the cache stays a few megabytes.
@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    stemmer = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def _words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFC", str(text or "")).casefold())


def terms(text: str) -> list[str]:
    """The stemmed words of `text`, in order."""
    return [stem(word) for word in _words(text)]


def query_terms(query: str) -> list[str]:
    """The distinct stemmed words of a query, at most MAX_QUERY_TERMS of them."""
    return list(dict.fromkeys(terms(query[:1000])))[:MAX_QUERY_TERMS]


def label(model) -> str:
    return model._meta.label_lower


def index(objects: Iterable[Model]) -> int:
    """Write (or rewrite) the search documents of `objects`, which share one model. Returns how many."""
    from vcdhub.platform.models import SearchDocument

    objects = list(objects)
    if not objects:
        return 0
    kind = label(objects[0])
    documents = {obj.pk: " ".join(terms(obj.search_text())) for obj in objects}
    with transaction.atomic():
        SearchDocument.objects.filter(label=kind, object_id__in=list(documents)).delete()
        SearchDocument.objects.bulk_create(
            [SearchDocument(label=kind, object_id=pk, terms=words) for pk, words in documents.items()],
            batch_size=2000)
    return len(documents)


def unindex(model, ids: Iterable[int]) -> None:
    from vcdhub.platform.models import SearchDocument

    SearchDocument.objects.filter(label=label(model), object_id__in=list(ids)).delete()


def matching(queryset: QuerySet, query: str) -> QuerySet:
    """`queryset` narrowed to the records whose words hold every word of `query` (none for an empty query)."""
    from vcdhub.platform.models import SearchDocument

    words = query_terms(query)
    if not words:
        return queryset.none()
    documents = SearchDocument.objects.filter(label=label(queryset.model))
    if connection.vendor == "postgresql":
        documents = documents.extra(  # `vector`: a stored column PostgreSQL generates (migration 0004)
            where=["vector @@ plainto_tsquery('simple'::regconfig, %s)"], params=[" ".join(words)])
    else:
        match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
        documents = documents.filter(id__in=RawSQL(
            "SELECT rowid FROM platform_search_fts WHERE platform_search_fts MATCH %s", [match]))
    return queryset.filter(pk__in=documents.values("object_id"))


def highlight(text: str, query: str, *, words_around: int = 12, fragments: int = 2) -> str:
    """HTML: the parts of `text` around the words of `query`, each such word in <mark>, the rest escaped.
    The whole text (escaped) when it is short and nothing matches; "…" joins fragments."""
    text = str(text or "")
    wanted = set(query_terms(query))
    spans = [(m.start(), m.end(), stem(unicodedata.normalize("NFC", m.group()).casefold()) in wanted)
             for m in WORD.finditer(text)]
    hits = [i for i, (_, _, hit) in enumerate(spans) if hit]
    if not hits:
        cut = spans[2 * words_around][0] if len(spans) > 2 * words_around else len(text)
        return html.escape(text[:cut].strip()) + ("…" if cut < len(text) else "")
    windows: list[list[int]] = []
    for i in hits:
        start, end = max(i - words_around, 0), min(i + words_around, len(spans) - 1)
        if windows and start <= windows[-1][1] + 1:
            windows[-1][1] = max(windows[-1][1], end)
        elif len(windows) < fragments:
            windows.append([start, end])
    parts = []
    for first, last in windows:
        begin = 0 if first == 0 else spans[first][0]
        finish = len(text) if last == len(spans) - 1 else spans[last][1]
        out, at = [], begin
        for start, end, hit in spans[first:last + 1]:
            if hit:
                out.append(html.escape(text[at:start]) + "<mark>" + html.escape(text[start:end]) + "</mark>")
                at = end
        out.append(html.escape(text[at:finish]))
        parts.append(("" if begin == 0 else "…") + "".join(out).strip() + ("" if finish == len(text) else "…"))
    return " ".join(parts)
