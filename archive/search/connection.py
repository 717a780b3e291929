"""The one door to Haystack's connections (outside the engine adapter itself).

- `backend_and_index()`: the configured backend and our ArticleIndex; the index queue writes
  through them, so whatever engine `HAYSTACK_CONNECTIONS` names receives every write.
- `uses_our_engine()`: whether that backend is `archive.search.backend.ArchiveWhooshEngine`
  (then `service.py` takes its fast path straight to the Whoosh searcher).
- The generic path, for any other engine: our query language turned into `SQ` objects, filters,
  facets, date order and slicing through `SearchQuerySet`. It returns plain data; `service.py`
  renders it (snippets from the stored excerpt, escaped by our highlighter).
"""

import datetime
from dataclasses import dataclass, field

from haystack import connections
from haystack.constants import DEFAULT_ALIAS
from haystack.exceptions import MoreLikeThisError
from haystack.inputs import Exact
from haystack.query import SQ, SearchQuerySet

from archive.articles.models import Article
from archive.search.query import parse

ALIAS = DEFAULT_ALIAS
FACETS = {
    "author": "author_slug",
    "keyword": "keyword_slug",
    "kind": "kind",
    "language": "language",
    "year": "year",
}


def backend_and_index():
    connection = connections[ALIAS]
    return connection.get_backend(), connection.get_unified_index().get_index(Article)


def article_index():
    return connections[ALIAS].get_unified_index().get_index(Article)


def uses_our_engine():
    from archive.search.backend import is_ours

    return is_ours(connections[ALIAS].get_backend())


def engine_name():
    """The dotted path of the configured engine (shown on the staff health page)."""
    return connections.connections_info[ALIAS]["ENGINE"]


def identifier(pk):
    """Haystack's document identifier of article `pk`."""
    return f"{Article._meta.label_lower}.{pk}"


def reset(connections_info=None):
    """Forget this thread's connections and read `connections_info` (default: the current
    HAYSTACK_CONNECTIONS setting). Tests that switch engines call it."""
    from django.conf import settings

    connections.connections_info = connections_info or settings.HAYSTACK_CONNECTIONS
    for alias in list(getattr(connections.thread_local, "connections", {})):
        del connections.thread_local.connections[alias]


def indexed_stamps(*, chunk=500):
    """{article id: stamp} of every document the configured engine holds."""
    sqs = SearchQuerySet(using=ALIAS).models(Article)
    stamps = {}
    start = 0
    while True:
        page = list(sqs[start : start + chunk])
        for result in page:
            stamps[int(result.pk)] = getattr(result, "stamp", "") or ""
        if len(page) < chunk:
            return stamps
        start += chunk


# --- The generic search path ----------------------------------------------------------------


@dataclass
class Page:
    count: int = 0
    rows: list = field(default_factory=list)  # dicts of stored fields: pk, title, slug, ...
    facets: dict = field(default_factory=dict)  # {"author": [(slug, count)], ...}


def _clause_sq(clause):
    name = clause.field or "content"
    if clause.kind == "prefix":
        return SQ(**{f"{name}__startswith": clause.text})
    if clause.kind == "phrase":
        return SQ(**{name: Exact(clause.text)})
    return SQ(**{name: clause.text})


def query_sq(text):
    """Our query language as one SQ (None when nothing searchable was asked)."""
    items, _notes = parse(text)
    groups, negatives = [], []
    joined = False
    for item in items:
        if item == "OR":
            joined = True
            continue
        built = _clause_sq(item)
        if item.negated:
            negatives.append(built)
        elif joined and groups:
            groups[-1] = groups[-1] | built
        else:
            groups.append(built)
        joined = False
    combined = None
    for group in groups:
        combined = group if combined is None else combined & group
    for negative in negatives:
        combined = ~negative if combined is None else combined & ~negative
    return combined


def _queryset(params, today, *, text_query):
    sqs = SearchQuerySet(using=ALIAS).models(Article)
    if text_query is not None:
        sqs = sqs.filter(text_query)
    if params.author:
        sqs = sqs.filter(author_slug_exact=Exact(params.author))
    if params.keyword:
        sqs = sqs.filter(keyword_slug_exact=Exact(params.keyword))
    if params.kind:
        sqs = sqs.filter(kind_exact=Exact(params.kind))
    if params.language:
        sqs = sqs.filter(language_exact=Exact(params.language))
    if params.year:
        sqs = sqs.filter(year_exact=Exact(str(params.year)))
    # Public only: scheduled pieces are indexed, and hidden until their date.
    sqs = sqs.filter(date__lte=min(today, params.date_to or today))
    if params.date_from:
        sqs = sqs.filter(date__gte=params.date_from)
    if params.sort == "newest" or (params.sort == "relevance" and text_query is None):
        sqs = sqs.order_by("-date")
    elif params.sort == "oldest":
        sqs = sqs.order_by("date")
    return sqs


def _row(result):
    date = result.date
    if isinstance(date, datetime.datetime):
        date = date.date()
    return {
        "pk": int(result.pk),
        "title": getattr(result, "title", ""),
        "slug": getattr(result, "slug", ""),
        "authors": list(getattr(result, "authors", None) or ()),
        "author_slugs": list(getattr(result, "author_slugs", None) or ()),
        "date": date,
        "kind": getattr(result, "kind", ""),
        "language": getattr(result, "language", ""),
        "excerpt": getattr(result, "excerpt", "") or "",
        "score": result.score or 0.0,
    }


def search_page(params, today, *, start, stop, text_query):
    """One page of the search through SearchQuerySet, with facet counts."""
    sqs = _queryset(params, today, text_query=text_query)
    for name in FACETS.values():
        sqs = sqs.facet(name)
    rows = [_row(result) for result in sqs[start:stop]]
    counts = sqs.facet_counts().get("fields", {})
    facets = {}
    for name, fieldname in FACETS.items():
        pairs = counts.get(fieldname) or counts.get(f"{fieldname}_exact") or []
        facets[name] = [(str(value), count) for value, count in pairs if value not in (None, "") and count]
    return Page(count=sqs.count(), rows=rows, facets=facets)


def search_ids(params, today, *, limit, text_query):
    sqs = _queryset(params, today, text_query=text_query)
    return [int(result.pk) for result in sqs[:limit]]


def title_prefix_rows(words, today, *, limit):
    """Public articles whose title has all of `words`, the last one as a prefix (autocomplete)."""
    sqs = SearchQuerySet(using=ALIAS).models(Article).filter(date__lte=today)
    for word in words[:-1]:
        sqs = sqs.filter(title_plain=word)
    sqs = sqs.filter(title_plain__startswith=words[-1])
    return [_row(result) for result in sqs[:limit]]


def related_ids(article, today, *, limit):
    """More-like-this through the engine, when it offers it."""
    try:
        sqs = SearchQuerySet(using=ALIAS).models(Article).more_like_this(article)
        return [int(result.pk) for result in sqs[: limit * 2] if _row(result)["date"] <= today][:limit]
    except (MoreLikeThisError, NotImplementedError):
        return []
