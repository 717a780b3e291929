"""A faster Whoosh segment writer for full rebuilds: the same segment, written in less Python.

Profiling `rebuild_index` showed most of its time inside Whoosh's `SegmentWriter`, per posting (one
per term per field per document, ~600 a document): `Positions.word_values` building a Token per
word, `PostingPool.add` pooling a tuple per posting, a sort of every tuple (and, past `limitmb`,
a marshal dump and heap-merge of each), then `add_postings` calling `add_posting` and
`doc_field_length` (a column read) for each one. `BulkWriter` keeps what Whoosh writes and changes
how it gets there:

- our analyzer's fields are tokenised in one pass to {term: positions} (`analysis.term_positions`);
  other fields (ids, slugs) go through Whoosh's own `field.index()`;
- postings are grouped by term as they arrive (document numbers only grow, so each term's list is
  already in order); past `limitmb` the groups are written to a run file, one record per term;
- at commit the runs are merged term by term and each term's blocks are handed to Whoosh's
  `W3PostingsWriter` whole, with block length statistics from the lengths kept here.

The segment holds what Whoosh's writer writes for the same documents: the same terms, postings,
positions, weights, block statistics, lengths and stored fields (`tests/search/test_bulk_writer.py`
compares them all; the bytes differ only where pickle shares a repeated encoded position), so
searching is unchanged and any Whoosh 2.7 reader opens it. It relies on
Whoosh 2.7.4's codec internals (the last Whoosh release, pinned in requirements.txt);
`supported()` says whether this Whoosh and schema are the ones it knows, else callers use
Whoosh's writer.
"""

import contextlib
import heapq
import itertools
import marshal
import os
import tempfile
from array import array

import whoosh
from whoosh import formats
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from archive.search.analysis import ArchiveTokenizer, term_positions

# Rough memory of one pooled posting (document number, weight, a reference to its encoded value)
# and of a term's group, for deciding when to write a run; calibrated against peak RSS.
_POSTING_BYTES = 40
_TERM_BYTES = 300


def supported(schema):
    """True when this Whoosh and `schema` are what BulkWriter writes exactly like Whoosh."""
    if whoosh.versionstring() != "2.7.4":
        return False
    return not any(field.vector or field.separate_spelling() for _name, field in schema.items())


def _fast_kind(field):
    """'positions' / 'frequency' for a field our tokenizer analyses with a plain format, else None."""
    if not field.indexed or not isinstance(field.analyzer, ArchiveTokenizer):
        return None
    fmt = field.format
    if type(fmt) is formats.Positions:
        return "positions"
    if type(fmt) is formats.Frequency:
        return "frequency"
    return None


_ONE_POSITION = {}
_FREQUENCY = {}


def _one_position(pos):
    """`formats.Positions.encode([pos])`, cached (most postings are of a word used once)."""
    encoded = _ONE_POSITION.get(pos)
    if encoded is None:
        encoded = _ONE_POSITION[pos] = pack_uint(1) + formats.dumps([pos], 2)
    return encoded


def _position_bytes(positions):
    """`formats.Positions.encode(positions)` (delta-coded, pickled)."""
    deltas = [positions[0]]
    deltas.extend([b - a for a, b in itertools.pairwise(positions)])
    return pack_uint(len(deltas)) + formats.dumps(deltas, 2)


def _frequency_bytes(freq):
    encoded = _FREQUENCY.get(freq)
    if encoded is None:
        encoded = _FREQUENCY[freq] = pack_uint(freq)
    return encoded


class _Pool:
    """Postings grouped per field by term (str for our analyzer's fields, bytes for the others) ->
    (docnums, weights, values), in docnum order; spilled to sorted run files (one marshal record
    per term) past `limit` bytes."""

    def __init__(self, tempdir, limit):
        self.tempdir = tempdir
        self.limit = limit
        self.groups = {}
        self.size = 0
        self.runs = []

    def field(self, fieldname):
        """The {term: group} dict of `fieldname`, for add_document to fill."""
        groups = self.groups.get(fieldname)
        if groups is None:
            groups = self.groups[fieldname] = {}
        return groups

    def grew(self, postings, terms):
        self.size += postings * _POSTING_BYTES + terms * _TERM_BYTES
        if self.size > self.limit:
            self.spill()

    def _records(self):
        """((field, term bytes), docnums, weights, values) in Whoosh's order: by field, then by
        term bytes (UTF-8 keeps code point order, so str keys sort as their bytes do)."""
        for fieldname in sorted(self.groups):
            groups = self.groups[fieldname]
            for term in sorted(groups):
                ids, weights, values = groups[term]
                tbytes = term.encode("utf-8") if isinstance(term, str) else term
                yield (fieldname, tbytes), ids, weights, values

    def spill(self):
        if not self.groups:
            return
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            dump = marshal.dump
            for (fieldname, tbytes), ids, weights, values in self._records():
                dump((fieldname, tbytes, ids.tobytes(), weights.tobytes(), values), handle)
        self.runs.append(path)
        self.groups = {}
        self.size = 0

    @staticmethod
    def _read_run(path):
        with open(path, "rb", buffering=1 << 20) as handle:
            load = marshal.load
            while True:
                try:
                    fieldname, tbytes, ids, weights, values = load(handle)
                except EOFError:
                    return
                yield (fieldname, tbytes), array("I", ids), array("f", weights), values

    def merged(self):
        """(key, docnums, weights, values) per term in (field, term) order, documents in order."""
        if not self.runs:
            yield from self._records()
            return
        # heapq.merge keeps equal keys in the order of its inputs: earlier runs, lower docnums.
        sources = [self._read_run(path) for path in self.runs]
        sources.append(self._records())
        last = None
        for key, ids, weights, values in heapq.merge(*sources, key=lambda record: record[0]):
            if last is not None and key == last[0]:
                last[1].extend(ids)
                last[2].extend(weights)
                last[3].extend(values)
                continue
            if last is not None:
                yield last
            last = [key, array("I", ids), array("f", weights), list(values)]
        if last is not None:
            yield last

    def cleanup(self):
        for path in self.runs:
            with contextlib.suppress(OSError):
                os.remove(path)
        self.runs = []
        self.groups = {}


class BulkWriter(SegmentWriter):
    """`SegmentWriter` for writing many documents into a new, empty index (see module docstring).
    Only `add_document`, `commit`, `cancel` are meant to be used."""

    def __init__(self, ix, *, limitmb=256, **kwargs):
        super().__init__(ix, limitmb=1, compound=False, **kwargs)
        if self.segments:
            raise ValueError("BulkWriter writes a new index only")
        if not isinstance(self.codec, W3Codec):
            raise ValueError("BulkWriter writes Whoosh's default codec only")
        # Runs go where Whoosh puts its own: the writer's temporary folder, removed when it ends.
        self.pool = _Pool(self._tempstorage.folder, limitmb * 1024 * 1024)
        schema = self.schema
        self._plan = {}
        for name, field in schema.items():
            kind = _fast_kind(field)
            if kind is None:
                self._plan[name] = (field, None, None, None)
            else:
                self._plan[name] = (field, kind, field.analyzer.stem, field.format.field_boost)
        # field name -> bytearray of each document's encoded length (0: none), as the per-document
        # writer stores them; block statistics read these instead of the written column.
        self._lengths = {}

    def add_document(self, **fields):
        self._check_state()
        perdoc = self.perdocwriter
        pool = self.pool
        docnum = self.docnum
        names = sorted(fields)
        self._check_fields(self.schema, names)
        postings = terms = 0
        perdoc.start_doc(docnum)
        for fieldname in names:
            value = fields[fieldname]
            if value is None:
                continue
            if fieldname.startswith("_"):
                raise ValueError("BulkWriter takes no per-document boosts or custom stored values")
            field, kind, stem, boost = self._plan[fieldname]
            length = 0
            if kind is not None and isinstance(value, str):
                groups = pool.field(fieldname)
                found = term_positions(value, stem=stem)
                postings += len(found)
                positional = kind == "positions"
                one_position = _one_position
                one_frequency = _frequency_bytes(1)
                for text, positions in found.items():
                    group = groups.get(text)
                    if group is None:
                        group = groups[text] = (array("I"), array("f"), [])
                        terms += 1
                    group[0].append(docnum)
                    if positions.__class__ is int:  # one occurrence
                        length += 1
                        group[1].append(boost)
                        group[2].append(one_position(positions) if positional else one_frequency)
                    else:
                        freq = len(positions)
                        length += freq
                        group[1].append(freq * boost)
                        group[2].append(_position_bytes(positions) if positional else _frequency_bytes(freq))
                if not field.scorable:
                    length = 0
            elif field.indexed:
                groups = pool.field(fieldname)
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in field.index(value):
                    if scorable:
                        length += freq
                    group = groups.get(tbytes)
                    if group is None:
                        group = groups[tbytes] = (array("I"), array("f"), [])
                        terms += 1
                    group[0].append(docnum)
                    group[1].append(weight)
                    group[2].append(vbytes)
                    postings += 1
            perdoc.add_field(fieldname, field, value if field.stored else None, length)
            if length:
                lengths = self._lengths.get(fieldname)
                if lengths is None:
                    lengths = self._lengths[fieldname] = bytearray()
                if len(lengths) <= docnum:
                    lengths.extend(bytes(docnum + 1 - len(lengths)))
                lengths[docnum] = length_to_byte(length)
            column = field.column_type
            if column:
                perdoc.add_column_value(fieldname, column, field.to_column_value(value))
        perdoc.finish_doc()
        pool.grew(postings, terms)
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        _write_postings(self.fieldwriter, self.schema, self.pool.merged(), self._lengths)
        self.fieldwriter.close()


def _write_postings(fieldwriter, schema, terms, lengths_by_field):
    """What `FieldWriter.add_postings` writes for the same postings, a term's block at a time."""
    assert isinstance(fieldwriter, W3FieldWriter)
    blocklimit = fieldwriter._codec._blocklimit
    current = None
    no_lengths = bytearray()
    for (fieldname, tbytes), ids, weights, values in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current = fieldname
            lengths = lengths_by_field.get(fieldname, no_lengths)
            have = len(lengths)
        fieldwriter.start_term(tbytes)
        writer = fieldwriter._postwriter
        count = len(ids)
        for start in range(0, count, blocklimit):
            end = start + blocklimit
            block_ids = ids[start:end]
            block_weights = weights[start:end]
            writer._ids = block_ids
            writer._weights = block_weights
            block_values = values[start:end]
            # add_posting keeps only non-empty values.
            writer._values = block_values if all(block_values) else [v for v in block_values if v]
            found = [byte_to_length(lengths[d]) for d in block_ids if d < have and lengths[d]]
            writer._minlength = min(found) if found else None
            writer._maxlength = max(found) if found else 0
            top = max(block_weights)
            writer._maxweight = top if top > 0 else 0
            if end < count:
                writer._write_block()  # starts the next block buffer itself
        fieldwriter.finish_term()  # writes the last block
    if current is not None:
        fieldwriter.finish_field()
