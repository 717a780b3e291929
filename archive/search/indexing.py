"""Keeping the index in step with the database.

- `enqueue(ids)` records articles to reindex, inside the caller's transaction, and asks for a
  drain once it commits.
- After the commit, a per-process drainer thread drains the whole queue: at once after a quiet
  spell, else `ARCHIVE_SEARCH_DRAIN_DELAY` seconds (default 0.15) after its last drain, so that
  saves made close together (an import of thousands of pieces, one transaction each) go to the
  index in one Whoosh commit. It is flushed at process exit. With the delay set to 0 (the tests)
  the hook drains synchronously.
- A save outside an import then waits, up to `ARCHIVE_SEARCH_SAVE_WAIT` seconds (default 2),
  until its own index write is committed, whoever writes it: when an editor's save returns, a
  search finds it (read-your-writes, as Elasticsearch's `refresh=wait_for`). It stops waiting
  early when the index cannot be written (the queue keeps the save for the retries).
- `process_queue()` drains the queue under the write lock: each queued article is rewritten
  from the database (or deleted when it is gone or no longer published). Rows are removed only
  after the index commit, so a crash re-does work and never loses it. Saves go before the rows an
  import queued, which are written `BULK_BATCH` at a time: a save committed while an import's
  catch-up runs waits for one small batch, not for the whole import (issue 19.4). While an import
  runs, drains in other processes leave its rows to its own catch-up (`imports_elsewhere()`).
- `rebuild()` writes a complete new generation beside the live one and swaps it in.
- `health()` / `repair()` are `check_index` and the staff health page: how the index differs from
  the database (`compare()`), whether its files are as their commits wrote them (`damaged`), and
  whether it can be written now (`problems`: a full disk, a read-only folder, a stuck queue).
  `repair()` rewrites what differs, or rebuilds aside and swaps when the files are damaged.
- A drain that fails (a full disk, a read-only index folder) is tried again by the drainer, one
  second later and then less often, until it succeeds: the saves wait in the queue, never lost,
  and the index catches up by itself once space or permission returns.
"""

import atexit
import datetime
import fcntl
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Min
from django.utils import timezone

from archive.articles.signals import in_bulk_writes
from archive.search import schema
from archive.search.backends import backend
from archive.search.backends.base import IndexLocked, SearchUnavailable
from archive.search.models import PendingIndexUpdate

log = logging.getLogger("archive.search")

BATCH = 500
# The pieces an import queued are written this many at a time, so that saves queued meanwhile
# (written first at every batch) wait for at most one such commit: about a second under the
# soak's load (50 took 3-6 s). More commits cost little now that merging runs aside.
BULK_BATCH = 10


def enqueue(article_ids):
    """Queue `article_ids` for reindexing (in the current transaction) and drain after commit."""
    ids = sorted({int(pk) for pk in article_ids if pk is not None})
    if not ids:
        return
    bulk = in_bulk_writes()
    if bulk:
        _hold_import_lock()
    rows = PendingIndexUpdate.objects.bulk_create(
        [PendingIndexUpdate(article_id=pk, bulk=bulk) for pk in ids]
    )
    if not bulk:
        _unwritten.rows = [*getattr(_unwritten, "rows", ()), *(row.pk for row in rows if row.pk)]
    transaction.on_commit(drain_after_commit)


# The queue rows this thread's saves added since its last commit, which the on-commit hook waits
# for (rows of a transaction that rolled back are simply never found).
_unwritten = threading.local()


# An import's rows wait for its own catch-up. A drain in another process that took them wrote the
# import's pieces beside it, 50 a commit, and every save behind those commits waited (the soak's
# editor did, issue 19.4). So a process with import rows queued holds a shared lock on this file in
# the index folder until its catch-up ends, and other drains leave `bulk` rows alone while anyone
# holds it. The lock goes with its process: the rows of an import that died are taken by the next
# drain.
IMPORTS_LOCK = "imports.lock"
_import_lock = None  # (pid, open file) while this process holds it


def _imports_lock_file():
    """The lock file, open; None when the index folder cannot hold one (read-only, full): then
    drains do as they did before the lock, and take an import's rows too."""
    path = Path(settings.ARCHIVE_INDEX_DIR) / IMPORTS_LOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+")
    except OSError:
        try:
            return open(path)  # a lock needs no write access to its file
        except OSError:
            return None


def _hold_import_lock():
    global _import_lock
    if _import_lock is None or _import_lock[0] != os.getpid():
        handle = _imports_lock_file()
        if handle is None:
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        _import_lock = (os.getpid(), handle)


def release_import_lock():
    """This process's import has caught up (or given up): its rows are anyone's to drain."""
    global _import_lock
    if _import_lock is not None and _import_lock[0] == os.getpid():
        _import_lock[1].close()
    _import_lock = None


def imports_elsewhere():
    """Whether another process has an import's rows queued and has not caught up yet."""
    if _import_lock is not None and _import_lock[0] == os.getpid():
        return False
    handle = _imports_lock_file()
    if handle is None:
        return False
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def drain_after_commit():
    """The on-commit hook: wake this process's drainer (or, with no drain delay, drain now if
    nobody else is writing), then wait for the index to hold the transaction's saves
    (`_wait_until_written`). Never raises into the caller.

    Inside `bulk_writes()` (an import) it does nothing: the rows stay queued for `catch_up()`
    at the end of the run. Draining beside the import would cost more than the index work
    itself, since the writer thread and the import share one interpreter lock.
    """
    if in_bulk_writes() or _migrating:
        return
    rows, _unwritten.rows = getattr(_unwritten, "rows", []), []
    committed = time.monotonic()
    delay = drain_delay()
    if delay > 0:
        try:
            _DRAINER.wake(delay)
        except Exception:  # no thread could be started: drain in the caller instead
            log.exception("could not start the search index drainer; draining synchronously")
        else:
            _wait_until_written(rows, committed)
            return
    if _drain_logged() is not None:
        _wait_until_written(rows, committed)


def save_wait():
    return float(getattr(settings, "ARCHIVE_SEARCH_SAVE_WAIT", 2.0) or 0)


def _wait_until_written(rows, committed):
    """Return once queue `rows` are gone (their index write is committed, by this process's
    drainer or by whoever held the write lock), the drainer failed a drain begun after
    `committed`, or ARCHIVE_SEARCH_SAVE_WAIT seconds have passed. The rows stay queued either way.

    Under the soak's load (six readers saturating two cores), an edit's index write came 0.1-0.2 s
    after its database commit, so the editor's first search sent at once missed it and the piece
    was found one answer later: p95 1.2 s from the commit. Waiting here puts that lag inside the
    save, and the first search finds the piece. While a rebuild runs the save returns at once:
    the rebuild applies the rows when it ends, long after any wait worth making."""
    deadline = committed + save_wait()
    if not rows or time.monotonic() >= deadline:
        return
    try:
        engine = backend()
        while PendingIndexUpdate.objects.filter(id__in=rows).exists():
            remaining = deadline - time.monotonic()
            # A rebuild holds the index for a minute or more: its end applies the rows.
            if remaining <= 0 or _DRAINER.failed_since(committed) or engine.rebuilding():
                return
            _DRAINER.wait_for_drain(min(remaining, 0.05))
    except Exception:  # the save is committed and queued: never fail it for the wait
        log.exception("could not wait for a save's index write; the queue keeps it")


# Rows queued while `migrate` runs (a data migration announcing the articles it changed) are
# written when it ends: a drain in between reads articles with columns later migrations add.
_migrating = False


def hold_for_migrate(**kwargs):
    """pre_migrate: leave what is queued from now on until the migrations are done."""
    global _migrating
    _migrating = True


def release_after_migrate(*, using="default", **kwargs):
    """post_migrate: drain what the migrations queued, once the schema is the code's."""
    global _migrating
    if not _migrating:
        return
    _migrating = False
    if _schema_is_current(using) and PendingIndexUpdate.objects.using(using).exists():
        drain_after_commit()


def _schema_is_current(using):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def drain_delay():
    return float(getattr(settings, "ARCHIVE_SEARCH_DRAIN_DELAY", 0.15) or 0)


def _drain_logged():
    """Drain; None when it failed (logged; the queue keeps the articles for the next drain)."""
    try:
        return process_queue(wait=False)
    except Exception:
        log.exception("search index update failed; the queue keeps the articles for the next drain")
        return None


# After a failed drain, the drainer tries again this many seconds later, doubling up to RETRY_MAX.
RETRY_FIRST = 1.0
RETRY_MAX = 60.0


class _Drainer:
    """One background thread per process that batches on-commit drains.

    `wake()` sets an event; the thread drains everything queued (one index commit per `BATCH`
    articles) at once if it has not drained within the last `delay` seconds, else when that much
    time has passed since it last did: saves committed meanwhile (or while it drains) share one
    commit. `flush()` (at exit) drains what is left.
    """

    def __init__(self):
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self._pid = None
        self._stopping = False
        self._atexit_pid = None
        self._delay = 0.0
        self._drained = threading.Condition()
        self._failed_at = float("-inf")  # monotonic time a drain that failed began

    def wake(self, delay):
        with self._lock:
            self._delay = delay  # the setting as it is now, not as it was when the thread started
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                # First use in this process (or after a fork, which does not copy threads).
                self._event = threading.Event()
                self._drained = threading.Condition()
                self._stopping = False
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="search-index-drainer", daemon=True)
                self._thread.start()
                if self._atexit_pid != self._pid:
                    atexit.register(self.flush)
                    self._atexit_pid = self._pid
        self._event.set()

    def _run(self):
        event = self._event
        last = float("-inf")
        retry = None  # seconds until a failed drain is tried again; None: wait for a save
        failing_since = None  # when the drains began to fail
        try:
            while True:
                event.wait(retry)
                # A save after a quiet spell is written at once; saves that follow within `delay`
                # of the last drain (an import) wait for it and share one index commit.
                remaining = last + self._delay - time.monotonic()
                if remaining > 0 and not self._stopping:
                    time.sleep(remaining)
                event.clear()
                last = time.monotonic()
                failed = True
                try:
                    failed = _drain_logged() is None
                finally:
                    connections.close_all()  # this thread's own; reopened at the next drain
                    with self._drained:
                        if failed:
                            self._failed_at = last
                        self._drained.notify_all()
                if self._stopping:
                    return
                # Tried again after as long as the drains have been failing (1, 2, 4 ... seconds):
                # counted in time, not in attempts, since every save also makes one.
                if not failed:
                    retry = failing_since = None
                    continue
                failing_since = failing_since if failing_since is not None else last
                retry = min(RETRY_MAX, max(RETRY_FIRST, time.monotonic() - failing_since))
        except Exception:
            log.exception("the search index drainer stopped; the next save starts another")

    def wait_for_drain(self, timeout):
        """Sleep until this process's drainer finishes a drain, or `timeout` seconds."""
        with self._drained:
            self._drained.wait(timeout)

    def failed_since(self, moment):
        """Whether a drain begun at or after `moment` (monotonic) failed."""
        return self._failed_at >= moment

    def flush(self, timeout=120):
        """Drain what is queued and stop the thread (atexit). Returns once it is done."""
        with self._lock:
            thread = self._thread if self._pid == os.getpid() else None
            self._thread = None
        if thread is None or not thread.is_alive():
            return
        self._stopping = True
        self._event.set()
        thread.join(timeout)


_DRAINER = _Drainer()


def flush_pending(timeout=120):
    """Stop this process's drainer after it has drained what is queued (tests, benchmarks)."""
    _DRAINER.flush(timeout)


def process_queue(*, wait=True):
    """Apply every queued update. Returns how many articles were written or deleted.

    With `wait=False`, returns 0 at once when another process holds the write lock: that process
    looks at the queue again after releasing the lock, so nothing queued before is left behind.
    """
    done = 0
    while True:
        try:
            with backend().write_lock(wait=wait):
                done += _drain_locked()
        except IndexLocked:
            return done
        # Re-check after releasing: rows committed while we held the lock may have given up on it.
        if not _takeable().exists():
            return done
        wait = False


def _takeable():
    """The queued rows this process drains: all, or only saves while an import runs elsewhere."""
    queued = PendingIndexUpdate.objects.all()
    return queued.filter(bulk=False) if imports_elsewhere() else queued


def _drain_locked():
    done = 0
    while True:
        rows = _next_batch()
        if not rows:
            return done
        ids = {article_id for _, article_id in rows}
        write_articles(ids)
        PendingIndexUpdate.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
        done += len(ids)


def _next_batch():
    """[(row id, article id)] to write next: saves first, then the rows of the first BULK_BATCH
    articles an import queued (a piece queues a row per save of it and of its authors/keywords)."""
    queued = PendingIndexUpdate.objects.order_by("id").values_list("id", "article_id")
    rows = list(queued.filter(bulk=False)[:BATCH])
    if rows or imports_elsewhere():
        return rows
    first = list(
        dict.fromkeys(queued.filter(bulk=True).values_list("article_id", flat=True)[: BULK_BATCH * 8])
    )
    return list(queued.filter(bulk=True, article_id__in=first[:BULK_BATCH]))


def write_articles(ids):
    """Rewrite the documents of `ids` from the database through the configured engine: deleted
    and unpublished ones are removed."""
    articles = list(schema.indexable().filter(pk__in=ids).for_listing())
    found = {article.pk for article in articles}
    backend().update(articles, delete_ids=sorted(pk for pk in ids if pk not in found))


def catch_up():
    """Apply what a run of bulk writes queued, waiting for the write lock.

    When the queue would rewrite a large part of the index (the first import into an empty
    archive, say), a fresh generation is built instead: the bulk build is several times faster
    than rewriting documents in batches, and search answers from the old one meanwhile.
    """
    try:
        return _catch_up()
    finally:
        release_import_lock()


def _catch_up():
    queued = PendingIndexUpdate.objects.values("article_id").distinct().count()
    if not queued:
        return 0
    started = time.monotonic()
    how = "updates"
    engine = backend()
    if engine.builds_aside and queued >= max(REBUILD_FROM, (engine.doc_count() or 0) // 4):
        how = "new generation"
    if how == "updates":
        process_queue(wait=True)
    else:
        rebuild()
    log.info(
        "index caught up with %d queued articles in %.1f s (%s)", queued, time.monotonic() - started, how
    )
    return queued


# A catch-up of at least this many articles, and a quarter of the index, rebuilds instead: the
# bulk build writes a document several times faster than batched updates do.
REBUILD_FROM = 500


def rebuild(*, progress=None):
    """Index every indexable article from scratch. The built-in engine writes a new generation
    beside the live one and swaps it in (search answers from the old one meanwhile); another
    engine rewrites its documents in place.

    Holds the write lock throughout, so saves made meanwhile wait in the queue and are applied
    right after."""
    engine = backend()
    with engine.write_lock(wait=True, timeout=3600):
        # Rows queued before this point are covered by the fresh read of the database.
        covered = list(PendingIndexUpdate.objects.values_list("id", flat=True))
        articles = schema.indexable()
        name = engine.rebuild(
            articles.for_listing().iterator(chunk_size=BATCH), progress=progress, count=articles.count()
        )
        for start in range(0, len(covered), BATCH):
            PendingIndexUpdate.objects.filter(id__in=covered[start : start + BATCH]).delete()
        _drain_locked()
    process_queue(wait=False)
    return name


def health():
    """check_index's report: `compare()`'s keys, plus `damaged` (what is wrong with the live
    index's files, checksums compared), `pending` (queued updates), `pending_since` (the oldest,
    ISO 8601) and `problems` (why the index cannot be written now, or is not being written).
    With damaged files the index is not read: `index` is None and the lists are empty."""
    damaged = backend().damage(checksums=True)
    report = None
    if not damaged:
        try:
            report = compare()
        except SearchUnavailable as error:
            damaged = [str(error)]
    if report is None:
        report = {"database": schema.indexable().count(), "index": None}
        report.update(missing=[], stale=[], orphaned=[])
    queue = PendingIndexUpdate.objects.aggregate(count=Count("id"), oldest=Min("queued_at"))
    report["damaged"] = damaged
    report["pending"] = queue["count"]
    report["pending_since"] = queue["oldest"].isoformat() if queue["oldest"] else None
    report["problems"] = backend().write_problems()
    # An import's rows wait for its catch-up while it runs: not a stuck queue.
    waiting = _takeable().aggregate(count=Count("id"), oldest=Min("queued_at"))
    if waiting["oldest"] and timezone.now() - waiting["oldest"] > datetime.timedelta(seconds=STUCK_AFTER):
        report["problems"].append(
            f"{waiting['count']} index update(s) have waited since "
            f"{waiting['oldest']:%Y-%m-%d %H:%M:%S %Z}: "
            "the index is not being written (the log says why, under 'search index update failed'); "
            "once the cause is gone the next save, or manage.py update_index, applies them."
        )
    return report


# Updates queued for longer than this (seconds) mean the index is not being written.
STUCK_AFTER = 120


def compare():
    """How the index differs from the database (PRODUCT.md's `check_index --json` shape)."""
    expected = {
        article.pk: schema.stamp(article)
        for article in schema.indexable().for_listing().iterator(chunk_size=BATCH)
    }
    indexed = backend().stamps()
    missing = sorted(pk for pk in expected if pk not in indexed)
    orphaned = sorted(pk for pk in indexed if pk not in expected)
    stale = sorted(pk for pk, stamp in expected.items() if pk in indexed and indexed[pk] != stamp)
    return {
        "database": len(expected),
        "index": len(indexed),
        "missing": missing,
        "stale": stale,
        "orphaned": orphaned,
    }


def repair(report=None):
    """Fix what `health()` found (creating the index if there is none); returns the new report.
    Damaged files are not patched: a new generation is built from the database beside them and
    swapped in (search answers 503 meanwhile, as it did since the damage)."""
    report = report or health()
    if report.get("damaged"):
        log.warning("rebuilding the damaged search index: %s", " ".join(report["damaged"]))
        rebuild()
        backend().forget()
        return health()
    ids = sorted(set(report["missing"]) | set(report["stale"]) | set(report["orphaned"]))
    engine = backend()
    with engine.write_lock(wait=True):
        if not engine.exists():
            engine.create()
        for start in range(0, len(ids), BATCH):
            write_articles(ids[start : start + BATCH])
        _drain_locked()
    return health()


def start_repair():
    """Run `check_index --repair` in a process of its own, which outlives the request that starts
    it (a rebuild takes minutes at 100,000 articles); its errors go to this server's log."""
    process = subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "check_index", "--repair", "-v", "0"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.warning("search index repair started by staff (process %d)", process.pid)
    return process.pid
