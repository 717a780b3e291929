"""What a search engine does for the archive: the one interface both engines implement.

- `archive.search.backends.whoosh.WhooshBackend`: the built-in engine (the default), our Whoosh
  index in ARCHIVE_INDEX_DIR, ranked as `backends/whoosh/ranker.py` says.
- `archive.search.backends.haystack.HaystackBackend`: any engine Haystack speaks to (Solr,
  Elasticsearch 7, Haystack's own Whoosh), chosen by ARCHIVE_SEARCH_URL.

Callers (`archive.search.service`, `archive.search.indexing`) hold a backend from `backend()`
and never ask which one it is. Every method that reads raises `SearchUnavailable` when the index
is missing or cannot be read; any other exception is a bug and propagates.
"""

import datetime
from dataclasses import dataclass, field


class SearchUnavailable(Exception):
    """The index is missing or damaged: search cannot answer until it is repaired or rebuilt."""

    def __init__(self, message, *, damaged=False):
        super().__init__(message)
        self.damaged = damaged


class IndexLocked(Exception):
    """Another process holds the index's write lock and we were told not to wait."""


@dataclass
class Row:
    """One hit as the index stores it: what a result renders from without the database."""

    pk: int
    title: str
    slug: str
    authors: list
    author_slugs: list
    date: datetime.date
    kind: str = ""
    language: str = ""
    excerpt: str | None = None
    score: float = 0.0
    missing: tuple = ()  # labels of the ranked clauses the piece does not hold
    # True when the query's words are in the piece's title, authors and keywords only (so its
    # snippet is its opening, with no need to read the body); None when the engine cannot tell.
    named_only: bool | None = None


@dataclass
class Page:
    count: int = 0
    count_all: int | None = None  # pieces holding every ranked word; None when unknown
    rows: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)  # {filter name: {value: count}}
    highlight: frozenset = frozenset()  # index terms to mark in snippets
    corrections: dict = field(default_factory=dict)  # {word typed: spelling searched instead}
    suggestion: str | None = None  # "did you mean", for a query that finds little
    notes: list = field(default_factory=list)


class SearchBackend:
    """The interface. `request` is an `archive.search.forms.SearchRequest`; `today` a date (what
    is dated later is hidden); documents are built by `archive.search.schema`."""

    name = ""
    # Whether `rebuild` writes a whole new index beside the live one (then a catch-up of most of
    # the archive rebuilds rather than rewriting documents one batch at a time).
    builds_aside = False

    # Reading
    def search(self, request, *, today, start, stop):
        """A Page: the count, hits `start`..`stop` in order, facets."""
        raise NotImplementedError

    def article_ids(self, request, *, today, limit):
        """Article ids of the first `limit` hits, in order."""
        raise NotImplementedError

    def titles_starting(self, words, *, today, limit):
        """[{title, slug}] of public pieces whose title holds `words`, the last one as a prefix."""
        raise NotImplementedError

    def related_ids(self, article, *, today, limit):
        """Ids of the public pieces most like `article`, best first; None when the index does not
        hold `article` yet."""
        raise NotImplementedError

    def doc_count(self):
        """Documents in the index, or None when the engine does not say cheaply."""
        return None

    def version(self):
        """Something that changes whenever the index does (searches are cached under it), or None
        when the engine cannot tell (nothing is cached)."""
        return None

    # Writing
    def update(self, articles, *, delete_ids=()):
        """Write the documents of `articles` and delete `delete_ids`, in one commit."""
        raise NotImplementedError

    def rebuild(self, articles, *, progress=None):
        """Index `articles` (every indexable one) from scratch; search keeps answering meanwhile
        where the engine allows it. Returns a name for the new index, or None."""
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def merge(self, *, everything=False):
        """Merge the index's parts where the engine has any (all into one with `everything`);
        returns [(parts merged, documents kept, seconds, seconds writes were held up)]."""
        return []

    def stamps(self):
        """{article id: stamp} of every document the index holds."""
        raise NotImplementedError

    def exists(self):
        """Whether there is an index at all (`check_index --repair` creates one when not)."""
        return True

    def create(self):
        """Create an empty index if there is none."""

    def forget(self):
        """Drop what this thread holds open (after an error; tests that swap indexes)."""

    def damage(self, *, checksums=False):
        """What is wrong with the index's files, as sentences ([] when nothing, or the engine
        cannot tell); with `checksums`, every byte is compared with what its commit wrote."""
        return []

    def rebuilding(self):
        """Whether a rebuild is writing the index now (a save's own write then waits for it)."""
        return False

    def write_problems(self):
        """Why the index could not be written now (a full disk, a read-only folder), as sentences;
        [] when nothing is known to stop it."""
        return []

    def clear_memo(self):
        """Forget what is remembered per index version (benchmarks of uncached searches)."""

    def warm(self):
        """Open the index and read what searches need, before the first request."""

    def write_lock(self, *, wait=True, timeout=600):
        """A context manager that serialises writers across processes, re-entrant in a thread;
        IndexLocked when `wait` is false and another process writes. Engines that take
        concurrent writes themselves need none."""
        import contextlib

        return contextlib.nullcontext()
