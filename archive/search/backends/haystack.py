"""Search through Haystack's SearchQuerySet: any engine Haystack speaks to (Solr, Elasticsearch 7,
Haystack's own Whoosh), chosen by ARCHIVE_SEARCH_URL, for an archive that outgrows one machine.

The parsed query becomes `SQ` objects (user text never reaches a query parser as a string).
Plain words rank as on the built-in engine as far as Haystack can say it: pieces with every word
come first (one query for them), then pieces with some (a second query that leaves the first's
out), each by the engine's own relevance; a piece needs one of the words, not a share of them.
What only the built-in engine adds: the share of words a long query must match, proximity,
spelling corrections and close spellings, "did you mean", the words a hit lacks, and facets
counted in memory.
"""

import datetime

from haystack import connections
from haystack.constants import DEFAULT_ALIAS
from haystack.exceptions import MoreLikeThisError
from haystack.inputs import Exact
from haystack.query import SQ, SearchQuerySet

from archive.articles.models import Article
from archive.search import schema
from archive.search.analysis import analyze
from archive.search.backends.base import Page, Row, SearchBackend
from archive.search.query import PHRASE, PREFIX

ALIAS = DEFAULT_ALIAS


def _term_sq(term):
    name = term.field or "content"
    if term.kind == PREFIX:
        return SQ(**{f"{name}__startswith": term.text})
    if term.kind == PHRASE:
        return SQ(**{name: Exact(term.text)})
    return SQ(**{name: term.text})


def _clause_sq(clause):
    built = None
    for term in clause.terms:
        sq = _term_sq(term)
        built = sq if built is None else built | sq
    return built


def _all(sqs):
    built = None
    for sq in sqs:
        built = sq if built is None else built & sq
    return built


def _any(sqs):
    built = None
    for sq in sqs:
        built = sq if built is None else built | sq
    return built


def _date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _row(result):
    return Row(
        pk=int(result.pk),
        title=getattr(result, "title", "") or "",
        slug=getattr(result, "slug", "") or "",
        authors=list(getattr(result, "authors", None) or ()),
        author_slugs=list(getattr(result, "author_slugs", None) or ()),
        date=_date(result.date),
        kind=getattr(result, "kind", "") or "",
        language=getattr(result, "language", "") or "",
        excerpt=getattr(result, "excerpt", "") or "",
        score=result.score or 0.0,
    )


class HaystackBackend(SearchBackend):
    name = "archive.search.backends.haystack.HaystackBackend"

    def _haystack(self):
        connection = connections[ALIAS]
        return connection.get_backend(), connection.get_unified_index().get_index(Article)

    def _base(self, request, today):
        """Every filter of `request`, public pieces only, in date order when asked."""
        sqs = SearchQuerySet(using=ALIAS).models(Article)
        query = request.query
        for clause in query.required:
            sqs = sqs.filter(_clause_sq(clause))
        for clause in query.excluded:
            sqs = sqs.exclude(_clause_sq(clause))
        for f in schema.FILTERS:
            value = request.filters.get(f.name)
            if value not in (None, ""):
                sqs = sqs.filter(**{f"{f.index_name}_exact": Exact(str(value))})
        # Public only: scheduled pieces are indexed, and hidden until their date.
        sqs = sqs.filter(date__lte=min(today, request.date_to or today))
        if request.date_from:
            sqs = sqs.filter(date__gte=request.date_from)
        return sqs

    def _tiers(self, request, today):
        """[SearchQuerySet] whose results, one after the other, are the results in order."""
        sqs = self._base(request, today)
        ranked = [_clause_sq(clause) for clause in request.query.ranked]
        if request.sort != "relevance" or not ranked:
            if ranked:
                sqs = sqs.filter(_any(ranked))
            ordering = "date" if request.sort == "oldest" else "-date"
            if request.sort != "relevance" or not request.query.required:
                sqs = sqs.order_by(ordering)
            return [sqs], sqs
        every = _all(ranked)
        if len(ranked) == 1:
            return [sqs.filter(every)], sqs.filter(every)
        return [sqs.filter(every), sqs.filter(_any(ranked)).exclude(every)], sqs.filter(_any(ranked))

    def search(self, request, *, today, start, stop):
        page = Page(notes=list(request.query.notes))
        tiers, whole = self._tiers(request, today)
        for f in schema.FACETS:
            whole = whole.facet(f.index_name)
        counts = [tier.count() for tier in tiers]
        page.count = sum(counts)
        page.count_all = counts[0] if request.query.ranked else None
        page.rows = self._slice(tiers, counts, start, stop)
        fields = whole.facet_counts().get("fields", {}) if page.count else {}
        for f in schema.FACETS:
            pairs = fields.get(f.index_name) or fields.get(f"{f.index_name}_exact") or []
            page.facets[f.name] = {
                str(value): count for value, count in pairs if value not in (None, "") and count
            }
        page.highlight = frozenset(
            term for clause in request.query.positive for t in clause.terms for term in analyze(t.text)
        )
        return page

    def _slice(self, tiers, counts, start, stop):
        rows, offset = [], 0
        for tier, count in zip(tiers, counts, strict=True):
            low, high = max(start - offset, 0), min(stop - offset, count)
            if high > low:
                rows.extend(_row(result) for result in tier[low:high])
            offset += count
        return rows

    def article_ids(self, request, *, today, limit):
        tiers, _whole = self._tiers(request, today)
        counts = [tier.count() for tier in tiers]
        return [row.pk for row in self._slice(tiers, counts, 0, limit)]

    def titles_starting(self, words, *, today, limit):
        sqs = SearchQuerySet(using=ALIAS).models(Article).filter(date__lte=today)
        for word in words[:-1]:
            sqs = sqs.filter(title_plain=word)
        sqs = sqs.filter(title_plain__startswith=words[-1])
        return [{"title": row.title, "slug": row.slug} for row in map(_row, sqs[:limit])]

    def related_ids(self, article, *, today, limit):
        try:
            sqs = SearchQuerySet(using=ALIAS).models(Article).more_like_this(article)
            return [int(r.pk) for r in sqs[: limit * 2] if _date(r.date) <= today][:limit]
        except (MoreLikeThisError, NotImplementedError):
            return []

    def update(self, articles, *, delete_ids=()):
        backend, index = self._haystack()
        articles = list(articles)
        for n, pk in enumerate(delete_ids, 1):
            # Held until the update below (or the last removal) commits: one commit per batch.
            backend.remove(f"{Article._meta.label_lower}.{pk}", commit=not articles and n == len(delete_ids))
        if articles:
            backend.update(index, articles)

    def rebuild(self, articles, *, progress=None, count=None):
        """Rewrite every document in place (the live index keeps answering), then remove the rest."""
        batch, done, kept = [], 0, set()
        for article in articles:
            batch.append(article)
            kept.add(article.pk)
            if len(batch) >= 500:
                self.update(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done)
        if batch:
            self.update(batch)
            if progress:
                progress(done + len(batch))
        orphaned = sorted(set(self.stamps()) - kept)
        if orphaned:
            self.update([], delete_ids=orphaned)
        return None

    def clear(self):
        backend, _index = self._haystack()
        backend.clear()

    def stamps(self, *, chunk=500):
        sqs = SearchQuerySet(using=ALIAS).models(Article)
        stamps, start = {}, 0
        while True:
            page = list(sqs[start : start + chunk])
            for result in page:
                stamps[int(result.pk)] = getattr(result, "stamp", "") or ""
            if len(page) < chunk:
                return stamps
            start += chunk

    def forget(self):
        for alias in list(getattr(connections.thread_local, "connections", {})):
            del connections.thread_local.connections[alias]


def reset(connections_info=None):
    """Forget this thread's Haystack connections and read `connections_info` (default: the current
    HAYSTACK_CONNECTIONS setting). Tests that switch engines call it."""
    from django.conf import settings

    connections.connections_info = connections_info or settings.HAYSTACK_CONNECTIONS
    HaystackBackend().forget()
