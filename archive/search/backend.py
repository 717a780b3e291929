"""Our Whoosh index as a Haystack engine: `archive.search.backend.ArchiveWhooshEngine`.

Named in `HAYSTACK_CONNECTIONS`, it lets Haystack (and anything written against Haystack's API:
`SearchQuerySet`, `backend.update()`/`remove()`/`clear()`) use the index `engine.py` keeps: our
schema and analyzer, generations swapped on rebuild, one file lock for writers, one searcher
per thread. Other Haystack engines (Solr, Elasticsearch, Haystack's own Whoosh) take its place by
configuration; `service.py` then searches through `SearchQuerySet` instead of its fast path.

- `update(index, objects)` prepares each object with the SearchIndex (`full_prepare`) and writes
  it under the write lock; `remove(obj_or_identifier)` deletes. With `commit=False` both are held
  until the next call with `commit=True`, and then go to the index in one Whoosh commit.
- `search(query)` takes the Whoosh query object `ArchiveSearchQuery` builds from a
  `SearchQuerySet`'s filters (user text in `content`/`auto_query` goes through our query
  language, `query.translate`), or a string in our query language. It supports slicing,
  `order_by("date"/"-date")` (relevance otherwise), `facet()` on the filter fields, and counts.
"""

import datetime
import logging

from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery, SearchNode, log_query
from haystack.constants import DJANGO_ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.inputs import Exact
from haystack.models import SearchResult
from whoosh import query as wq

from archive.search import engine
from archive.search.analysis import analyze
from archive.search.query import Clause, ParsedQuery, _prefix_query, translate

log = logging.getLogger("archive.search")

# Index fields our engine stores as codes (exact terms), and the analysed text fields.
EXACT_FIELDS = {"kind", "language", "year", "author_slug", "keyword_slug", "id"}
TEXT_FIELDS = {"text", "title", "author", "keyword", "title_plain", "suggest"}
FACET_FIELDS = {"kind", "language", "year", "author_slug", "keyword_slug"}


def engine_document(prepared):
    """Our Whoosh document from a SearchIndex's `full_prepare()` output."""

    def words(name):
        return " ".join(prepared.get(name) or ())

    date = prepared["date"]
    return {
        "id": str(prepared[DJANGO_ID]),
        "text": prepared.get("text") or "",
        "title": prepared.get("title") or "",
        "title_plain": prepared.get("title_plain") or "",
        "author": prepared.get("author") or "",
        "keyword": prepared.get("keyword") or "",
        "suggest": prepared.get("suggest") or "",
        "author_slug": words("author_slug"),
        "keyword_slug": words("keyword_slug"),
        "kind": prepared.get("kind") or "",
        "language": prepared.get("language") or "",
        "year": str(prepared.get("year") or date.year),
        "date": date.strftime("%Y%m%d"),
        "slug": prepared.get("slug") or "",
        "authors": list(prepared.get("authors") or ()),
        "author_slugs": list(prepared.get("author_slugs") or ()),
        "excerpt": prepared.get("excerpt") or "",
        "stamp": prepared.get("stamp") or "",
    }


def document_pk(obj_or_string):
    """The article id of a model instance, an identifier "articles.article.5", or a plain id."""
    if hasattr(obj_or_string, "pk"):
        return int(obj_or_string.pk)
    return int(str(obj_or_string).rsplit(".", 1)[-1])


def date_of(value):
    """A date from a stored YYYYMMDD string."""
    value = int(value)
    return datetime.date(value // 10000, value // 100 % 100, value % 100)


class ArchiveWhooshBackend(BaseSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self._documents = []
        self._removals = []

    # --- Writing -----------------------------------------------------------------------------

    def update(self, index, iterable, commit=True):
        for obj in iterable:
            try:
                self._documents.append(engine_document(index.full_prepare(obj)))
            except SkipDocument:
                continue
            except Exception:
                # Keep whatever the index had; check_index reports it as stale and repairs it.
                log.exception("could not build the index document of article %s", getattr(obj, "pk", obj))
        if commit:
            self.commit()

    def remove(self, obj_or_string, commit=True):
        self._removals.append(document_pk(obj_or_string))
        if commit:
            self.commit()

    def commit(self):
        """Write what `update`/`remove` hold, in one Whoosh commit under the write lock."""
        documents, removals = self._documents, self._removals
        self._documents, self._removals = [], []
        if documents or removals:
            with engine.write_lock(wait=True):
                engine.write_documents(documents=documents, delete_ids=removals)

    def clear(self, models=None, commit=True):
        with engine.write_lock(wait=True):
            engine.clear()

    # --- Reading -----------------------------------------------------------------------------

    @log_query
    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        facets=None,
        narrow_queries=None,
        result_class=None,
        **kwargs,
    ):
        state = engine.live()
        if state is None:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}
        searcher = state.searcher
        q = query_string
        if isinstance(q, str):
            q = wq.Every() if q.strip() in ("", "*") else translate(q, searcher.reader()).query
        for narrow in narrow_queries or ():
            extra = translate(narrow, searcher.reader()).query if isinstance(narrow, str) else narrow
            if extra is not None and q is not None:
                q = wq.And([q, extra])
        if q is None:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}
        matched = set(searcher.docs_for_query(q))
        columns = state.columns()
        facet_counts = {"fields": {}, "dates": {}, "queries": {}}
        for name in facets or ():
            field = name.removesuffix("_exact")
            if field not in FACET_FIELDS:
                raise SearchBackendError(f"Cannot facet on {name!r}; facets: {sorted(FACET_FIELDS)}.")
            counts = {}
            column = columns[field]
            for docnum in matched:
                values = column[docnum]
                for value in values if isinstance(values, tuple) else (values,):
                    if value is not None:
                        counts[value] = counts.get(value, 0) + 1
            facet_counts["fields"][name] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        end = len(matched) if end_offset is None else min(end_offset, len(matched))
        start = start_offset or 0
        scores = {}
        if sort_by:
            if [key.lstrip("-") for key in sort_by] != ["date"]:
                raise SearchBackendError("This engine sorts by relevance, `date` or `-date` only.")
            dates = columns["date"]
            newest = sort_by[0].startswith("-")
            ordered = sorted(
                matched, key=(lambda d: (-dates[d], -d)) if newest else (lambda d: (dates[d], d))
            )
        elif end > start:
            hits = searcher.search(q, filter=matched, limit=end)
            ordered = [hit.docnum for hit in hits]
            scores = {hit.docnum: hit.score for hit in hits}
        else:
            ordered = []
        result_class = result_class or SearchResult
        results = []
        for docnum in ordered[start:end]:
            stored = dict(searcher.stored_fields(docnum))
            pk = stored.pop("id")
            if "date" in stored:
                stored["date"] = date_of(stored["date"])
            results.append(result_class("articles", "article", pk, scores.get(docnum, 0.0), **stored))
        return {
            "results": results,
            "hits": len(matched),
            "facets": facet_counts if facets else {},
            "spelling_suggestion": None,
        }

    def build_schema(self, fields):
        return "text", engine.build_schema()


class ArchiveSearchQuery(BaseSearchQuery):
    """Builds a Whoosh query object from a SearchQuerySet's filters; user text never reaches a
    query parser (words go through `query.translate`, values become terms)."""

    def build_query(self):
        q = self._node(self.query_filter, negated=False)
        return wq.Every() if q is None else q

    def _node(self, node, *, negated):
        negated = negated != bool(node.negated)
        parts = []
        for child in node.children:
            if isinstance(child, SearchNode):
                built = self._node(child, negated=negated)
            else:
                expression, value = child
                field, filter_type = node.split_expression(expression)
                built = self._leaf(field, filter_type, value, negated=negated)
            if built is not None:
                parts.append(built)
        if not parts:
            return None
        q = parts[0] if len(parts) == 1 else (wq.Or(parts) if node.connector == "OR" else wq.And(parts))
        return wq.Not(q) if node.negated else q

    def _leaf(self, field, filter_type, value, *, negated):
        field = "text" if field == "content" else field.removesuffix("_exact")
        if field == "date":
            return _date_query(filter_type, value)
        if field in EXACT_FIELDS:
            values = value if filter_type == "in" else [value]
            terms = [wq.Term(field, str(getattr(v, "query_string", v))) for v in values]
            return terms[0] if len(terms) == 1 else wq.Or(terms)
        if field not in TEXT_FIELDS:
            raise SearchBackendError(f"Unknown search field {field!r}.")
        text = str(getattr(value, "query_string", value))
        reader = _reader()
        if filter_type == "startswith":
            return _prefix_query(Clause("prefix", text, field), reader, ParsedQuery())
        if isinstance(value, Exact) or filter_type == "exact":
            terms = analyze(text)
            if not terms:
                return None
            return wq.Term(field, terms[0]) if len(terms) == 1 else wq.Phrase(field, terms)
        if field == "text":
            # Excluded words do not take close spellings along with them.
            return translate(text, reader, fuzzy=not negated).query
        terms = analyze(text)
        return wq.And([wq.Term(field, term) for term in terms]) if terms else None

    def clean(self, query_fragment):
        return query_fragment


def _reader():
    state = engine.live()
    return state.searcher.reader() if state is not None else None


def _date_query(filter_type, value):
    def key(day):
        return day.strftime("%Y%m%d")

    if filter_type in ("exact", "content"):
        return wq.Term("date", key(value))
    if filter_type == "range":
        return wq.TermRange("date", key(value[0]), key(value[1]))
    if filter_type in ("gt", "gte"):
        return wq.TermRange("date", key(value), None, startexcl=filter_type == "gt")
    if filter_type in ("lt", "lte"):
        return wq.TermRange("date", None, key(value), endexcl=filter_type == "lt")
    raise SearchBackendError(f"Unsupported date filter {filter_type!r}.")


class ArchiveWhooshEngine(BaseEngine):
    backend = ArchiveWhooshBackend
    query = ArchiveSearchQuery


def is_ours(backend):
    """True when the configured Haystack backend is our Whoosh engine (service.py's fast path)."""
    return isinstance(backend, ArchiveWhooshBackend)
