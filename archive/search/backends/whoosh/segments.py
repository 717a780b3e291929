"""Reading Whoosh 2.7.4 segments a block at a time, into numpy arrays.

Whoosh's matchers step one posting at a time in Python, and read a document's field length from
a column one document at a time: most of a search's time. Here a term's postings are read whole,
one block (up to 128 postings) at a time, into arrays of document numbers and frequencies; a
field's lengths are read in one piece; positions are decoded only for the postings that ask.

This relies on the W3 codec of Whoosh 2.7.4 (the last Whoosh release, pinned in
requirements.txt): a posting block is a pickled (ids, weights, values) tuple with delta-coded ids
(`W3LeafMatcher._read_data`), a Positions value is `pack_uint(count) + pickle(deltas)`, and field
lengths are a one-byte-per-document column (`_<field>_len`). Anything else (inline postings of
rare terms, another codec) is read through Whoosh's public API. `tests/search/whoosh/` checks
every function here against Whoosh's own reading.
"""

import contextlib
import copy
import pickle
from itertools import accumulate

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_FREQS = np.zeros(0, dtype=np.float32)
# byte -> length, as Whoosh decodes the one-byte lengths it stores.
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def supported():
    return whoosh.versionstring() == "2.7.4"


class Postings:
    """One term's postings in one segment: `ids` (segment docnums, ascending) and `freqs`, with
    positions decoded on request. Deleted documents keep their postings until Whoosh merges the
    segment; searches mask them out (`live.Live.deleted`)."""

    __slots__ = ("_blocks", "_starts", "freqs", "ids")

    def __init__(self, ids, freqs, blocks=(), starts=()):
        self.ids = ids
        self.freqs = freqs
        self._blocks = blocks  # per block: its values (encoded positions), or a decoder
        self._starts = starts  # index of each block's first posting

    def __len__(self):
        return len(self.ids)

    def positions(self, index):
        """The positions of posting number `index` (not docnum), or () when not stored."""
        block = int(np.searchsorted(self._starts, index, side="right")) - 1
        if block < 0 or not self._blocks:
            return ()
        values = self._blocks[block]
        if callable(values):
            return values(index)
        value = values[index - self._starts[block]] if values else None
        if not value:
            return ()
        if not value.endswith(b"."):
            value += b"."
        return list(accumulate(pickle.loads(value[_INT_SIZE:])))  # noqa: S301 (our own index file)

    def positions_of(self, indexes):
        """The positions of each posting numbered in `indexes` (an array), as lists."""
        if not self._blocks or not len(indexes):
            return [() for _ in indexes]
        blocks = np.searchsorted(self._starts, indexes, side="right") - 1
        out = []
        loads = pickle.loads
        for index, block in zip(indexes.tolist(), blocks.tolist(), strict=True):
            values = self._blocks[block]
            if callable(values):
                out.append(values(index))
                continue
            value = values[index - self._starts[block]] if values else None
            if not value:
                out.append(())
                continue
            if not value.endswith(b"."):
                value += b"."
            out.append(list(accumulate(loads(value[_INT_SIZE:]))))
        return out

    def at(self, docnum):
        """The index of segment document `docnum` among the postings, or -1."""
        i = int(np.searchsorted(self.ids, docnum))
        return i if i < len(self.ids) and self.ids[i] == docnum else -1


NONE = Postings(EMPTY_IDS, EMPTY_FREQS)


def read_postings(reader, fieldname, btext, *, with_positions=True):
    """The Postings of one term in one segment reader (a leaf reader, not a MultiReader)."""
    if (fieldname, btext) not in reader:
        return NONE
    terms, fmt = getattr(reader, "_terms", None), reader.schema[fieldname].format
    matcher = terms.matcher(fieldname, btext, fmt, scorer=None) if terms is not None else None
    if matcher is None or not all(hasattr(matcher, name) for name in ("_read_data", "_next_block")):
        return _read_public(reader, fieldname, btext, with_positions)
    ids, freqs, blocks, starts = [], [], [], []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, values = matcher._data
        size = matcher._blocklength
        starts.append(len(ids))
        ids.extend(accumulate(deltas))
        if weights is None:
            freqs.extend([1.0] * size)
        elif isinstance(weights, float):
            freqs.extend([weights] * size)
        else:
            freqs.extend(weights)
        blocks.append(values if with_positions and isinstance(values, tuple) else None)
        matcher._next_block()
    return Postings(
        np.array(ids, dtype=np.int64),
        np.array(freqs, dtype=np.float32),
        blocks if with_positions else (),
        np.array(starts, dtype=np.int64),
    )


def _read_public(reader, fieldname, btext, with_positions):
    matcher = reader.postings(fieldname, btext)
    ids, freqs, positions = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        freqs.append(matcher.weight())
        if with_positions and matcher.supports("positions"):
            positions.append(matcher.value_as("positions"))
        matcher.next()
    decoder = (lambda index: positions[index]) if positions else None
    return Postings(
        np.array(ids, dtype=np.int64),
        np.array(freqs, dtype=np.float32),
        [decoder] if decoder else (),
        np.array([0], dtype=np.int64) if decoder else (),
    )


def field_lengths(reader, fieldname):
    """Each document's length of `fieldname` as Whoosh's scoring reads it, by segment docnum."""
    size = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN) if perdoc is not None else None
    if column is None or not hasattr(column, "_dbfile"):
        return np.array([reader.doc_field_length(d, fieldname, 0) or 0 for d in range(size)], np.float32)
    raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    codes = np.zeros(size, dtype=np.uint8)
    codes[: min(size, len(raw))] = raw[:size]
    return _LENGTHS[codes]


def deleted(reader):
    """A boolean array: which segment docnums are deleted."""
    mask = np.zeros(reader.doc_count_all(), dtype=bool)
    if reader.has_deletions():
        gone = (
            list(reader._perdoc.deleted_docs())
            if hasattr(reader, "_perdoc")
            else [d for d in range(len(mask)) if reader.is_deleted(d)]
        )
        mask[gone] = True
    return mask


def terms_of(reader, fieldname):
    """Every term of `fieldname` in one segment, decoded."""
    if fieldname not in reader.schema:
        return []
    return [btext.decode("utf-8") for btext in reader.lexicon(fieldname)]


def hold_columns(reader):
    """Open a segment reader's stored-fields and field-length columns now.

    Whoosh opens a column file the first time it is read. A segment merged away is deleted by the
    next commit's clean-up, and a searcher still on the version before (a long export in another
    process's thread, say) could read its stored fields for the first time after that, and meet
    `None` for the column (a 500 in the soak). A file opened before its deletion stays readable
    until it is closed, which `reopen` does once the searcher moves on."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return
    perdoc._cached_reader("_stored", STORED_COLUMN)
    for name in reader.schema.scorable_names():
        perdoc._cached_reader(f"_{name}_len", LENGTHS_COLUMN)


def reopen(ix, toc, previous):
    """A reader on version `toc` of `ix` that reuses `previous`'s segment readers.

    Whoosh 2.7's own reuse looks its old readers up by the wrong key and so reopens every segment
    at every commit (the big one's term index included) in every serving thread. A segment's files
    never change; only its deletions do, and those are read from the segment object, so a reader
    of a segment whose deletions changed is a copy pointing at the new segment object."""
    old = {}
    for reader, _ in previous.leaf_readers() if previous is not None else ():
        if isinstance(reader, SegmentReader):
            old[reader.segment().segment_id()] = reader
    readers = []
    for segment in toc.segments:
        reader = old.pop(segment.segment_id(), None)
        if reader is None or reader.is_closed:
            reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
        else:
            reader = copy.copy(reader)
            reader._segment = segment
            reader._gen = toc.generation
            reader._perdoc = copy.copy(reader._perdoc)
            reader._perdoc._segment = segment
        readers.append(reader)
    for gone in old.values():  # merged away
        with contextlib.suppress(Exception):
            gone.close()
    if not readers:
        return EmptyReader(toc.schema)
    if len(readers) == 1:
        return readers[0]
    return MultiReader(readers, generation=toc.generation)
