"""The Whoosh index: schema, storage, the one writer, the per-process searcher.

Layout of `ARCHIVE_INDEX_DIR`:
- `CURRENT` names the live index generation (a Whoosh index name such as `articles_1700000000123`);
  `rebuild` writes a new generation beside the live one and swaps `CURRENT` atomically, so
  searches answer from the old generation until the new one is complete.
- `write.lock` is an OS file lock held by whoever writes (queue drains, rebuilds, repairs), so
  concurrent processes wait for each other instead of meeting Whoosh's LockError.
- Segments are written as separate files (not compound): opening a searcher maps them instead of
  copying every posting into memory.

Each thread keeps one searcher and refreshes it only when the generation or `CURRENT` changed.
"""

import contextlib
import fcntl
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from whoosh import fields, index
from whoosh.filedb.filestore import FileStorage

from archive.search import bulk
from archive.search.analysis import plain_analyzer, text_analyzer

log = logging.getLogger("archive.search")

POINTER = "CURRENT"
LOCK = "write.lock"
NAME_PREFIX = "articles_"


class IndexLocked(Exception):
    """Another process holds the write lock and we were told not to wait."""


def build_schema():
    text = text_analyzer()
    plain = plain_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        # Searched: the whole piece, and the parts field terms name.
        text=fields.TEXT(analyzer=text, phrase=True),
        title=fields.TEXT(analyzer=text, phrase=True, stored=True),
        title_plain=fields.TEXT(analyzer=plain, phrase=False),
        author=fields.TEXT(analyzer=text, phrase=True),
        keyword=fields.TEXT(analyzer=text, phrase=True),
        suggest=fields.TEXT(analyzer=plain, phrase=False),
        # Filters and facets: slugs and codes, never tokenised names.
        author_slug=fields.KEYWORD(lowercase=False, scorable=False),
        keyword_slug=fields.KEYWORD(lowercase=False, scorable=False),
        kind=fields.ID(stored=True),
        language=fields.ID(stored=True),
        year=fields.ID,
        # YYYYMMDD. Ranges are applied to the per-process date column, not with NumericRange
        # (Whoosh 2.7's trie ranges on this field matched dates outside the range).
        date=fields.ID(stored=True),
        # Stored only: what a result needs to render without the database.
        slug=fields.STORED,
        authors=fields.STORED,
        author_slugs=fields.STORED,
        # The opening of the text (abstract, then body), what snippets are cut from.
        excerpt=fields.STORED,
        stamp=fields.STORED,
    )


def index_dir():
    return Path(settings.ARCHIVE_INDEX_DIR)


def _storage(path=None):
    path = Path(path or index_dir())
    path.mkdir(parents=True, exist_ok=True)
    return FileStorage(str(path))


def current_name(path=None):
    try:
        name = (Path(path or index_dir()) / POINTER).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name or None


def _set_current(name, path=None):
    path = Path(path or index_dir())
    tmp = path / f".{POINTER}.{os.getpid()}.tmp"
    tmp.write_text(name)
    os.replace(tmp, path / POINTER)


def new_generation_name():
    return f"{NAME_PREFIX}{time.time_ns() // 1000}"


# --- Writing ---------------------------------------------------------------------------------


_held = threading.local()


@contextlib.contextmanager
def write_lock(*, wait=True, timeout=600):
    """Hold the index's write lock. Raises IndexLocked if `wait` is false and it is taken.

    Re-entrant within a thread: the queue drain holds it while the Haystack backend it writes
    through takes it again.
    """
    path = index_dir()
    key = str(path)
    held = getattr(_held, "paths", None)
    if held is None:
        held = _held.paths = {}
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    path.mkdir(parents=True, exist_ok=True)
    with open(path / LOCK, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    raise IndexLocked() from None
                if time.monotonic() > deadline:
                    raise IndexLocked() from None
                time.sleep(0.02)
        held[key] = 1
        try:
            yield
        finally:
            held[key] = 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def open_for_writing():
    """The live index, created empty if there is none. Call with the write lock held."""
    storage = _storage()
    name = current_name()
    if name and index.exists(storage, indexname=name):
        return storage.open_index(indexname=name, schema=build_schema())
    name = new_generation_name()
    ix = storage.create_index(build_schema(), indexname=name)
    _set_current(name)
    return ix


def writer_for(ix):
    # The lock file above already serialises writers; Whoosh's own lock is then always free.
    return ix.writer(limitmb=128, compound=False)


# A live write adds a segment without merging (merging rewrites older segments: most of a small
# commit's time); once the index has this many segments, the next write merges the small ones.
MERGE_AT_SEGMENTS = 8


def write_documents(*, documents, delete_ids=()):
    """Add or replace `documents` and delete `delete_ids`, in one commit. Lock must be held."""
    documents = list(documents)
    ix = open_for_writing()
    merge = len(ix._segments()) >= MERGE_AT_SEGMENTS
    writer = writer_for(ix)
    try:
        for pk in delete_ids:
            writer.delete_by_term("id", str(pk))
        for document in documents:
            writer.update_document(**document)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=merge)


def clear():
    """Replace the live index with an empty one (lock must be held)."""
    storage = _storage()
    name = new_generation_name()
    storage.create_index(build_schema(), indexname=name)
    swap_generation(name)


# Bulk builds: posting memory per writing process before Whoosh spills sorted runs to disk.
BUILD_LIMIT_MB = 384
# Below this many documents a rebuild writes in this process (starting writer processes costs more).
PARALLEL_FROM_DOCS = 2_000


def build_procs(count):
    """Writer processes for a rebuild of `count` documents (ARCHIVE_SEARCH_REBUILD_PROCS, default 1:
    more processes use Whoosh's own writer, one segment each; at 10,000 articles on 2 cores two of
    them wrote 165 docs/s, the bulk writer in one 204-240)."""
    procs = int(getattr(settings, "ARCHIVE_SEARCH_REBUILD_PROCS", None) or 1)
    return procs if count is None or count >= PARALLEL_FROM_DOCS else 1


def build_generation(documents, *, progress=None, procs=1):
    """Write `documents` into a new generation; returns its name (not yet live).

    In one process, `bulk.BulkWriter` writes the segment Whoosh's writer would, in less time.

    With `procs` > 1, Whoosh's multiprocessing writer analyses and writes in `procs` processes,
    each its own segment (`multisegment`: merging them into one would be a single-threaded pass
    as long as the build itself); this process prepares the documents meanwhile.
    """
    storage = _storage()
    name = new_generation_name()
    ix = storage.create_index(build_schema(), indexname=name)
    if procs > 1:
        writer = ix.writer(
            procs=procs, multisegment=True, batchsize=100, limitmb=BUILD_LIMIT_MB // procs, compound=False
        )
    elif bulk.supported(ix.schema):
        writer = bulk.BulkWriter(ix, limitmb=BUILD_LIMIT_MB)
    else:
        writer = ix.writer(limitmb=BUILD_LIMIT_MB, compound=False)
    try:
        for n, document in enumerate(documents, 1):
            writer.add_document(**document)
            if progress:
                progress(n)
    except BaseException:
        writer.cancel()
        _delete_generation(storage, name)
        raise
    if procs > 1:
        writer.commit()
    else:
        writer.commit(optimize=True)
    return name


def swap_generation(name):
    """Make generation `name` live. The one it replaces stays on disk until the next swap, so a
    search that opened it a moment ago finishes; anything older is removed."""
    storage = _storage()
    old = current_name()
    _set_current(name)
    for other in generations(storage):
        if other not in (name, old):
            _delete_generation(storage, other)


def generations(storage=None):
    storage = storage or _storage()
    names = set()
    for filename in storage.list():
        if filename.startswith(f"_{NAME_PREFIX}") and filename.endswith(".toc"):
            names.add(filename[1:].rsplit("_", 1)[0])
    return names


def _delete_generation(storage, name):
    for filename in storage.list():
        if filename.startswith(f"_{name}_") or filename.startswith(f"{name}_"):
            with contextlib.suppress(OSError):
                storage.delete_file(filename)


# --- Reading ---------------------------------------------------------------------------------

_local = threading.local()


class Live:
    """One open searcher plus the per-document values facets and date sorts need."""

    def __init__(self, name, ix):
        self.name = name
        self.ix = ix
        self.searcher = ix.searcher()
        self._columns = None
        self._public = None
        self._hidden = None
        self._lengths = {}

    @property
    def version(self):
        """Changes whenever the index does: (folder, generation name, Whoosh TOC generation)."""
        return (str(self.ix.storage.folder), self.name, self.searcher.reader().generation())

    def refresh(self):
        searcher = self.searcher.refresh()
        if searcher is not self.searcher:
            self.searcher = searcher
            self._columns = None
            self._public = None
            self._hidden = None
            self._lengths = {}

    def field_lengths(self, fieldname):
        """Each document's length of `fieldname` (by docnum) as Whoosh's scoring reads it, one
        column read per document: kept per segment (as the columns are), so ranking looks a
        length up in a list instead of reading the column for every document it scores."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = []
            for reader, _offset in self.searcher.reader().leaf_readers():
                own = _segment_values(reader).setdefault("lengths", {})
                values = own.get(fieldname)
                if values is None:
                    length = reader.doc_field_length
                    values = own[fieldname] = [
                        length(docnum, fieldname, 1) or 0 for docnum in range(reader.doc_count_all())
                    ]
                lengths.extend(values)
            self._lengths[fieldname] = lengths
        return lengths

    def public_docnums(self, today):
        """Docnums dated `today` (YYYYMMDD) or earlier: what the public may see."""
        if self._public is None or self._public[0] != today:
            dates = self.columns()["date"]
            self._public = (today, {docnum for docnum, date in enumerate(dates) if 0 < date <= today})
        return self._public[1]

    def hidden_docnums(self, today):
        """Live docnums the public may not see yet (dated after `today`, YYYYMMDD): usually none or
        a few, so searches mask them out instead of filtering every match through the public set."""
        if self._hidden is None or self._hidden[0] != today:
            dates = self.columns()["date"]
            reader = self.searcher.reader()
            deletions = reader.has_deletions()
            hidden = {
                docnum
                for docnum, date in enumerate(dates)
                if date > today or (date == 0 and not (deletions and reader.is_deleted(docnum)))
            }
            self._hidden = (today, hidden)
        return self._hidden[1]

    def columns(self):
        """{field: list indexed by docnum} for facet fields and the date, rebuilt on reopen from
        per-segment columns: a segment's are worked out once and kept by segment id (see
        `_segment_values`), so a live write costs only its own (small) segment here, not a walk
        of the whole index."""
        if self._columns is None:
            columns = {name: [] for name in (*_MULTI_COLUMNS, *_SINGLE_COLUMNS)}
            for reader, _offset in self.searcher.reader().leaf_readers():  # in docnum order
                kept = _segment_values(reader)
                own = kept.get("columns")
                if own is None:
                    own = kept["columns"] = _segment_columns(reader)
                for name, values in own.items():
                    columns[name].extend(values)
            self._columns = columns
            self._public = None
            self._hidden = None
        return self._columns


# Per-segment values (facet columns, field lengths) by segment id. A segment's documents never
# change, only which of them are deleted, but Whoosh opens a new reader for a segment whose
# deletions changed, and every live write deletes the old version of the piece it rewrites,
# usually in the big segment: kept on the reader, the values were lost at every save (3.5 s to
# work out again at 100,000 articles). Deleted documents keep their place in the lists; matches
# never include them.
_SEGMENT_VALUES = {}
_SEGMENT_VALUES_MAX = 64
_segment_values_lock = threading.Lock()


def _segment_values(reader):
    """The dict of values kept for `reader`'s segment (a fresh one for a reader of no segment)."""
    segment = getattr(reader, "_segment", None)
    if segment is None:
        return {}
    key = (str(getattr(reader._storage, "folder", "")), segment.segment_id(), reader.doc_count_all())
    with _segment_values_lock:
        kept = _SEGMENT_VALUES.get(key)
        if kept is None:
            if len(_SEGMENT_VALUES) >= _SEGMENT_VALUES_MAX:
                _SEGMENT_VALUES.clear()  # merged-away segments and old generations
            kept = _SEGMENT_VALUES[key] = {}
        return kept


_MULTI_COLUMNS = ("author_slug", "keyword_slug")
_SINGLE_COLUMNS = ("kind", "language", "year", "date")


def _segment_columns(reader):
    """The columns of one segment reader, indexed by its own docnums (`date` as YYYYMMDD ints)."""
    size = reader.doc_count_all()
    columns = {}
    for fieldname in _MULTI_COLUMNS:
        lists = [()] * size
        for btext in reader.lexicon(fieldname):
            value = btext.decode("utf-8")
            for docnum in reader.postings(fieldname, btext).all_ids():
                lists[docnum] = (*lists[docnum], value)
        columns[fieldname] = lists
    for fieldname in _SINGLE_COLUMNS:
        values = [None] * size
        for btext in reader.lexicon(fieldname):
            value = btext.decode("utf-8")
            for docnum in reader.postings(fieldname, btext).all_ids():
                values[docnum] = value
        columns[fieldname] = values
    columns["date"] = [int(value or 0) for value in columns["date"]]
    return columns


OPEN_ATTEMPTS = 5


def live():
    """This thread's searcher on the current generation, or None when there is no index yet."""
    name = current_name()
    state = getattr(_local, "live", None)
    if not name:
        return None
    path = str(index_dir())
    if state is not None and state.name == name and getattr(_local, "path", None) == path:
        try:
            if not state.searcher.up_to_date():
                state.refresh()
            return state
        except (OSError, index.EmptyIndexError):
            state = None
    for attempt in range(OPEN_ATTEMPTS):
        try:
            fresh = Live(name, _storage().open_index(indexname=name, schema=build_schema()))
            break
        except (OSError, index.EmptyIndexError):
            # A writer committing right now deletes the table of contents and merged segments of
            # the index version it replaces, perhaps between our reading the one and opening the
            # other: the next look finds its new version (or the generation a rebuild swapped in).
            if attempt == OPEN_ATTEMPTS - 1:
                log.warning("search index generation %s could not be opened", name)
                return None
            time.sleep(0.02 * (attempt + 1))
            name = current_name() or name
    if state is not None:
        with contextlib.suppress(Exception):
            state.searcher.close()
    state = fresh
    _local.live = state
    _local.path = path
    return state


def warm():
    """Open the live index and work out its per-segment values now (gunicorn calls this as a
    worker starts): at 100,000 articles that takes seconds, better spent before the worker's first
    search than in it. The values are kept by segment, so the worker's threads share them."""
    state = live()
    if state is not None:
        state.columns()
        for name, field in state.searcher.schema.items():
            if field.scorable:
                state.field_lengths(name)
    return state


def forget_searcher():
    """Drop this thread's searcher (tests that swap index folders)."""
    state = getattr(_local, "live", None)
    if state is not None:
        with contextlib.suppress(Exception):
            state.searcher.close()
    _local.live = None


def indexed_stamps():
    """{article id: stamp} of every document in the live index."""
    state = live()
    if state is None:
        return {}
    reader = state.searcher.reader()
    return {int(stored["id"]): stored.get("stamp", "") for _, stored in reader.iter_docs()}
