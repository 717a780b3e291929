"""The archive's search, as the rest of the site sees it: one handler between a request and the
configured engine (`archive.search.backends.backend()`).

Views, the JSON API, feeds and exports call these and nothing else:
- `SearchRequest.from_querydict(request.GET)` (archive.search.forms) never raises: bad values are
  dropped and named in `request.errors`.
- `run_search(request)` -> SearchResults: the count (and how many hold every word), hits with
  escaped <mark> snippets and the words each lacks, labelled facets, the spelling searched
  instead of a misspelt word, "did you mean", page numbers, notes.
- `search_article_ids(request, limit=...)` -> article ids in result order (feeds, exports).
- `autocomplete(prefix)` -> [{label, url, type}] for titles, authors and keywords.
- `related_articles(article)` -> public articles like this one (more-like-this).

Every search made for a request is charged to its client (`archive.security.ratelimit`): a
token before the engine is asked (`RateLimited`, a 429, when none is left) and one more per 50
rows returned, so each door that searches is limited, at a cost that grows with what it returns.

Only published pieces whose date has arrived are ever found. `SearchUnavailable` means the index
is missing or damaged (the pages answer 503); any other error is a bug and is not caught here.
"""

import datetime
import hashlib
import heapq
import logging
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy

from archive.articles import pagecache
from archive.articles.models import Article, ArticleTranslation, Author, Keyword, text_direction
from archive.search import schema
from archive.search.analysis import analyze, matching_spans
from archive.search.backends import SearchUnavailable, backend
from archive.search.forms import SearchRequest
from archive.search.highlight import snippet
from archive.search.schema import EXCERPT_CHARS
from archive.search.text import snippet_source
from archive.security import ratelimit

log = logging.getLogger("archive.search")

__all__ = [
    "SearchRequest",
    "SearchResults",
    "SearchUnavailable",
    "autocomplete",
    "clear_search_cache",
    "related_articles",
    "run_search",
    "search_article_ids",
]

FACET_LIMIT = 10
MAX_AUTOCOMPLETE_CHARS = 100
# Related ids kept beyond those shown, to stand in for pieces unpublished since they were found.
RELATED_SPARE = 3
SEARCH_CACHE_SIZE = 256


@dataclass
class SearchHit:
    pk: int
    title: str
    url: str
    authors: list
    author_slugs: list
    date: datetime.date
    kind: str
    language: str
    snippet: str  # safe HTML: escaped text with <mark> around matches
    score: float = 0.0
    missing: tuple = ()  # the query's words this piece does not hold
    translations: tuple = ()  # the title in other languages: ((language, title), ...)

    @property
    def text_direction(self):
        return text_direction(self.language)

    @property
    def reader_title(self):
        """The title in the interface's language when the piece has one (the hit shows it first,
        the original after), else None. Read when the hit is drawn: cached results serve every
        language."""
        language = get_language()
        if language == self.language:
            return None
        return next((title for code, title in self.translations if code == language), None)

    @property
    def reader_title_direction(self):
        return text_direction(get_language())

    @property
    def kind_label(self):
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def author_links(self):
        return list(zip(self.authors, self.author_slugs, strict=False))


_KIND_LABELS = dict(Article.Kind.choices)


@dataclass
class SearchResults:
    request: SearchRequest
    count: int = 0
    count_all: int | None = None  # pieces holding every word (None: not known, or not asked)
    hits: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)
    corrections: dict = field(default_factory=dict)  # {word typed: spelling searched instead}
    suggestion: str | None = None
    page: int = 1
    num_pages: int = 0
    per_page: int = 20
    notes: list = field(default_factory=list)
    page_out_of_range: bool = False
    browsing: bool = False  # nothing was asked: the latest pieces of the whole archive

    @property
    def note(self):
        return " ".join(str(note) for note in self.notes)

    @property
    def first_number(self):
        """The position of the first hit on this page (for <ol start>)."""
        return (self.page - 1) * self.per_page + 1

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def count_some(self):
        """Pieces that hold some of the words but not all."""
        return self.count - self.count_all if self.count_all is not None else None

    @property
    def corrected_query(self):
        """The query as searched, with each corrected word replaced (None when none was)."""
        if not self.corrections:
            return None
        text = self.request.q
        for typed, searched in self.corrections.items():
            text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", searched, text, count=1)
        return text

    @property
    def facet_groups(self):
        """[(name, title, items)] in the schema's order, for the page."""
        return [(f.name, f.title, self.facets.get(f.name, [])) for f in schema.FACETS]

    @property
    def selected_filters(self):
        """[(name, title, label)] of the filters applied, for the page to show and remove."""
        chosen = []
        for f in schema.FACETS:
            value = self.request.filters.get(f.name)
            if value in (None, ""):
                continue
            label = next(
                (i["label"] for i in self.facets.get(f.name, []) if str(i["value"]) == str(value)), value
            )
            chosen.append((f.name, f.title, label))
        return chosen

    def year_histogram(self):
        """[{value, label, count}] per year, oldest first (the year facet, in calendar order)."""
        return sorted(self.facets.get("year", []), key=lambda item: item["value"])


def run_search(request, *, per_page=None, browse=False):
    """A page of hits plus facets for `request`. Never raises for any user input. With `browse`,
    an empty request lists the latest pieces of the whole archive, with its facets.

    A repeated identical search (same request, same day, same index version) is answered from a
    per-process cache; treat the returned object as read-only."""
    per_page = per_page or request.page_size or settings.ARCHIVE_PAGE_SIZE
    results = SearchResults(
        request=request, per_page=per_page, page=request.page, notes=list(request.query.notes)
    )
    if request.is_empty and not browse:
        return results
    if request.query.is_empty and not request.has_filters and request.q.strip():
        results.notes.append(gettext_lazy("Nothing to search for in that query."))
        return results
    ratelimit.admit("search")
    engine = backend()
    today = timezone.localdate()
    version = engine.version()
    key = None if version is None else (version, today, per_page, browse, request.key())
    cached = _CACHE.get(key) if key is not None else None
    if cached is not None:
        ratelimit.charge("search", rows=len(cached.hits))
        return cached
    start = (request.page - 1) * per_page
    page = _read(engine.search, request, today=today, start=start, stop=start + per_page)
    loosened = request.query.loosened() if not page.count else None
    if loosened is not None:
        looser = _read(
            engine.search, request.with_query(loosened), today=today, start=start, stop=start + per_page
        )
        if looser.count:
            request, page = request.with_query(loosened), looser
            results.notes.append(loosened.notes[-1])
    results.browsing = request.is_empty
    results.count, results.count_all = page.count, page.count_all
    results.num_pages = math.ceil(page.count / per_page) if page.count else 0
    results.facets = _labelled(page.facets, request, version)
    results.corrections = page.corrections
    results.suggestion = page.suggestion
    results.notes = _unique(results.notes + page.notes)
    if results.count and request.page > results.num_pages:
        results.page_out_of_range = True
    else:
        results.hits = _hits(page.rows, page.highlight)
    if key is not None:
        _CACHE.put(key, results)
    ratelimit.charge("search", rows=len(results.hits))
    return results


def search_article_ids(request, *, limit=100):
    """Ids of the matching public articles in result order, at most `limit` (feeds, exports)."""
    if request.is_empty or (request.query.is_empty and not request.has_filters):
        return []
    ratelimit.admit("search")
    ids = _read(backend().article_ids, request, today=timezone.localdate(), limit=limit)
    loosened = request.query.loosened() if not ids else None
    if loosened is not None:
        ids = _read(
            backend().article_ids, request.with_query(loosened), today=timezone.localdate(), limit=limit
        )
    ratelimit.charge("search", rows=len(ids))
    return ids


# Errors of the database, not of the index: they propagate (a 503 during an outage, see
# archive.security.outage; a 500 for a bad query), never reported as a damaged index.
DATABASE_ERRORS = (DatabaseError, InterfaceError)


def _read(method, *args, **kwargs):
    """Call a backend read; once more on a fresh searcher when it fails. Another process's commit
    merges segments and removes files a searcher had not opened yet (stored fields, postings are
    read lazily): a fresh searcher on the new version answers. A second failure propagates:
    SearchUnavailable for an index that cannot be read, anything else as the bug it is."""
    try:
        return method(*args, **kwargs)
    except (SearchUnavailable, *DATABASE_ERRORS):
        raise
    except Exception:
        backend().forget()
    try:
        return method(*args, **kwargs)
    except (SearchUnavailable, *DATABASE_ERRORS):
        raise
    except Exception as error:
        backend().forget()
        problems = backend().damage()
        if problems:
            log.error("search failed on a damaged index: %s", " ".join(problems))
            raise SearchUnavailable(
                "The search index is damaged: " + " ".join(problems), damaged=True
            ) from error
        raise


def autocomplete(prefix, *, limit=8):
    """Titles, authors and keywords starting with `prefix` (public only): [{label, url, type}]."""
    prefix = " ".join(str(prefix or "").replace("\x00", "").split())[:MAX_AUTOCOMPLETE_CHARS]
    words = analyze(prefix, stem=False)
    if not words:
        return []
    ratelimit.admit("suggest")
    published = Article.objects.published()
    suggestions = []
    per_kind = max(1, limit // 3)
    starts = Q(name__istartswith=prefix) | Q(name__icontains=f" {prefix}")
    for author in (
        Author.objects.filter(starts)
        .filter(authorships__article__in=published)
        .distinct()
        .order_by("name")[:per_kind]
    ):
        suggestions.append({"label": author.name, "url": author.get_absolute_url(), "type": "author"})
    for keyword in (
        Keyword.objects.filter(starts).filter(articles__in=published).distinct().order_by("name")[:per_kind]
    ):
        suggestions.append({"label": keyword.name, "url": keyword.get_absolute_url(), "type": "keyword"})
    room = limit - len(suggestions)
    if room > 0:
        try:
            rows = _read(backend().titles_starting, words, today=timezone.localdate(), limit=room)
        except SearchUnavailable:
            log.warning("autocomplete without titles: the search index cannot be read")
            rows = []
        for row in rows:
            url = reverse("articles:detail", kwargs={"slug": row["slug"]})
            suggestions.append({"label": row["title"], "url": url, "type": "article"})
    return suggestions[:limit]


def related_articles(article, *, limit=5):
    """Public articles most like `article` (more-like-this), best first."""
    if article is None or article.pk is None:
        return []
    try:
        ids = _remembered_related_ids(article, limit)
    except SearchUnavailable:
        log.warning("no related pieces for article %s: the search index cannot be read", article.pk)
        return []
    found = Article.objects.published().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:limit]


def _remembered_related_ids(article, limit):
    """The ids of the pieces most like `article`, kept in the shared "pages" cache for
    ARCHIVE_RELATED_SECONDS per version of the article. Working them out costs 50-150 ms at
    100,000 articles, every worker would repeat it after every index commit, and the list need not
    follow each commit: a piece unpublished since drops out when the page is rendered (a few spare
    ids fill its place), one published since joins when the entry expires."""
    seconds = settings.ARCHIVE_RELATED_SECONDS
    wanted = limit + RELATED_SPARE
    if seconds <= 0:
        return _read(backend().related_ids, article, today=timezone.localdate(), limit=wanted) or []
    key = f"related:{article.pk}:{article.updated_at.timestamp()}:{wanted}"
    ids = pagecache.cache_get(key)
    if ids is None:
        ids = _read(backend().related_ids, article, today=timezone.localdate(), limit=wanted)
        if ids is None:  # not in the index yet: ask again on the next page view
            return []
        pagecache.cache_set(key, ids, seconds)
    return ids


def closest_articles(words, *, limit=5):
    """Public articles that best match `words` (those of a missing article's address), best first,
    for the 404 page. Their ids are kept in the shared cache for ARCHIVE_RELATED_SECONDS, as related
    pieces are: a link to a removed piece is followed again and again (by readers, by crawlers),
    and each 404 would otherwise cost a search. A piece unpublished since drops out at once."""
    wanted = limit + RELATED_SPARE
    seconds = settings.ARCHIVE_RELATED_SECONDS
    key = f"closest:{hashlib.sha256(words.encode()).hexdigest()[:32]}:{wanted}"
    ids = pagecache.cache_get(key) if seconds > 0 else None
    if ids is None:
        ids = search_article_ids(SearchRequest(q=words), limit=wanted)
        if seconds > 0:
            pagecache.cache_set(key, ids, seconds)
    found = Article.objects.published().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:limit]


# --- Rendering -------------------------------------------------------------------------------


def _labelled(facets, request, version):
    """{facet: [{value, label, count, selected}]}: the ten commonest values (every year)."""
    out = {}
    for f in schema.FACETS:
        counts = facets.get(f.name) or {}
        if f.name == "year":
            top = sorted(counts.items(), key=lambda item: int(item[0]), reverse=True)
        else:
            top = heapq.nsmallest(FACET_LIMIT, counts.items(), key=lambda item: (-item[1], item[0]))
        labels = _labels(f, [value for value, _ in top], version)
        selected = str(request.filters.get(f.name, ""))
        out[f.name] = [
            {
                "value": int(value) if f.name == "year" else value,
                "label": labels.get(value, value),
                "count": count,
                "selected": selected == str(value),
            }
            for value, count in top
        ]
    return out


_LABELS = {"version": None}
_labels_lock = threading.Lock()


def _labels(f, values, version):
    """{value: label} for facet values, remembered while the index version stays the same (a
    rename reindexes the articles, which changes the version); one query for what is new."""
    with _labels_lock:
        if version is None or _LABELS["version"] != version:
            _LABELS.clear()
            _LABELS["version"] = version
        known = _LABELS.setdefault(f.name, {})
        missing = [value for value in values if value not in known]
    if missing:
        found = f.labels(missing)
        with _labels_lock:
            known.update(found)
    return {value: known.get(value, value) for value in values}


def _hits(rows, terms):
    """SearchHits from stored fields. Snippets come from the stored excerpt; the database is read
    (one query) only for hits whose excerpt is cut short before any match while the title and
    authors do not show one either and the engine does not know the rest of the text holds none
    (a piece found by its title, or by a keyword alone, is shown with its opening)."""
    snippets, deeper = {}, []
    for row in rows:
        excerpt = row.excerpt
        if excerpt is not None:
            full = len(excerpt) >= EXCERPT_CHARS
            cut = snippet(excerpt, terms, require_match=full)
            if cut is None and (_shows_match(row, terms) or row.named_only):
                cut = snippet(excerpt, ())
            if cut is not None:
                snippets[row.pk] = cut
                continue
        deeper.append(row.pk)
    if deeper:
        for pk, abstract, body in Article.objects.filter(pk__in=deeper).values_list("pk", "abstract", "body"):
            snippets[pk] = snippet(snippet_source(abstract, body), terms)
    # The titles in other languages, in one query (the index keeps the original title only).
    translations = {}
    if rows:
        pairs = ArticleTranslation.objects.filter(article_id__in=[row.pk for row in rows])
        for pk, language, title in pairs.values_list("article_id", "language", "title"):
            translations.setdefault(pk, []).append((language, title))
    url = reverse("articles:detail", kwargs={"slug": "__slug__"})
    return [
        SearchHit(
            pk=row.pk,
            title=row.title,
            url=url.replace("__slug__", row.slug),
            authors=list(row.authors),
            author_slugs=list(row.author_slugs),
            date=row.date,
            kind=row.kind or "",
            language=row.language or "",
            snippet=snippets.get(row.pk) or mark_safe(""),
            score=row.score,
            missing=row.missing,
            translations=tuple(translations.get(row.pk, ())),
        )
        for row in rows
    ]


def _shows_match(row, terms):
    """Whether the hit's title or author names (shown above its snippet) contain a query term."""
    shown = " ".join([row.title or "", *(row.authors or ())])
    return bool(terms) and bool(matching_spans(shown, terms))


def _unique(notes):
    return list(dict.fromkeys(notes))


class _SearchCache:
    """A small per-process LRU of SearchResults, keyed by the index version among the rest: any
    index commit or generation swap changes the version, so nothing stale is ever served."""

    def __init__(self, size):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


_CACHE = _SearchCache(SEARCH_CACHE_SIZE)


def clear_search_cache():
    """Forget cached searches, and what the engine remembers per index version (corrections,
    close spellings, suggestions): benchmarks measuring uncached searches; tests."""
    _CACHE.clear()
    backend().clear_memo()
