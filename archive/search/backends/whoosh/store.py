"""The Whoosh index on disk: schema, generations, the one writer.

Layout of `ARCHIVE_INDEX_DIR`:
- `CURRENT` names the live index generation (a Whoosh index name such as `articles_1700000000123`);
  `rebuild` writes a new generation beside the live one and swaps `CURRENT` atomically, so
  searches answer from the old generation until the new one is complete.
- `write.lock` is an OS file lock held by whoever writes (queue drains, rebuilds, repairs), so
  concurrent processes wait for each other instead of meeting Whoosh's LockError; a rebuild
  also leaves `rebuilding` beside it while it holds the lock, so saves need not wait for it.
- Segments are written as separate files (not compound): opening a searcher maps them instead of
  copying every posting into memory.
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from whoosh import fields, index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.writing import SegmentWriter

from archive.search import schema
from archive.search.analysis import plain_analyzer, text_analyzer
from archive.search.backends.base import IndexLocked
from archive.search.backends.whoosh import bulk, merging, segments

log = logging.getLogger("archive.search")

POINTER = "CURRENT"
LOCK = "write.lock"
REBUILDING = "rebuilding"
NAME_PREFIX = "articles_"
MANIFEST_SUFFIX = ".manifest.json"


def build_schema():
    """The Whoosh schema of `archive.search.schema.FIELDS`."""
    text, plain = text_analyzer(), plain_analyzer()
    built = {"id": fields.ID(stored=True, unique=True)}
    for f in schema.FIELDS:
        if isinstance(f, schema.Text):
            built[f.name] = fields.TEXT(
                analyzer=text if f.stemmed else plain, phrase=f.phrases, stored=f.stored
            )
        elif isinstance(f, schema.Filter):
            # Slugs and codes, never tokenised names; a multi-valued filter's values are words.
            built[f.index_name] = (
                fields.KEYWORD(lowercase=False, scorable=False, stored=f.stored)
                if f.multi
                else fields.ID(stored=f.stored)
            )
        elif isinstance(f, schema.Date):
            # YYYYMMDD. Ranges are applied to the per-process date column, not with NumericRange
            # (Whoosh 2.7's trie ranges on this field matched dates outside the range).
            built[f.name] = fields.ID(stored=True)
        else:
            built[f.name] = fields.STORED
    return fields.Schema(**built)


def whoosh_document(document):
    """What Whoosh writes for a `schema.document()`."""
    out = {"id": str(document["id"])}
    for f in schema.FIELDS:
        if isinstance(f, schema.Filter):
            value = document[f.index_name]
            value = " ".join(value) if f.multi else value
            if value:  # (an empty ID would be a term of its own)
                out[f.index_name] = value
        elif isinstance(f, schema.Date):
            out[f.name] = document[f.name].strftime("%Y%m%d")
        else:
            out[f.name] = document[f.name]
    return out


def documents(articles):
    """Whoosh documents of `articles` (fetched with `for_listing()`); one that cannot be built is
    logged and left out (the index keeps its old version, which check_index reports as stale)."""
    for article in articles:
        try:
            yield whoosh_document(schema.document(article))
        except Exception:
            log.exception("could not build the index document of article %s", article.pk)


def index_dir():
    return Path(settings.ARCHIVE_INDEX_DIR)


def files(path=None):
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


@contextlib.contextmanager
def marked_as_rebuilding():
    """Say, while a rebuild holds the write lock, that it is a rebuild (`rebuild_running`)."""
    mark = index_dir() / REBUILDING
    mark.write_text(f"{os.getpid()}\n")
    try:
        yield
    finally:
        mark.unlink(missing_ok=True)


def rebuild_running():
    """Whether a rebuild holds the write lock now. The mark of a rebuild that died is ignored:
    the OS released its lock with it."""
    path = index_dir()
    if not (path / REBUILDING).exists():
        return False
    try:
        with open(path / LOCK, "a+") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass
    return False


def open_for_writing():
    """The live index, created empty if there is none. Call with the write lock held."""
    storage = files()
    name = current_name()
    if name and index.exists(storage, indexname=name):
        return storage.open_index(indexname=name, schema=build_schema())
    name = new_generation_name()
    ix = storage.create_index(build_schema(), indexname=name)
    record_manifest(storage, name)
    _set_current(name)
    return ix


class _Writer(SegmentWriter):
    """Whoosh's writer, except that a commit leaves the files of a merge in progress
    (`merging.py`) where they are: Whoosh's clean-up removes every segment file its table of
    contents does not name."""

    def _commit_toc(self, segments):
        commit_toc(self.storage, self.schema, self.indexname, segments, self.generation)


def commit_toc(storage, schema, name, segments, generation):
    """Write version `generation` of generation `name` and remove the files no version needs now,
    except those of merges in progress."""
    TOC(schema, segments, generation).write(storage, name)
    keep = [*segments, *(_Named(s) for s in merging.protected(storage.folder, name))]
    clean_files(storage, name, generation, keep)


class _Named:
    def __init__(self, segment_id):
        self._id = segment_id

    def segment_id(self):
        return self._id


def writer_for(ix):
    # The lock file above already serialises writers, so Whoosh's own lock is not taken: a writer
    # that fails to start or to commit (a full disk, a read-only folder) would leave it held by
    # this process, refusing every later write until a restart.
    return _Writer(ix, limitmb=128, compound=False, _lk=False)


# Live writes add a segment each and leave merging to `merging.py`, beside them. Only when the
# segments pile up this far (no merger could run) does a write merge the small ones itself.
MERGE_INLINE_AT = 32


def write_documents(*, documents, delete_ids=()):
    """Add or replace `documents` and delete `delete_ids`, in one commit. Lock must be held."""
    documents = list(documents)
    ix = open_for_writing()
    toc = ix._read_toc()
    piled_up = len(toc.segments) >= MERGE_INLINE_AT
    merge = piled_up and not merging.in_progress(ix.storage.folder, ix.indexname)
    writer = writer_for(ix)
    try:
        ids = _ids_reader(ix, toc)
        for pk in [*delete_ids, *(document["id"] for document in documents)]:
            # Whoosh's delete_by_term (and update_document) opens a reader of every segment per id.
            term = str(pk)
            if ("id", term) in ids:
                for docnum in ids.postings("id", term).all_ids():
                    writer.delete_document(docnum)
        for document in documents:
            writer.add_document(**document)
    except BaseException:
        writer.cancel()
        raise
    try:
        writer.commit(merge=merge)
    except BaseException:
        _abandon(writer)
        raise
    record_manifest(ix.storage, current_name())
    return ix


_ids = threading.local()


def _ids_reader(ix, toc):
    """A reader of version `toc` for finding documents by id, keeping the segment readers of the
    last commit in this thread (a segment's files never change)."""
    previous = getattr(_ids, "reader", None)
    if previous is not None and getattr(_ids, "index", None) != (ix.storage.folder, ix.indexname):
        with contextlib.suppress(Exception):
            previous.close()  # another generation (a rebuild swapped it in) or folder
        previous = None
    _ids.reader = segments.reopen(ix, toc, previous)
    _ids.index = (ix.storage.folder, ix.indexname)
    return _ids.reader


def _abandon(writer):
    """Close what a failed commit (a full disk, a read-only folder) left open. The segment's
    partial files are in no table of contents; the next commit's clean-up removes them."""
    with contextlib.suppress(Exception):
        writer._close_segment()
    with contextlib.suppress(Exception):
        writer._finish()


def clear():
    """Replace the live index with an empty one (lock must be held)."""
    storage = files()
    name = new_generation_name()
    storage.create_index(build_schema(), indexname=name)
    record_manifest(storage, name)
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
    storage = files()
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
    record_manifest(storage, name)
    return name


def swap_generation(name):
    """Make generation `name` live. The one it replaces stays on disk until the next swap, so a
    search that opened it a moment ago finishes; anything older is removed."""
    storage = files()
    old = current_name()
    _set_current(name)
    for other in generations(storage):
        if other not in (name, old):
            _delete_generation(storage, other)


def generations(storage=None):
    storage = storage or files()
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


# Bytes a probe writes into the index folder: a commit of a few documents needs at least this.
PROBE_BYTES = 64 * 1024


def write_problems(path=None):
    """Why nothing can be written in the index folder now, as sentences ([] when a probe file of
    PROBE_BYTES can be written there): a full disk, a read-only mount, missing permission."""
    folder = Path(path or index_dir())
    probe = folder / f".probe.{os.getpid()}.{threading.get_ident()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return [f"The index folder {folder} cannot be written: {error.strerror or error}."]
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return []


# --- Damage ----------------------------------------------------------------------------------
# Each commit records the size and sha256 of every file of the generation's new version in
# `<name>.manifest.json`, under the write lock. A process opening a generation compares the sizes
# (a stat per file); `check_index` compares the checksums too. A file cut short, overwritten or
# lost is then reported as damage, not taken for a bug or a passing commit.


def _manifest_path(storage, name):
    return Path(storage.folder) / f"{name}{MANIFEST_SUFFIX}"


def _version_files(storage, name):
    """(TOC generation, [files]) of generation `name`'s latest version."""
    ix = storage.open_index(indexname=name, schema=build_schema())
    toc = f"_{name}_{ix.latest_generation()}.toc"
    files = [toc]
    for segment in ix._segments():
        files.extend(segment.list_files(storage))
    return ix.latest_generation(), sorted(files)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_manifest(storage, name):
    """Record the files of `name`'s latest version (call with the write lock held, after a commit)."""
    folder = Path(storage.folder)
    path = _manifest_path(storage, name)
    try:
        known = json.loads(path.read_text())["files"]
    except (OSError, ValueError, KeyError):
        known = {}
    generation, names = _version_files(storage, name)
    files = {}
    for filename in names:
        size = (folder / filename).stat().st_size
        old = known.get(filename)
        # Segment files never change once written: an entry of the same size is reused.
        files[filename] = old if old and old[0] == size else [size, _sha256(folder / filename)]
    tmp = folder / f".{name}{MANIFEST_SUFFIX}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"generation": generation, "files": files}))
    os.replace(tmp, path)


def verify(name=None, *, checksums=False, path=None):
    """What is wrong with generation `name` (default: the live one), as sentences; [] when its
    files are as their last commit wrote them. Sizes only unless `checksums`. A commit that lands
    while the files are looked at is waited for, not taken for damage."""
    folder = Path(path or index_dir())
    name = name or current_name(folder)
    if name is None:
        return []
    for _attempt in range(5):
        before = _latest_toc(folder, name)
        problems = _compare(folder, name, checksums)
        if problems is None or _latest_toc(folder, name) != before:
            time.sleep(0.02)  # a commit landed meanwhile (or is being recorded): look again
            continue
        return problems
    return []


def _latest_toc(folder, name):
    return index.TOC._latest_generation(files(folder), name)


def _compare(folder, name, checksums):
    """Problems with `name`'s files against its manifest; None while the manifest is not yet that
    of the latest version."""
    try:
        manifest = json.loads((folder / f"{name}{MANIFEST_SUFFIX}").read_text())
    except FileNotFoundError:
        if _latest_toc(folder, name) < 0:
            return [f"{POINTER} names {name!r}, which is no index generation here."]
        return [f"{name} has no manifest (written by an older version): rebuild the index to record one."]
    except (OSError, ValueError) as error:
        return [f"The manifest of {name} cannot be read ({error})."]
    latest = _latest_toc(folder, name)
    if manifest.get("generation") != latest and latest > manifest.get("generation", -1):
        return None  # a newer commit than the manifest knows: being recorded now
    problems = []
    for filename, (size, digest) in sorted(manifest["files"].items()):
        file = folder / filename
        try:
            actual = file.stat().st_size
        except FileNotFoundError:
            problems.append(f"{filename} is missing.")
            continue
        if actual != size:
            problems.append(f"{filename} is {actual} bytes; its commit wrote {size}.")
        elif checksums and _sha256(file) != digest:
            problems.append(f"{filename} does not hold what its commit wrote (checksum differs).")
    return problems
