"""A file cache whose old entries are retired a folder at a time, never by listing entries.

Django's FileBasedCache lists its whole folder on every `set()` to decide whether to cull, and
culls at random. The page cache (archive.articles.pagecache) retires every page at each change
by moving to a new content version, so under steady writes the folder fills with dead pages and
every stored page paid for a listing of thousands of files (about 20 ms of CPU at 15,000).

Here a key names its *generation*: `"<family>-<sortable name>/<rest>"` (the page cache uses
`pages-<content version>-<date>/...`). Each generation is a folder. The first time a process
stores into a generation newer than any it has seen of that family, it renames the older
folders of the family to `.retired-*` (one listing of the top folder, which holds a handful of
generations) and a background thread of the process deletes them, a few hundred files at a time.
Keys without a generation (an article's related pieces) go to hourly folders (`t-<hour>`, the
`BUCKET_SECONDS` option): they are looked up in this hour's folder and the last one, and older
hours are retired the same way; their timeout is capped at one bucket.

Each generation holds at most `MAX_ENTRIES` entries: a counter file gains a byte per entry
stored (appends are atomic between processes), and past the limit new entries are not stored
until the next generation (a crawler asking for many URLs cannot fill the disk). Entries are
Django's file-cache format (an expiry, then the zlib-compressed pickle), written to a temporary
file and renamed into place, so readers never see half an entry.
"""

import contextlib
import logging
import os
import pickle
import queue
import re
import shutil
import tempfile
import threading
import time
import uuid
import zlib
from hashlib import md5

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

log = logging.getLogger("archive.pagecache")

_GENERATION = re.compile(r"^[A-Za-z0-9]+-[A-Za-z0-9_-]{1,100}$")
RETIRED = ".retired-"
COUNTER = ".count"
DELETE_BATCH = 200  # files the background thread deletes before it pauses
DELETE_PAUSE = 0.005  # seconds


class GenerationalFileCache(FileBasedCache):
    def __init__(self, dir, params):
        options = params.get("OPTIONS") or {}
        self._bucket_seconds = int(options.get("BUCKET_SECONDS", 3600))
        super().__init__(dir, params)
        self._newest = {}  # family -> newest generation this process has stored into
        self._lock = threading.Lock()

    # --- where a key lives ---

    def _split(self, key):
        generation, slash, _ = key.partition("/")
        if slash and _GENERATION.match(generation):
            return generation
        return None

    def _bucket(self, offset=0):
        return f"t-{int(time.time() // self._bucket_seconds) - offset:012d}"

    def _file(self, generation, key, version):
        name = md5(self.make_and_validate_key(key, version=version).encode(), usedforsecurity=False)
        return os.path.join(self._dir, generation, name.hexdigest() + self.cache_suffix)

    def _key_to_file(self, key, version=None):
        """The file `set()` writes."""
        return self._file(self._split(key) or self._bucket(), key, version)

    def _candidates(self, key, version):
        """The files `get()` reads, newest first."""
        generation = self._split(key)
        if generation:
            return [self._file(generation, key, version)]
        return [self._file(self._bucket(offset), key, version) for offset in (0, 1)]

    # --- reading ---

    def get(self, key, default=None, version=None):
        for fname in self._candidates(key, version):
            try:
                with open(fname, "rb") as f:
                    if not self._is_expired(f):
                        return pickle.loads(zlib.decompress(f.read()))  # noqa: S301 (as Django's)
            except FileNotFoundError:
                continue
        return default

    def has_key(self, key, version=None):
        for fname in self._candidates(key, version):
            try:
                with open(fname, "rb") as f:
                    if not self._is_expired(f):
                        return True
            except FileNotFoundError:
                continue
        return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, self, version=version)
        if value is self:
            return False
        self.set(key, value, timeout, version=version)
        return True

    def delete(self, key, version=None):
        return any(self._delete(fname) for fname in self._candidates(key, version))

    # --- writing ---

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        generation = self._split(key)
        if generation is None:
            generation = self._bucket()
            if timeout is DEFAULT_TIMEOUT or timeout is None or timeout > self._bucket_seconds:
                timeout = self._bucket_seconds
        folder = os.path.join(self._dir, generation)
        try:
            self._store(folder, self._file(generation, key, version), value, timeout)
        except (FileNotFoundError, FileExistsError):
            # Another worker retired this generation while the page was being stored (renamed
            # between our creating the folder and writing into it, or between `makedirs` finding
            # the folder and checking it is one): a page of a content version nobody reads any
            # more, so it is simply not kept.
            return
        self._retire_older(generation)

    def _store(self, folder, fname, value, timeout):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if not self._count(folder):
            return
        fd, tmp_path = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        renamed = False
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            os.replace(tmp_path, fname)
            renamed = True
        finally:
            if not renamed:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(tmp_path)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self.has_key(key, version):
            return False
        self.set(key, value, timeout, version)
        return True

    def _count(self, folder):
        """Count one more entry in `folder`; False once it holds MAX_ENTRIES."""
        fd = os.open(os.path.join(folder, COUNTER), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size >= self._max_entries:
                return False
            os.write(fd, b".")
            return True
        finally:
            os.close(fd)

    def _cull(self):
        """Never: old generations are retired whole, and each generation is capped."""

    # --- retiring old generations ---

    def _retire_older(self, generation):
        family = generation.split("-", 1)[0]
        with self._lock:
            if self._newest.get(family, "") >= generation:
                return
            self._newest[family] = generation
        if family == "t":  # hourly folders: this hour's and the last one's are read
            floor, idle_since = self._bucket(1), None
        else:
            floor, idle_since = generation, time.time() - max(self.default_timeout or 0, 60)
        for entry in os.scandir(self._dir):
            name = entry.name
            if name.startswith(RETIRED):
                _deleter.submit(entry.path)
            elif (
                entry.is_dir()
                and name.split("-", 1)[0] == family
                and name != generation
                and self._is_older(entry, floor, idle_since)
            ):
                target = os.path.join(self._dir, f"{RETIRED}{name}-{uuid.uuid4().hex[:8]}")
                try:
                    os.rename(entry.path, target)
                except OSError:
                    continue  # another process retired it first
                _deleter.submit(target)
            elif entry.is_file() and name.endswith(self.cache_suffix):
                _deleter.submit(entry.path)  # an entry of Django's flat layout, from before

    @staticmethod
    def _is_older(entry, floor, idle_since):
        """A generation before `floor`, or (`idle_since` given) another one nobody has written to
        for a while (a content version that started again from 1 after a restore)."""
        if entry.name < floor:
            return True
        if idle_since is None or entry.name == floor:
            return False
        try:
            return entry.stat().st_mtime < idle_since
        except OSError:
            return False

    def clear(self):
        """Remove every entry now (tests; `manage.py` maintenance)."""
        if not os.path.isdir(self._dir):
            return
        for entry in os.scandir(self._dir):
            if entry.is_dir():
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(entry.path)
        with self._lock:
            self._newest.clear()


class _Deleter:
    """One background thread per process deleting retired folders, a batch of files at a time,
    so a retirement never holds up a request and never takes a core for long."""

    def __init__(self):
        self._queue = queue.Queue()
        self._pid = None
        self._lock = threading.Lock()
        self._pending = set()

    def submit(self, path):
        with self._lock:
            if self._pid != os.getpid():
                self._queue, self._pending, self._pid = queue.Queue(), set(), os.getpid()
                threading.Thread(
                    target=self._run, args=(self._queue,), name="pagecache-retire", daemon=True
                ).start()
            if path in self._pending:
                return
            self._pending.add(path)
        self._queue.put(path)

    def _run(self, work):
        while True:
            path = work.get()
            try:
                _remove(path)
            except Exception:
                log.exception("could not remove the retired page cache folder %s", path)
            finally:
                with self._lock:
                    self._pending.discard(path)

    def wait(self, timeout=30):
        """Until every submitted folder is gone (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(0.01)
        return False


def _remove(path):
    if not os.path.isdir(path):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        return
    removed = 0
    for root, dirs, files in os.walk(path, topdown=False):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(root, name))
            removed += 1
            if removed % DELETE_BATCH == 0:
                time.sleep(DELETE_PAUSE)
        for name in dirs:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(root, name))
    with contextlib.suppress(OSError):
        os.rmdir(path)


_deleter = _Deleter()


def wait_for_retirements(timeout=30):
    """Block until this process's background thread has removed what it was given."""
    return _deleter.wait(timeout)
