"""The open index of a process thread: one searcher, and per-document values as numpy arrays.

Searches need, for every document of the index, its date, its filter values (for facets and
filters), whether it is deleted, and the length of each scored field. They are read once per
segment (`segments.py`) and kept by segment id, so a live write, which adds a small segment and
deletes the old version of a piece, costs only its own segment here; the arrays of the whole index
are the segments' arrays end to end, in docnum order.
"""

import contextlib
import logging
import threading
import time
from collections import OrderedDict

import numpy as np
from whoosh import index
from whoosh.searching import Searcher

from archive.search import schema
from archive.search.backends.base import SearchUnavailable
from archive.search.backends.whoosh import segments, store

log = logging.getLogger("archive.search")

OPEN_ATTEMPTS = 5
# A searcher kept open compares its generation's file sizes with the manifest again at most this
# often (seconds; a stat per file, about 0.3 ms): a file cut short under a serving process is then
# a 503 within a second, not a search read from the bytes left.
VERIFY_EVERY = 1.0


class Column:
    """A filter's values by docnum: `codes` into `values` (-1: none) for a single-valued filter;
    for a multi-valued one, document `d` has `codes[starts[d]:starts[d + 1]]` and `owners` names the
    document of each entry."""

    def __init__(self, values, codes, starts=None):
        self.values = values
        self.codes = codes
        self.starts = starts
        self.owners = None if starts is None else np.repeat(np.arange(len(starts) - 1), np.diff(starts))
        self._code = {value: code for code, value in enumerate(values)}

    def matching(self, value, size):
        """A boolean array: documents with `value`."""
        code = self._code.get(value)
        mask = np.zeros(size, dtype=bool)
        if code is None:
            return mask
        if self.starts is None:
            return self.codes == code
        mask[self.owners[self.codes == code]] = True
        return mask

    def counts(self, matched):
        """{value: number of `matched` documents with it}."""
        codes = self.codes[matched] if self.starts is None else self.codes[matched[self.owners]]
        codes = codes[codes >= 0]
        if not len(codes):
            return {}
        counted = np.bincount(codes, minlength=len(self.values))
        return {self.values[code]: int(counted[code]) for code in np.flatnonzero(counted)}

    def of(self, docnum):
        if self.starts is None:
            code = self.codes[docnum]
            return () if code < 0 else (self.values[code],)
        return tuple(self.values[c] for c in self.codes[self.starts[docnum] : self.starts[docnum + 1]])


class Live:
    """One open searcher on the live generation, plus the arrays searches read."""

    def __init__(self, name, ix):
        self.name = name
        self.ix = ix
        self.searcher = ix.searcher()
        self.verified_at = time.monotonic()
        self._reset()

    def _reset(self):
        reader = self.searcher.reader()
        self.leaves = list(reader.leaf_readers())
        for leaf, _offset in self.leaves:
            segments.hold_columns(leaf)
        self.size = reader.doc_count_all()
        self._arrays = {}

    @property
    def version(self):
        """Changes whenever the index does: (folder, generation name, Whoosh TOC generation)."""
        return (str(self.ix.storage.folder), self.name, self.searcher.reader().generation())

    def refresh(self):
        """Move to the index's latest version, keeping the open readers of unchanged segments."""
        old = self.searcher
        toc = self.ix._read_toc()
        if toc.generation == old.reader().generation():
            return
        reader = segments.reopen(self.ix, toc, old.reader())
        self.searcher = Searcher(reader, fromindex=self.ix, weighting=old.weighting)
        self._reset()

    def _joined(self, key, per_segment):
        """The arrays of every segment end to end, each segment's worked out once (by id)."""
        found = self._arrays.get(key)
        if found is None:
            parts = []
            for reader, _offset in self.leaves:
                kept = _segment_values(reader)
                part = kept.get(key)
                if part is None:
                    part = kept[key] = per_segment(reader)
                parts.append(part)
            found = self._arrays[key] = parts
        return found

    def array(self, key, per_segment, dtype):
        joined = self._arrays.get(("joined", key))
        if joined is None:
            parts = self._joined(key, per_segment)
            joined = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
            self._arrays[("joined", key)] = joined
        return joined

    @property
    def deleted(self):
        """Which documents are deleted (read for each reader: deletions change at every write)."""
        found = self._arrays.get("deleted")
        if found is None:
            parts = [segments.deleted(reader) for reader, _offset in self.leaves]
            found = self._arrays["deleted"] = np.concatenate(parts) if parts else np.zeros(0, bool)
        return found

    @property
    def dates(self):
        """YYYYMMDD of each document (0: none)."""
        return self.array("dates", _segment_dates, np.int32)

    def lengths(self, fieldname):
        return self.array(("lengths", fieldname), lambda r: segments.field_lengths(r, fieldname), np.float32)

    def doc_frequency(self, fieldname, term):
        """How many documents hold `term` in `fieldname` (deleted ones until a merge)."""
        return self._term_stat("df", fieldname, term)

    def frequency(self, fieldname, term):
        """How many times `term` occurs in `fieldname` across the index (deleted documents too)."""
        return self._term_stat("cf", fieldname, term)

    def _term_stat(self, kind, fieldname, term):
        """A term's statistic, summed over the segments, each segment's remembered as long as the
        segment lives (its counts never change: deletions count until a merge). Remembered per
        index version instead, every save made each serving thread look the query's words up in
        every segment's term table again, and more-like-this looks up hundreds of words."""
        known = self._arrays.setdefault(kind, {})
        key = (fieldname, term)
        found = known.get(key)
        if found is None:
            found = 0
            for reader, _offset in self.leaves:
                if reader.doc_count_all() < _SEGMENT_TERMS_FROM:
                    found += _segment_term_stat(reader, kind, fieldname, term)
                    continue
                kept = _segment_values(reader).setdefault((kind, fieldname), {})
                count = kept.get(term)
                if count is None:
                    if len(kept) >= _SEGMENT_TERMS_MAX:
                        kept.clear()
                    count = kept[term] = _segment_term_stat(reader, kind, fieldname, term)
                found += count
            known[key] = found
        return found

    def doc_frequencies(self, fieldname, key, terms):
        """{term: documents holding it in `fieldname`} for those of `terms()` the index holds, where
        `key` names the terms (the same key, the same terms): a word's close spellings. Each
        segment's answer is remembered while the segment lives (`per_segment`), so a new index
        version looks them up in its new segments only, and `terms` is called only then."""

        def lookup(reader):
            held = _held_terms(reader, fieldname, terms())
            found = ((term, _segment_term_stat(reader, "df", fieldname, term)) for term in held)
            return tuple((term, count) for term, count in found if count)

        totals = {}
        for part in self.per_segment(("df", fieldname, key), lookup):
            for term, count in part:
                totals[term] = totals.get(term, 0) + count
        return totals

    def per_segment(self, key, compute):
        """[compute(reader) for each segment's reader], each remembered by segment and `key` (see
        `_segment_lookup`); `compute` must not return None."""
        return [_segment_lookup(reader, key, compute) for reader, _offset in self.leaves]

    def average_length(self, fieldname):
        return self.searcher.avg_field_length(fieldname) or 1.0

    def public(self, today):
        """A boolean array: documents dated `today` (YYYYMMDD) or earlier, not deleted."""
        key = ("public", today)
        found = self._arrays.get(key)
        if found is None:
            dates = self.dates
            found = self._arrays[key] = (dates > 0) & (dates <= today) & ~self.deleted
        return found

    def column(self, f):
        """The Column of filter `f` (a schema.Filter)."""
        key = ("column", f.index_name)
        found = self._arrays.get(key)
        if found is None:
            found = self._arrays[key] = _join_columns(self._joined(key, lambda r: _segment_column(r, f)))
        return found

    def stored(self, docnum):
        return self.searcher.stored_fields(int(docnum))

    def article_ids(self, docnums):
        """The article id of each docnum: read from its stored fields the first time and kept by
        segment (a document's id never changes), so a search export of 1,000 hits does not
        unpickle 1,000 stored documents each time (28 ms)."""
        found = []
        for docnum in docnums:
            reader, offset = self.segment_of(docnum)
            local = int(docnum) - offset
            ids = _segment_ids(reader)
            article_id = int(ids[local])
            if article_id < 0:
                article_id = ids[local] = int(reader.stored_fields(local)["id"])
            found.append(article_id)
        return found

    def segment_of(self, docnum):
        """(leaf reader, offset) holding global `docnum`."""
        for reader, offset in reversed(self.leaves):
            if docnum >= offset:
                return reader, offset
        raise IndexError(docnum)


# Term statistics are remembered for segments of at least _SEGMENT_TERMS_FROM documents (the
# small ones are quick to look up and come and go with every save), up to _SEGMENT_TERMS_MAX terms
# a segment and field, beyond which the memo starts over: a worker's memory stays bounded (one
# soak with no bound and every segment remembered grew its workers by 100 MB in 8 minutes).
_SEGMENT_TERMS_FROM = 1_000
_SEGMENT_TERMS_MAX = 20_000


def _segment_term_stat(reader, kind, fieldname, term):
    try:
        if kind == "df":
            return reader.doc_frequency(fieldname, term)
        return reader.frequency(fieldname, term)
    except Exception:  # a term the field cannot encode
        return 0


# Segments of up to this many documents keep a sorted array of their terms' hashes per field
# (8 bytes a term: 50,000 terms for 1,400 documents), read once while the segment lives.
_TERM_HASHES_UP_TO = 20_000


def _held_terms(reader, fieldname, terms):
    """Those of `terms` that `reader`'s segment may hold in `fieldname` (a superset: a hash may
    collide). A misspelt or rare word's close spellings are 300-1,000 words, almost none of them
    in the index: looking each up in every segment's term table took 12 us a term and segment, 50
    ms of CPU for a new word over 10 segments, and the soak's save-to-search probe asks exactly
    that, for a new made-up word, right after each save. The array answers them all at once."""
    terms = list(terms)
    # A few terms (a common word's look-alikes) cost less looked up than a segment's array
    # read; the biggest segments rarely change, and their answers are kept per word anyway.
    if len(terms) < 50 or reader.doc_count_all() > _TERM_HASHES_UP_TO:
        return terms
    kept = _segment_values(reader)
    hashes = kept.get(("term_hashes", fieldname))
    if hashes is None:
        try:
            lexicon = reader.lexicon(fieldname) if fieldname in reader.schema else ()
            hashes = np.fromiter((hash(btext) for btext in lexicon), dtype=np.int64)
        except Exception:  # a segment that cannot list its terms: look each one up
            return terms
        hashes.sort()
        kept[("term_hashes", fieldname)] = hashes
    if not len(hashes):
        return []
    encode = reader.schema[fieldname].to_bytes
    wanted = np.empty(len(terms), dtype=np.int64)
    unencodable = np.zeros(len(terms), dtype=bool)
    for n, term in enumerate(terms):
        try:
            wanted[n] = hash(encode(term))
        except Exception:  # not a term of this field: looked up as before (and not found)
            unencodable[n] = True
    at = np.minimum(np.searchsorted(hashes, wanted), len(hashes) - 1)
    found = (hashes[at] == wanted) | unencodable
    return [term for term, present in zip(terms, found, strict=True) if present]


def _segment_dates(reader):
    dates = np.zeros(reader.doc_count_all(), dtype=np.int32)
    name = schema.DATE.name
    for text in segments.terms_of(reader, name):
        postings = segments.read_postings(reader, name, text.encode("utf-8"), with_positions=False)
        dates[postings.ids] = int(text)
    return dates


def _segment_ids(reader):
    """The article ids of a segment's documents known so far (-1: not read yet)."""
    kept = _segment_values(reader)
    ids = kept.get("article_ids")
    if ids is None:
        ids = kept.setdefault("article_ids", np.full(reader.doc_count_all(), -1, dtype=np.int64))
    return ids


def _segment_column(reader, f):
    """(values, codes, starts or None) of filter `f` in one segment."""
    size = reader.doc_count_all()
    values = segments.terms_of(reader, f.index_name)
    per_value = [
        segments.read_postings(reader, f.index_name, v.encode("utf-8"), with_positions=False).ids
        for v in values
    ]
    if not f.multi:
        codes = np.full(size, -1, dtype=np.int32)
        for code, ids in enumerate(per_value):
            codes[ids] = code
        return values, codes, None
    owners = np.concatenate(per_value) if per_value else np.zeros(0, dtype=np.int64)
    codes = (
        np.concatenate([np.full(len(ids), code, np.int32) for code, ids in enumerate(per_value)])
        if per_value
        else np.zeros(0, np.int32)
    )
    order = np.argsort(owners, kind="stable")
    starts = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners, minlength=size), out=starts[1:])
    return values, codes[order], starts


def _join_columns(parts):
    values, index = [], {}
    codes, starts, offset = [], [], 0
    multi = bool(parts) and parts[0][2] is not None
    for seg_values, seg_codes, seg_starts in parts:
        mapping = np.array([index.setdefault(v, len(index)) for v in seg_values] + [-1], dtype=np.int32)
        codes.append(mapping[seg_codes])  # -1 stays -1 (the last slot)
        if multi:
            starts.append(seg_starts[:-1] + offset)
            offset += int(seg_starts[-1])
    values = list(index)
    joined_codes = np.concatenate(codes) if codes else np.zeros(0, np.int32)
    if not multi:
        return Column(values, joined_codes)
    joined_starts = np.concatenate([*starts, np.array([offset], dtype=np.int64)])
    return Column(values, joined_codes, joined_starts)


# Per-segment arrays by segment id. A segment's documents never change, only which of them are
# deleted, but Whoosh opens a new reader for a segment whose deletions changed, and every live
# write deletes the old version of the piece it rewrites, usually in the big segment: kept on the
# reader, the arrays were lost at every save. Deleted documents keep their place; searches mask
# them out (`Live.deleted`).
_SEGMENT_VALUES = OrderedDict()  # least recently used first


# Enough for every segment of the live generation (up to store.MERGE_INLINE_AT, plus those being
# merged) and of the one a rebuild replaced: past the cap, a version change evicts entries still
# in use and every serving thread reads them again (the soak met 66 segments with a cap of 64).
_SEGMENT_VALUES_MAX = 512
_segment_values_lock = threading.Lock()


def _segment_key(reader):
    """What names a segment's documents in this process (None: not a segment on disk)."""
    segment = getattr(reader, "_segment", None)
    if segment is None:
        return None
    return (str(getattr(reader._storage, "folder", "")), segment.segment_id(), reader.doc_count_all())


def _segment_values(reader):
    key = _segment_key(reader)
    if key is None:
        return {}
    with _segment_values_lock:
        kept = _SEGMENT_VALUES.get(key)
        if kept is None:
            kept = _SEGMENT_VALUES[key] = {}
            while len(_SEGMENT_VALUES) > _SEGMENT_VALUES_MAX:  # merged-away segments, old generations
                _SEGMENT_VALUES.popitem(last=False)
        else:
            _SEGMENT_VALUES.move_to_end(key)
        return kept


# What a query's close spellings found in each segment, by (segment, what was looked up): a
# segment's terms never change, and a save adds one small segment, so every serving thread of a new
# index version looked a misspelt or made-up word's 500 single edits up again in every segment
# (20-60 ms a search). Bounded by entries, least recently used first out, shared by the threads:
# an entry is a few hundred bytes (most hold no term), so the memo stays under about 8 MB.
_SEGMENT_LOOKUPS = OrderedDict()
_SEGMENT_LOOKUPS_MAX = 20_000
_segment_lookups_lock = threading.Lock()


def _segment_lookup(reader, key, compute):
    segment = _segment_key(reader)
    if segment is None:
        return compute(reader)
    with _segment_lookups_lock:
        found = _SEGMENT_LOOKUPS.get((segment, key))
        if found is not None:
            _SEGMENT_LOOKUPS.move_to_end((segment, key))
            return found
    found = compute(reader)  # outside the lock: another thread may compute it too, harmlessly
    with _segment_lookups_lock:
        _SEGMENT_LOOKUPS[(segment, key)] = found
        while len(_SEGMENT_LOOKUPS) > _SEGMENT_LOOKUPS_MAX:
            _SEGMENT_LOOKUPS.popitem(last=False)
    return found


_local = threading.local()


def live():
    """This thread's searcher on the current generation, or None when there is no index yet."""
    name = store.current_name()
    state = getattr(_local, "live", None)
    if not name:
        return None
    path = str(store.index_dir())
    if state is not None and state.name == name and getattr(_local, "path", None) == path:
        try:
            if not state.searcher.up_to_date():
                state.refresh()
        except (OSError, index.EmptyIndexError):
            state = None
        else:
            if time.monotonic() - state.verified_at >= VERIFY_EVERY:
                _check(name)
                state.verified_at = time.monotonic()
            return state
    for attempt in range(OPEN_ATTEMPTS):
        try:
            fresh = Live(name, store.files().open_index(indexname=name, schema=store.build_schema()))
            _check(name)
            break
        except SearchUnavailable:
            raise
        except Exception as error:
            # A writer committing right now deletes the table of contents and merged segments of
            # the index version it replaces, perhaps between our reading the one and opening the
            # other: the next look finds its new version (or the generation a rebuild swapped in).
            if attempt == OPEN_ATTEMPTS - 1:
                _check(name)  # damaged files: say so
                if isinstance(error, (OSError, index.EmptyIndexError)):
                    log.warning("search index generation %s could not be opened", name)
                    return None
                raise
            time.sleep(0.02 * (attempt + 1))
            name = store.current_name() or name
    if state is not None:
        with contextlib.suppress(Exception):
            state.searcher.close()
    state = fresh
    _local.live = state
    _local.path = path
    return state


_reported = set()


def _check(name):
    """SearchUnavailable when generation `name`'s files are not what its last commit wrote (a stat
    per file, see `store.verify`): a damaged index answers 503 rather than wrong counts."""
    problems = store.verify(name)
    if problems:
        if (name, tuple(problems)) not in _reported:
            _reported.add((name, tuple(problems)))
            log.error("search index generation %s is damaged: %s", name, " ".join(problems))
        raise SearchUnavailable("The search index is damaged: " + " ".join(problems), damaged=True)


def warm():
    """Open the live index and read its per-document values now (gunicorn calls this as a worker
    starts: seconds at 100,000 articles, better spent before the first search than in it)."""
    state = live()
    if state is not None:
        _ = state.dates
        for f in schema.FILTERS:
            state.column(f)
        for f in schema.SCORED:
            state.lengths(f.name)
    return state


def forget():
    """Drop this thread's searcher (after an error, and in tests that swap index folders)."""
    state = getattr(_local, "live", None)
    if state is not None:
        with contextlib.suppress(Exception):
            state.searcher.close()
    _local.live = None
