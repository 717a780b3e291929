"""Merging the live generation's segments beside the writes, not inside them.

Every live write adds a segment (`store.write_documents` commits without merging). Whoosh's own
policy merges small segments inside a commit: the save that happens to trigger it, and every save
queued behind it, then waits for documents to be copied (21 s and 34 s stalls under the soak,
docs/soak.md). Here a merge runs in three steps, and only the first and last hold the write lock:

1. `Merge.claim()` (lock held, milliseconds): choose the segments, open the new segment's files and
   name them in a marker, `<generation>.merging.<segment>.json`, so that no commit meanwhile
   cleans them away and no other merge takes the same segments.
2. `Merge.write()` (no lock): copy the chosen segments' documents, as their deletions stood at the
   claim, into the new segment. Saves go on adding segments and deleting documents meanwhile.
3. `Merge.install()` (lock held, milliseconds): read the table of contents again, carry the
   deletions made since the claim over to the new segment's document numbers, and commit the
   table of contents with the new segment in place of the chosen ones.

Segments are merged by tiers of size (`choose`), and up to MAX_MERGERS merges run at once, so
that a long merge of big segments does not hold up the merges of the small ones every save adds.
A merge whose segments are gone by then (a rebuild swapped generations) is abandoned; a merger
that died leaves a marker naming a process that no longer runs, which the next merge removes.

`start()` runs merges in a process of its own (`manage.py merge_index`): copying is pure Python,
and in a thread it would take the interpreter lock from the drains of the process that saves.
With `ARCHIVE_SEARCH_DRAIN_DELAY` 0 (the tests) it merges in the caller instead.
"""

import contextlib
import heapq
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from archive.search.backends.base import IndexLocked

log = logging.getLogger("archive.search")

# Merges are considered once the live generation has this many segments.
MERGE_AT_SEGMENTS = 8
# Segments are grouped in tiers by their documents (1-4, 5-24, 25-124, ...); a tier with
# MERGE_FACTOR segments that no merge has taken is merged into one (at most MAX_SEGMENTS at a
# time). A document is copied once per tier it climbs, and the index keeps at most
# MERGE_FACTOR - 1 segments a tier beside the merges running.
TIER_BASE = 5
MERGE_FACTOR = 4
MAX_SEGMENTS = 10
# When no tier is due, a segment with this share of its documents deleted is rewritten without
# them (every save deletes the old version of its piece, mostly in the big segment).
DELETED_SHARE = 1 / 2
# Merges that may run at once.
MAX_MERGERS = 2
# A marker older than this (seconds) is a merger that hung: ignored.
STALE_AFTER = 3 * 3600
# A merger waits this long (seconds) for the write lock before it gives up (a rebuild holds it for
# minutes; the next save starts another merger).
CLAIM_WAIT = 60
# A process starts another merger at most this often (seconds).
START_EVERY = 5.0

_last_start = float("-inf")


def tier(segment):
    return int(math.log(max(1, segment.doc_count()), TIER_BASE))


def choose(segments, claimed=()):
    """The segments to merge next ([] when none is due), leaving out those `claimed` by merges
    already running: the smallest tier with MERGE_FACTOR free segments, or else one segment that
    is mostly deleted documents."""
    if len(segments) < MERGE_AT_SEGMENTS:
        return []
    free = sorted((s for s in segments if s.segment_id() not in claimed), key=lambda s: s.doc_count())
    tiers = {}
    for segment in free:
        tiers.setdefault(tier(segment), []).append(segment)
    for _level, members in sorted(tiers.items()):
        if len(members) >= MERGE_FACTOR:
            return members[:MAX_SEGMENTS]
    return [s for s in free if s.deleted_count() > DELETED_SHARE * max(1, s.doc_count_all())][:1]


def choose_all(segments, claimed=()):
    free = [s for s in segments if s.segment_id() not in claimed]
    return free if len(free) > 1 or any(s.has_deletions() for s in free) else []


# --- Markers: the merges running -----------------------------------------------------------


def marker_path(folder, name, segment_id):
    return Path(folder) / f"{name}.merging.{segment_id}.json"


def _markers(folder, name):
    """(path, marker, alive) of every marker of generation `name`."""
    for path in Path(folder).glob(f"{name}.merging.*.json"):
        try:
            marker = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        alive = time.time() - marker.get("started", 0) <= STALE_AFTER and _alive(marker.get("pid"))
        yield path, marker, alive


def running(folder, name):
    """The markers ({segment, sources, pid, started}) of the merges running on generation `name`."""
    return [marker for _path, marker, alive in _markers(folder, name) if alive]


def in_progress(folder, name):
    return bool(running(folder, name))


def protected(folder, name):
    """Segment ids a commit must not clean away: the files of the merges being written."""
    return [marker["segment"] for marker in running(folder, name)]


def _alive(pid):
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    return True


def _remove_dead_mergers_files(folder, name):
    """What mergers that died (killed, or the machine stopped) left: their markers and temporary
    folders. Their segment files go with the next commit's clean-up, once no marker names them."""
    for path, _marker, alive in list(_markers(folder, name)):
        if not alive:
            path.unlink(missing_ok=True)
    for path in Path(folder).glob("*.merge-*.tmp"):
        pid = path.name.rsplit(".merge-", 1)[1].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)


class _OwnTemporaryFiles(FileStorage):
    """The index folder, with temporary files in a folder of this merger's own: Whoosh names every
    writer's after the index, and each commit removes that folder, while the merge still writes."""

    def __init__(self, folder, temporary):
        super().__init__(folder)
        self.temporary = temporary

    def temp_storage(self, name=None):
        return super().temp_storage(self.temporary)


# --- One merge -----------------------------------------------------------------------------


class Abandoned(Exception):
    """The merge no longer applies (its generation or segments are gone)."""


class Merge:
    def __init__(self, storage, name, segments, writer):
        self.storage = storage
        self.name = name
        self.segments = segments  # as the claim read them: their deletions then
        self.writer = writer
        self.segment = None

    @classmethod
    def claim(cls, *, everything=False):
        """Choose segments and open the new one; None when no merge is due (or MAX_MERGERS run)."""
        from archive.search.backends.whoosh import store

        with store.write_lock(wait=True, timeout=CLAIM_WAIT):
            name = store.current_name()
            storage = store.files()
            if name is None:
                return None
            _remove_dead_mergers_files(storage.folder, name)
            others = running(storage.folder, name)
            if len(others) >= MAX_MERGERS:
                return None
            claimed = {source for marker in others for source in marker["sources"]}
            ix = storage.open_index(indexname=name, schema=store.build_schema())
            segments = (choose_all if everything else choose)(ix._segments(), claimed)
            if not segments:
                return None
            own = _OwnTemporaryFiles(storage.folder, f"{name}.merge-{os.getpid()}-{len(others)}.tmp")
            writer = SegmentWriter(own.open_index(indexname=name), limitmb=128, compound=False, _lk=False)
            merge = cls(storage, name, segments, writer)
            marker = {
                "segment": writer.newsegment.segment_id(),
                "sources": [s.segment_id() for s in segments],
                "pid": os.getpid(),
                "started": time.time(),
            }
            tmp = merge._marker().with_name(f".{merge._marker().name}.tmp")
            tmp.write_text(json.dumps(marker))
            os.replace(tmp, merge._marker())
            return merge

    def _marker(self):
        return marker_path(self.storage.folder, self.name, self.writer.newsegment.segment_id())

    def write(self):
        try:
            readers = [SegmentReader(self.storage, self.writer.schema, segment) for segment in self.segments]
            try:
                self.segment = copy_segments(self.writer, readers)
            finally:
                for reader in readers:
                    reader.close()
        except BaseException:
            self.abandon()
            raise

    def install(self):
        """Put the new segment in place of the merged ones (lock taken here). Returns how long
        the lock was held, in seconds."""
        from archive.search.backends.whoosh import store

        try:
            with store.write_lock(wait=True):
                held = time.monotonic()
                if store.current_name() != self.name:
                    raise Abandoned(f"generation {self.name} is no longer live")
                ix = self.storage.open_index(indexname=self.name, schema=store.build_schema())
                toc = ix._read_toc()
                now = {s.segment_id(): s for s in toc.segments}
                merged = {s.segment_id() for s in self.segments}
                if not merged <= set(now):
                    raise Abandoned("a merged segment is gone")
                self._carry_deletions(now)
                kept = [s for s in toc.segments if s.segment_id() not in merged]
                if self.segment.doc_count_all():
                    kept.append(self.segment)
                self._marker().unlink(missing_ok=True)
                store.commit_toc(self.storage, toc.schema, self.name, kept, toc.generation + 1)
                store.record_manifest(self.storage, self.name)
                held = time.monotonic() - held
        except BaseException:
            self.abandon()
            raise
        self.writer._finish()  # removes its temporary folder
        return held

    def _carry_deletions(self, now):
        """Delete in the new segment what was deleted in a merged one since the claim."""
        newdoc = 0
        for before in self.segments:
            after = now[before.segment_id()]
            for docnum in range(before.doc_count_all()):
                if before.is_deleted(docnum):
                    continue
                if after.is_deleted(docnum):
                    self.segment.delete_document(newdoc)
                newdoc += 1

    def abandon(self):
        with contextlib.suppress(Exception):
            self.writer._close_segment()
        with contextlib.suppress(Exception):
            self.writer._finish()
        self._marker().unlink(missing_ok=True)
        prefix = f"{self.writer.newsegment.segment_id()}."
        for filename in self.storage.list():
            if filename.startswith(prefix):
                with contextlib.suppress(OSError):
                    self.storage.delete_file(filename)


# --- Copying segments ----------------------------------------------------------------------


def copy_segments(writer, readers):
    """Write the live documents of `readers`, in order, into `writer`'s new segment, and finish it.

    Whoosh's own `add_reader` sends every posting through a sorting pool (pickled to temporary
    runs and merged back) and looks up each posting's field length in a column. Neither is needed
    here: the readers' documents are numbered one after another, so a term's postings in the new
    segment are its postings in each reader in turn, and the lengths can be read once per
    document. The postings are copied a stored block at a time; the blocks written are the ones
    `add_reader` would write (tests/search/test_merging.py compares the two)."""
    schema = writer.schema
    maps, lengths = [], {}
    for reader in readers:
        indexed = {name for name in reader.indexed_field_names() if name in schema}
        live = [docnum for docnum in range(reader.doc_count_all()) if not reader.is_deleted(docnum)]
        for name in indexed:
            column = lengths.setdefault(name, [0] * writer.docnum)
            column.extend(reader.doc_field_length(docnum, name) for docnum in live)
        base = writer.docnum
        docmap = writer.write_per_doc(set(schema.names()) | indexed, reader)
        maps.append(docmap if docmap is not None else range(base, writer.docnum))
        for column in lengths.values():  # fields this reader does not index
            column.extend([0] * (writer.docnum - len(column)))
    writer._added = True
    fieldwriter = writer.fieldwriter
    for name in sorted(lengths):
        fieldobj = schema[name]
        fieldwriter.start_field(name, fieldobj)
        _copy_field(fieldwriter, name, fieldobj.format, readers, maps, lengths[name])
        fieldwriter.finish_field()
    return writer._finalize_segment()


def _copy_field(fieldwriter, name, format_, readers, maps, lengths):
    """Every term of field `name`, its postings from each reader in turn (in term order)."""
    streams = [_terms(reader, name, i) for i, reader in enumerate(readers)]
    current, parts = None, []
    for btext, i, terminfo in heapq.merge(*streams, key=lambda item: item[:2]):
        if btext != current:
            _write_term(fieldwriter, current, parts, lengths)
            current, parts = btext, []
        parts.append(_postings(readers[i], terminfo, format_, maps[i]))
    _write_term(fieldwriter, current, parts, lengths)


def _terms(reader, name, number):
    """(term bytes, `number`, term info) of field `name` in `reader`, in term order."""
    for (fieldname, btext), terminfo in reader._terms.items_from(name, b""):
        if fieldname != name:
            return
        yield btext, number, terminfo


def _postings(reader, terminfo, format_, docmap):
    """The live postings of one term in `reader` as (new docnums, weights, values)."""
    terms = reader._terms
    matcher = terms._codec.postings_reader(terms._postfile, terminfo, format_)
    ids, weights, values = [], [], []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            values.extend(matcher._values)
            matcher._next_block()
    else:  # postings kept inside the term info
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
    if isinstance(docmap, range):
        return [docmap[docnum] for docnum in ids], weights, values
    kept = [n for n, docnum in enumerate(ids) if docnum in docmap]  # deleted documents left out
    return [docmap[ids[n]] for n in kept], [weights[n] for n in kept], [values[n] for n in kept]


def _write_term(fieldwriter, btext, parts, lengths):
    """One term's postings, in blocks as the postings writer forms them (a term whose postings
    were all deleted is left out, as `add_reader` leaves it)."""
    ids = [docnum for part in parts for docnum in part[0]]
    if not ids:
        return
    weights = [weight for part in parts for weight in part[1]]
    values = [value or b"" for part in parts for value in part[2]]
    fieldwriter.start_term(btext)
    postings = fieldwriter._postwriter
    limit = postings._blocklimit
    for start in range(0, len(ids), limit):
        if postings._ids:
            postings._write_block()
        block = slice(start, start + limit)
        postings._ids.extend(ids[block])
        postings._weights.extend(weights[block])
        postings._values.extend(value for value in values[block] if value)
        postings._maxweight = max(0, *weights[block])
        nonzero = [length for length in map(lengths.__getitem__, ids[block]) if length]
        if nonzero:
            postings._minlength, postings._maxlength = min(nonzero), max(nonzero)
    fieldwriter.finish_term()


# --- Running merges ------------------------------------------------------------------------


def run(*, everything=False):
    """Merge until none is due (or, with `everything`, into one segment). Returns
    [(segments merged, documents kept, seconds, seconds the lock was held)]."""
    done = []
    while True:
        try:
            merge = Merge.claim(everything=everything)
        except IndexLocked:
            log.info("index merge not started: the index was being written for %d s (a rebuild?)", CLAIM_WAIT)
            return done
        if merge is None:
            return done
        started = time.monotonic()
        merge.write()
        try:
            held = merge.install()
        except (Abandoned, IndexLocked) as why:
            log.info("index merge abandoned: %s", why or "the index was being written for 10 minutes")
            return done
        seconds = time.monotonic() - started
        log.info(
            "index merge: %d segments into one of %d documents in %.1f s (write lock held %.3f s)",
            len(merge.segments),
            merge.segment.doc_count(),
            seconds,
            held,
        )
        done.append((len(merge.segments), merge.segment.doc_count(), seconds, held))
        if everything:
            return done


def start_if_due(ix):
    """After a commit to `ix`: start a merger if a merge is due and fewer than MAX_MERGERS run."""
    others = running(ix.storage.folder, ix.indexname)
    claimed = {source for marker in others for source in marker["sources"]}
    if len(others) < MAX_MERGERS and choose(ix._segments(), claimed):
        start()


def start():
    """Start a merger process (at most one per START_EVERY seconds from this process; one that
    finds nothing left to claim stops at once). With no drain delay (the tests), merge here."""
    from archive.search.indexing import drain_delay

    global _last_start
    if not drain_delay():
        run()
        return None
    if time.monotonic() - _last_start < START_EVERY:
        return None
    _last_start = time.monotonic()
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "merge_index", "-v", "0"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
