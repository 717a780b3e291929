"""The archive's search, as the rest of the site sees it.

Views, the JSON API, feeds and exports call these functions and nothing else; none of them
touches Haystack or Whoosh. Everything public goes through the same filter: published pieces
whose date has arrived.

- `SearchParams.from_querydict(request.GET)` never raises: bad values are dropped and named in
  `params.errors`.
- `run_search(params)` -> `SearchResults` (count, hits with escaped <mark> snippets, facets,
  suggestion, page, num_pages, note).
- `search_article_ids(params, limit=...)` -> article ids in result order (feeds, exports).
- `autocomplete(prefix)` -> [{label, url, type}] for titles, authors and keywords.
- `related_articles(article)` -> public articles like this one (more-like-this).
"""

import datetime
import functools
import heapq
import logging
import math
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from itertools import chain

from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from whoosh import query as wq
from whoosh.query.compound import DefaultOr

from archive.articles import pagecache
from archive.articles.models import Article, Author, Keyword
from archive.search import connection, engine, ranking
from archive.search.analysis import analyze, matching_spans
from archive.search.backend import date_of
from archive.search.documents import EXCERPT_CHARS, html_to_text, snippet_source
from archive.search.highlight import snippet
from archive.search.query import reader_memo, translate

log = logging.getLogger("archive.search")

SORTS = ("relevance", "newest", "oldest")
FACET_NAMES = ("author", "keyword", "kind", "language", "year")

# Caps on what reaches the engine (documented in the README, "Search").
MAX_PARAM_CHARS = 200
MAX_PAGE = 500


@dataclass
class SearchParams:
    q: str = ""
    author: str = ""  # author slug
    keyword: str = ""  # keyword slug
    kind: str = ""
    language: str = ""
    year: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int | None = None  # the API's; None: ARCHIVE_PAGE_SIZE
    errors: dict = field(default_factory=dict)

    @property
    def has_filters(self):
        return bool(
            self.author
            or self.keyword
            or self.kind
            or self.language
            or self.year
            or self.date_from
            or self.date_to
        )

    @property
    def is_empty(self):
        """Nothing asked: the page shows the form only."""
        return not self.q.strip() and not self.has_filters

    @classmethod
    def from_querydict(cls, querydict):
        """Parameters from a GET query dict (or any mapping). Never raises."""
        errors = {}

        def get(name):
            try:
                value = querydict.get(name, "")
            except Exception:  # a mapping that misbehaves is treated as empty
                value = ""
            if value is None:
                return ""
            value = str(value).replace("\x00", "")
            if name != "q" and len(value) > MAX_PARAM_CHARS:
                errors[name] = "Too long."
                return ""
            return value.strip()

        params = cls(errors=errors)
        params.q = get("q")
        for name in ("author", "keyword"):
            value = get(name)
            if value and not _is_slug(value):
                errors[name] = "Not a valid slug."
                value = ""
            setattr(params, name, value)
        kind = get("kind")
        if kind and kind not in Article.Kind.values:
            errors["kind"] = "Unknown kind."
            kind = ""
        params.kind = kind
        language = get("language")
        if language and language not in Article.Language.values:
            errors["language"] = "Unknown language."
            language = ""
        params.language = language
        year = get("year")
        if year:
            if year.isascii() and year.isdigit() and 1000 <= int(year) <= 9999:
                params.year = int(year)
            else:
                errors["year"] = "Enter a four-digit year."
        for name in ("date_from", "date_to"):
            value = get(name)
            if value:
                try:
                    setattr(params, name, datetime.date.fromisoformat(value))
                except ValueError:
                    errors[name] = "Enter a date as YYYY-MM-DD."
        if params.date_from and params.date_to and params.date_from > params.date_to:
            errors["date_to"] = "The end date is before the start date."
            params.date_to = None
        sort = get("sort")
        if sort and sort not in SORTS:
            errors["sort"] = "Unknown sort order."
            sort = ""
        params.sort = sort or "relevance"
        page = get("page")
        if page:
            if page.isascii() and page.isdigit() and 1 <= int(page) <= MAX_PAGE:
                params.page = int(page)
            else:
                errors["page"] = "No such page."
        page_size = get("page_size")
        if page_size:
            if (
                page_size.isascii()
                and page_size.isdigit()
                and 1 <= int(page_size) <= settings.ARCHIVE_API_MAX_PAGE_SIZE
            ):
                params.page_size = int(page_size)
            else:
                errors["page_size"] = f"Enter a number from 1 to {settings.ARCHIVE_API_MAX_PAGE_SIZE}."
        return params

    def to_querydict(self, **overrides):
        """The parameters as a plain dict of non-empty strings (for links that change one of them)."""
        values = {
            "q": self.q,
            "author": self.author,
            "keyword": self.keyword,
            "kind": self.kind,
            "language": self.language,
            "year": self.year or "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "sort": "" if self.sort == "relevance" else self.sort,
            "page": "" if self.page == 1 else self.page,
            "page_size": self.page_size or "",
        }
        values.update(overrides)
        return {key: str(value) for key, value in values.items() if value not in ("", None)}


def _is_slug(value):
    return all(ch.isalnum() or ch in "-_" for ch in value)


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

    @property
    def text_direction(self):
        return "rtl" if self.language in Article.RTL_LANGUAGES else "ltr"

    @property
    def kind_label(self):
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def author_links(self):
        return list(zip(self.authors, self.author_slugs, strict=False))


_KIND_LABELS = dict(Article.Kind.choices)


@dataclass
class SearchResults:
    params: SearchParams
    count: int = 0
    hits: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)
    suggestion: str | None = None
    page: int = 1
    num_pages: int = 0
    per_page: int = 20
    note: str = ""
    page_out_of_range: bool = False

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

    def year_histogram(self):
        return year_histogram(self)


# Errors of the database, not of the index: they propagate (a 503 during an outage, see
# archive.security.outage; a 500 for a bad query), never reported as a damaged index.
DATABASE_ERRORS = (DatabaseError, InterfaceError)


class SearchUnavailable(Exception):
    """The index is missing or damaged: search cannot answer until `rebuild_index` (or
    `check_index --repair`) builds it again from the database."""


def run_search(params, *, per_page=None):
    """Search with `params`; a page of hits plus facets. Never raises for any user input; raises
    SearchUnavailable when the index is missing or cannot be read (or another engine fails).

    On our engine, a repeated identical search (same parameters, same day, same index version)
    is answered from a per-process cache; treat the returned object as read-only.
    """
    for attempt in range(2):
        try:
            return _run_search(params, per_page=per_page)
        except (SearchUnavailable, *DATABASE_ERRORS):
            raise  # a database outage is not the index's fault (archive.security.outage: 503)
        except Exception as error:
            engine.forget_searcher()
            if attempt == 0:
                # Another process's commit merges segments and removes files this searcher had
                # not opened yet (columns, stored fields are read lazily): a fresh searcher on the
                # new generation answers. A damaged index fails again and is reported below.
                continue
            log.exception("Search failed; the index in %s looks damaged", engine.index_dir())
            raise SearchUnavailable(f"The search index cannot be read ({type(error).__name__}).") from error
    raise AssertionError("unreachable")


def _quiet_when_unavailable(function):
    """Secondary lookups (autocomplete, related pieces, feed ids) answer nothing, logged, rather than
    breaking the page around them when the index is damaged."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except DATABASE_ERRORS:
            raise
        except Exception:
            engine.forget_searcher()  # once more on a fresh searcher (see run_search)
        try:
            return function(*args, **kwargs)
        except DATABASE_ERRORS:
            raise
        except Exception:
            engine.forget_searcher()
            log.exception("%s failed; the index in %s looks damaged", function.__name__, engine.index_dir())
            return []

    return wrapper


def _run_search(params, *, per_page=None):
    per_page = per_page or params.page_size or settings.ARCHIVE_PAGE_SIZE
    results = SearchResults(params=params, per_page=per_page, page=params.page)
    if params.is_empty:
        return results
    if not connection.uses_our_engine():
        return _run_search_generic(params, results, per_page)
    state = engine.live()
    if state is None:
        raise SearchUnavailable("The search index is missing.")
    key = (state.version, _date_int(timezone.localdate()), per_page, _params_key(params))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    _run_search_fast(state, params, results, per_page)
    _CACHE.put(key, results)
    return results


def _run_search_fast(state, params, results, per_page):
    searcher = state.searcher
    parsed = translate(params.q, searcher.reader())
    results.note = parsed.note
    if parsed.query is None and not params.has_filters:
        if params.q.strip():
            results.note = (results.note + " Nothing to search for in that query.").strip()
        return
    by_relevance = params.sort == "relevance" and parsed.query is not None
    # Pages past the last ask for no ranking beyond it (the count is exact either way).
    need = min(params.page, MAX_PAGE) * per_page
    postings = {}
    matched, ranked = _match(state, parsed, params, scored=by_relevance, need=need, postings=postings)
    results.count = len(matched)
    results.num_pages = math.ceil(results.count / per_page) if results.count else 0
    columns = state.columns()
    results.facets = _facets(matched, columns, params, state.version)
    if results.count < SUGGEST_BELOW and parsed.words:
        results.suggestion = _suggestion(searcher, params.q, parsed.words)
    if results.count and params.page > results.num_pages:
        results.page_out_of_range = True
        return
    start = (params.page - 1) * per_page
    docnums = ranked if by_relevance else _by_date(matched, columns, params.sort)
    results.hits = _hits(searcher, docnums[start : start + per_page], parsed.highlight_terms, postings)


@_quiet_when_unavailable
def search_article_ids(params, *, limit=100):
    """Ids of the matching public articles in result order, at most `limit` (feeds, exports)."""
    if params.is_empty:
        return []
    if not connection.uses_our_engine():
        text_query = connection.query_sq(params.q) if params.q.strip() else None
        if text_query is None and not params.has_filters:
            return []
        return connection.search_ids(params, timezone.localdate(), limit=limit, text_query=text_query)
    state = engine.live()
    if state is None:
        return []
    searcher = state.searcher
    parsed = translate(params.q, searcher.reader())
    if parsed.query is None and not params.has_filters:
        return []
    by_relevance = params.sort == "relevance" and parsed.query is not None
    matched, ranked = _match(state, parsed, params, scored=by_relevance, need=limit)
    docnums = (ranked if by_relevance else _by_date(matched, state.columns(), params.sort))[:limit]
    return [int(searcher.stored_fields(docnum)["id"]) for docnum in docnums]


@_quiet_when_unavailable
def autocomplete(prefix, *, limit=8):
    """Titles, authors and keywords starting with `prefix` (public only): [{label, url, type}]."""
    prefix = " ".join(str(prefix or "").replace("\x00", "").split())[:MAX_AUTOCOMPLETE_CHARS]
    words = analyze(prefix, stem=False)
    if not words:
        return []
    published = Article.objects.published()
    suggestions = []
    per_kind = max(1, limit // 3)
    for author in (
        Author.objects.filter(Q(name__istartswith=prefix) | Q(name__icontains=f" {prefix}"))
        .filter(authorships__article__in=published)
        .distinct()
        .order_by("name")[:per_kind]
    ):
        suggestions.append({"label": author.name, "url": author.get_absolute_url(), "type": "author"})
    for keyword in (
        Keyword.objects.filter(Q(name__istartswith=prefix) | Q(name__icontains=f" {prefix}"))
        .filter(articles__in=published)
        .distinct()
        .order_by("name")[:per_kind]
    ):
        suggestions.append({"label": keyword.name, "url": keyword.get_absolute_url(), "type": "keyword"})
    room = limit - len(suggestions)
    if room > 0 and not connection.uses_our_engine():
        for row in connection.title_prefix_rows(words, timezone.localdate(), limit=room):
            suggestions.append(
                {
                    "label": row["title"],
                    "url": reverse("articles:detail", kwargs={"slug": row["slug"]}),
                    "type": "article",
                }
            )
        return suggestions[:limit]
    state = engine.live()
    if state is not None and room > 0:
        searcher = state.searcher
        reader = searcher.reader()
        head = [wq.Term("title_plain", word) for word in words[:-1]]
        expansions = []
        for btext in reader.expand_prefix("title_plain", words[-1]):
            expansions.append(wq.Term("title_plain", btext.decode("utf-8")))
            if len(expansions) >= 30:
                break
        if expansions:
            q = wq.And([*head, wq.Or(expansions)])
            room = limit - len(suggestions)
            for hit in searcher.search(q, filter=_public_docnums(state), limit=room):
                suggestions.append(
                    {
                        "label": hit["title"],
                        "url": reverse("articles:detail", kwargs={"slug": hit["slug"]}),
                        "type": "article",
                    }
                )
    return suggestions[:limit]


@_quiet_when_unavailable
def related_articles(article, *, limit=5):
    """Public articles most like `article` (more-like-this), best first."""
    if article is None or article.pk is None:
        return []
    ids = _remembered_related_ids(article, limit)
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
        return _find_related_ids(article, wanted) or []
    key = f"related:{article.pk}:{article.updated_at.timestamp()}:{wanted}"
    ids = pagecache.cache_get(key)
    if ids is None:
        ids = _find_related_ids(article, wanted)
        if ids is None:  # not in the index yet: ask again on the next page view
            return []
        pagecache.cache_set(key, ids, seconds)
    return ids


def _find_related_ids(article, limit):
    """Ids best first, or None when the index does not hold `article` yet."""
    if not connection.uses_our_engine():
        return connection.related_ids(article, timezone.localdate(), limit=limit)
    state = engine.live()
    if state is None:
        return None
    return _related_ids(state, article, limit)


def _related_ids(state, article, limit):
    searcher = state.searcher
    own = searcher.document_number(id=str(article.pk))
    if own is None:
        return None
    # Key terms depend on the article's text far more than on the index's statistics, so they
    # are remembered per article version across index commits; they are the costly part.
    keyterms = _KEYTERM_CACHE.get((article.pk, article.updated_at))
    if keyterms is None:
        text = "\n".join(filter(None, (article.title, article.abstract, html_to_text(article.body))))
        try:
            keyterms = searcher.key_terms_from_text("text", text[:RELATED_SCAN_CHARS], numterms=12)
        except ZeroDivisionError:
            # Whoosh's Bo1 scoring divides by the heaviest term's weight: zero when none of the
            # text's words is in the index (an empty index, or an article not indexed yet).
            return []
        _KEYTERM_CACHE.put((article.pk, article.updated_at), keyterms)
    if not keyterms:
        return []
    # Ranked like a search (`_match`): the matching set from posting ids, then `ranking.top`
    # over it, instead of Whoosh's walk of a twelve-term Or through the whole index.
    q = DefaultOr([wq.Term("text", term, boost=weight) for term, weight in keyterms])
    matched = _docset(searcher, q) & _public_docnums(state)
    matched.discard(own)
    if not matched:
        return []
    try:
        best = ranking.top(state, q, matched, min(limit, len(matched)))
    except ranking.Unsupported:
        best = [docnum for _score, docnum in searcher.search(q, filter=matched, limit=limit).top_n]
    return [int(searcher.stored_fields(docnum)["id"]) for docnum in best]


# --- Internals -------------------------------------------------------------------------------

SUGGEST_BELOW = 3
FACET_LIMIT = 10
MAX_AUTOCOMPLETE_CHARS = 100
# The opening of a piece (title, abstract, first paragraphs) says what it is about; scanning the
# whole body for key terms cost 200 ms an article page at 10,000 articles.
RELATED_SCAN_CHARS = 6_000
# Related ids kept beyond those shown, to stand in for pieces unpublished since they were found.
RELATED_SPARE = 3


def _date_int(value):
    return int(value.strftime("%Y%m%d"))


def _public_docnums(state):
    return state.public_docnums(_date_int(timezone.localdate()))


def _filter_query(params):
    parts = []
    if params.author:
        parts.append(wq.Term("author_slug", params.author))
    if params.keyword:
        parts.append(wq.Term("keyword_slug", params.keyword))
    if params.kind:
        parts.append(wq.Term("kind", params.kind))
    if params.language:
        parts.append(wq.Term("language", params.language))
    if params.year:
        parts.append(wq.Term("year", str(params.year)))
    return parts


def _allowed(state, params):
    """Docnums the public may see, within the date range asked for."""
    public = _public_docnums(state)
    low = _date_int(params.date_from) if params.date_from else 0
    high = _date_int(params.date_to) if params.date_to else 99999999
    if low or high != 99999999:
        dates = state.columns()["date"]
        return {d for d in public if low <= dates[d] <= high}
    return public


def _match(state, parsed, params, *, scored, need, postings=None):
    """(docnums matching the query and the filters, public only; the best `need` of them ranked
    when `scored`, else None). Scheduled pieces are masked out (usually none), not filtered
    through the set of every public document.

    The set (the count, the facets, date sorts) comes from set operations on the posting ids of
    the query's required part (a phrase's from Whoosh); the ranking from `ranking.top`, Whoosh's
    BM25F scores worked out over posting blocks for those documents only (Whoosh's top-N search
    stepped its matcher tree per document: most of a search). `postings`, when given, keeps the
    posting blocks read (the snippets look at them too)."""
    parts = _filter_query(params)
    if parsed is None or parsed.query is None:
        main = required = wq.Every()
    else:
        main, required = parsed.query, parsed.required or parsed.query
    searcher = state.searcher
    excluded = set()
    if scored and type(main) is wq.AndNot:
        # Excluded words are masked out rather than matched: Whoosh's AndNot matcher let through
        # documents with the excluded word across segments ("iran OR iraq -people").
        excluded = _docset(searcher, main.b)
        main = main.a
    if params.date_from or params.date_to:
        allowed = _allowed(state, params) - excluded
        if not allowed:  # (Whoosh reads an empty filter as no filter at all)
            return set(), ([] if scored else None)
        narrowing = {"filter": allowed}
    else:
        hidden = state.hidden_docnums(_date_int(timezone.localdate())) | excluded
        narrowing = {"mask": hidden} if hidden else {}
    phrases = {}
    postings = {} if postings is None else postings
    q = wq.And([required, *parts]) if parts else required
    matched = _docset(searcher, q, phrases, postings)
    if "filter" in narrowing:
        matched &= narrowing["filter"]
    elif "mask" in narrowing:
        matched -= narrowing["mask"]
    if not scored:
        return matched, None
    if not matched or need <= 0:
        return matched, []
    q = wq.And([main, *parts]) if parts else main
    try:
        return matched, ranking.top(
            state, q, matched, min(need, len(matched)), phrases=phrases, postings=postings
        )
    except ranking.Unsupported:
        hits = searcher.search(q, limit=min(need, len(matched)), **narrowing)
        return matched, [docnum for _score, docnum in hits.top_n]


def _docset(searcher, q, phrases=None, postings=None):
    """The docnums matching `q` (deleted ones left out), with set operations on each term's
    posting ids, read a block at a time: Whoosh's own walk steps its matcher tree once per
    document in Python, which for an Or of close spellings or an And of two common words cost more
    than reading the ids. Queries other than terms, And, Or, AndNot and Every (phrases) are walked
    by Whoosh; a phrase's set is kept in `phrases` and the blocks read in `postings` when given
    (ranking needs them again)."""
    kind = type(q)  # exact types: subclasses (Ordered, FuzzyTerm...) match differently
    if kind is wq.Term:
        found = set()
        schema = searcher.schema
        if q.fieldname not in schema:
            return found
        btext = schema[q.fieldname].to_bytes(q.text)
        for reader, offset in searcher.reader().leaf_readers():
            if (q.fieldname, btext) in reader:
                for ids, _weights in ranking.posting_blocks(reader, q.fieldname, btext, postings):
                    found.update([docnum + offset for docnum in ids] if offset else ids)
        return found
    if kind is wq.And:
        found = None
        for part in sorted(q.subqueries, key=lambda part: part.estimate_size(searcher.reader())):
            found = (
                _docset(searcher, part, phrases, postings)
                if found is None
                else found & _docset(searcher, part, phrases, postings)
            )
            if not found:
                return set()
        return found if found is not None else set()
    if kind is wq.Or or kind is DefaultOr:
        return set().union(*(_docset(searcher, part, phrases, postings) for part in q.subqueries))
    if kind is wq.AndNot:
        found = _docset(searcher, q.a, phrases, postings)
        return found - _docset(searcher, q.b, phrases, postings) if found else found
    found = set(searcher.docs_for_query(q))
    if phrases is not None and kind is wq.Phrase:
        phrases[ranking.phrase_key(q)] = found
    return found


def _by_date(matched, columns, sort):
    """`matched` newest first, or oldest first for sort=oldest (ties: later indexed first)."""
    dates = columns["date"]
    if sort == "oldest":
        return sorted(matched, key=lambda d: (dates[d], d))
    return sorted(matched, key=lambda d: (-dates[d], -d))


def _facets(matched, columns, params, version=None):
    # Counted in C (Counter over map/chain), one pass per column: a Python loop per match with
    # five counter updates was a tenth of a common word's search.
    single = {"kind": "kind", "language": "language", "year": "year"}
    multi = {"author": "author_slug", "keyword": "keyword_slug"}
    counters = {}
    for name, column in single.items():
        counters[name] = Counter(map(columns[column].__getitem__, matched))
    for name, column in multi.items():
        counters[name] = Counter(chain.from_iterable(map(columns[column].__getitem__, matched)))
    return _facet_items(counters, params, version)


def _facet_items(pairs, params, version=None):
    """{facet: [{value, label, count, selected}]} from {facet: Counter or [(value, count)]}."""
    counters = {}
    for name in FACET_NAMES:
        found = pairs.get(name, ())
        counters[name] = found if isinstance(found, Counter) else Counter(dict(found))
    top_authors = _top(counters["author"])
    top_keywords = _top(counters["keyword"])
    author_names = _names(Author, [s for s, _ in top_authors], version)
    keyword_names = _names(Keyword, [s for s, _ in top_keywords], version)
    kind_labels = dict(Article.Kind.choices)
    language_labels = dict(Article.Language.choices)
    selected = {
        "author": params.author,
        "keyword": params.keyword,
        "kind": params.kind,
        "language": params.language,
        "year": str(params.year or ""),
    }

    def items(name, pairs, labels):
        return [
            {
                "value": int(value) if name == "year" else value,
                "label": labels.get(value, value),
                "count": count,
                "selected": selected[name] == value,
            }
            for value, count in pairs
            if value is not None
        ]

    return {
        "author": items("author", top_authors, author_names),
        "keyword": items("keyword", top_keywords, keyword_names),
        "kind": items("kind", _top(counters["kind"]), kind_labels),
        "language": items("language", _top(counters["language"]), language_labels),
        "year": items(
            "year", sorted(counters["year"].items(), key=lambda item: item[0] or "", reverse=True), {}
        ),
    }


_NAMES = {"version": None, Author: {}, Keyword: {}}


def _names(model, slugs, version):
    """{slug: name} for facet labels. Remembered while the index version stays the same (a
    rename reindexes the articles, which changes the version); one query for what is new."""
    if version is None or _NAMES["version"] != version:
        _NAMES.update({"version": version, Author: {}, Keyword: {}})
    known = _NAMES[model]
    missing = [slug for slug in slugs if slug not in known]
    if missing:
        found = dict(model.objects.filter(slug__in=missing).values_list("slug", "name"))
        known.update({slug: found.get(slug, slug) for slug in missing})
    return {slug: known[slug] for slug in slugs}


def _top(counter):
    # Partial sort: an archive has thousands of authors; a page shows ten.
    return heapq.nsmallest(FACET_LIMIT, counter.items(), key=lambda item: (-item[1], item[0] or ""))


def _hits(searcher, docnums, terms, postings=None):
    rows = []
    for docnum in docnums:
        fields = searcher.stored_fields(docnum)
        rows.append(
            {
                "pk": int(fields["id"]),
                "title": fields["title"],
                "slug": fields["slug"],
                "authors": fields.get("authors", []),
                "author_slugs": fields.get("author_slugs", []),
                "date": date_of(fields["date"]),
                "kind": fields.get("kind", ""),
                "language": fields.get("language", ""),
                "excerpt": fields.get("excerpt"),
                "docnum": docnum,
            }
        )

    def nothing_deeper(row):
        return ranking.only_in_named_parts(searcher, row["docnum"], terms, postings)

    return _hits_from_rows(rows, terms, nothing_deeper)


def _hits_from_rows(rows, terms, nothing_deeper=None):
    """SearchHits from stored fields. Snippets come from the stored excerpt; the database is read
    (one query) only for hits whose excerpt is missing, or cut short before any match while the
    title and authors do not show one either (a piece found by its title is shown with its
    opening: reading and scanning its whole body was most of such a search's time), and
    `nothing_deeper(row)`, when given, does not tell that the rest of the text has none."""
    snippets, deeper = {}, []
    for row in rows:
        excerpt = row.get("excerpt")
        if excerpt is not None:
            full = len(excerpt) >= EXCERPT_CHARS
            cut = snippet(excerpt, terms, require_match=full)
            if cut is None and (
                _shows_match(row, terms) or (nothing_deeper is not None and nothing_deeper(row))
            ):
                cut = snippet(excerpt, ())
            if cut is not None:
                snippets[row["pk"]] = cut
                continue
        deeper.append(row["pk"])
    if deeper:
        for pk, abstract, body in Article.objects.filter(pk__in=deeper).values_list("pk", "abstract", "body"):
            snippets[pk] = snippet(snippet_source(abstract, body), terms)
    url = reverse("articles:detail", kwargs={"slug": "__slug__"})
    return [
        SearchHit(
            pk=row["pk"],
            title=row["title"],
            url=url.replace("__slug__", row["slug"]),
            authors=list(row["authors"]),
            author_slugs=list(row["author_slugs"]),
            date=row["date"],
            kind=row["kind"] or "",
            language=row["language"] or "",
            snippet=snippets.get(row["pk"]) or mark_safe(""),
            score=row.get("score", 0.0),
        )
        for row in rows
    ]


def _shows_match(row, terms):
    """Whether the hit's title or author names (shown above its snippet) contain a query term."""
    shown = " ".join([row.get("title") or "", *(row.get("authors") or ())])
    return bool(terms) and bool(matching_spans(shown, terms))


def _run_search_generic(params, results, per_page):
    """run_search through Haystack's SearchQuerySet, for an engine other than ours."""
    parsed = translate(params.q, None)
    results.note = parsed.note
    text_query = connection.query_sq(params.q) if params.q.strip() else None
    if text_query is None and not params.has_filters:
        if params.q.strip():
            results.note = (results.note + " Nothing to search for in that query.").strip()
        return results
    start = (params.page - 1) * per_page
    page = connection.search_page(
        params, timezone.localdate(), start=start, stop=start + per_page, text_query=text_query
    )
    results.count = page.count
    results.num_pages = math.ceil(page.count / per_page) if page.count else 0
    results.facets = _facet_items(page.facets, params)
    if results.count and params.page > results.num_pages:
        results.page_out_of_range = True
        return results
    results.hits = _hits_from_rows(page.rows, parsed.highlight_terms)
    return results


def _suggestion(searcher, q, words):
    """The query with unknown words replaced by the closest word of our titles, authors, keywords."""
    corrector = searcher.corrector("suggest")
    reader = searcher.reader()
    changed = False
    suggestion = q
    for word in words[:MAX_SUGGEST_WORDS]:
        stemmed = analyze(word)
        plain = analyze(word, stem=False)
        if len(plain) != 1 or len(plain[0]) < 3 or reader.doc_frequency("text", stemmed[0]):
            continue
        memo = reader_memo(reader)
        key = ("suggest", plain[0])
        if key not in memo:
            memo[key] = corrector.suggest(plain[0], limit=1, maxdist=2, prefix=SUGGEST_PREFIX)
        found = memo[key]
        if found and found[0] != plain[0]:
            suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found[0], suggestion, count=1)
            changed = True
    return suggestion if changed else None


MAX_SUGGEST_WORDS = 6
# Suggestions share their first two letters with the word typed (as close spellings do): the walk
# through the word list stays short.
SUGGEST_PREFIX = 2


def _params_key(params):
    return (
        params.q,
        params.author,
        params.keyword,
        params.kind,
        params.language,
        params.year,
        params.date_from,
        params.date_to,
        params.sort,
        params.page,
        params.page_size,
    )


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


SEARCH_CACHE_SIZE = 256
_CACHE = _SearchCache(SEARCH_CACHE_SIZE)
_KEYTERM_CACHE = _SearchCache(4096)


def clear_search_cache():
    """Forget cached searches, and the close spellings and suggestions remembered for this
    thread's index version (benchmarks measuring uncached searches; tests)."""
    _CACHE.clear()
    _KEYTERM_CACHE.clear()
    state = getattr(engine._local, "live", None)
    if state is not None:
        reader_memo(state.searcher.reader()).clear()


def year_histogram(results):
    """[{value, label, count}] per year, oldest first (the year facet, in calendar order)."""
    return sorted(results.facets.get("year", []), key=lambda item: item["value"])
