"""Uploads read in the background, so no request waits for a long file (see docs/ingest.md).

The upload request only checks each file's bytes (`files.check_file`: type, size, zip bombs),
stores it and queues a `PendingUpload`; then it starts a reader. A reader claims one queued
upload at a time with a conditional UPDATE (queued -> reading), so any number of readers in any
number of processes or machines never read one file twice; it runs the sandboxed extraction,
records pages done and beats `heartbeat_at` every few seconds, and stores the draft (ready) or
the reason (failed). It goes on until nothing is queued.

Surviving restarts: a reading whose heartbeat is older than `ARCHIVE_INGEST_STALE_SECONDS` (45)
lost its reader
(killed with its gunicorn worker, the machine restarted). The next reader puts it back in the
queue, or after `MAX_ATTEMPTS` marks it failed with a sentence for the editor: never lost silently.

Readers (`ARCHIVE_INGEST_READER`):
- `process` (default): a detached `manage.py read_uploads` process, outside any gunicorn
  worker, so recycling workers never stops it; started after the upload commits, and again by the
  upload pages whenever work is queued and no reader beats.
- `thread`: a thread of the web process (the browser tests' live server).
- `inline`: in the request itself (the test client's tests: one transaction).
- `command`: only `manage.py read_uploads`, run by cron or a systemd timer (or by a test).
`manage.py read_uploads` can also run from cron or a systemd timer beside the others, as a backstop.
"""

import datetime
import hashlib
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from archive.ingest.draft import ExtractionError
from archive.ingest.extract import extract_file
from archive.ingest.files import FILE_FORMATS, Limits, check_file
from archive.ingest.models import PendingUpload

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
MAX_ATTEMPTS = 2
ROOT = Path(__file__).resolve().parent.parent.parent

State = PendingUpload.State


# --- Upload ------------------------------------------------------------------------------------


def uploads_create(*, files, user):
    """Store each uploaded file and queue it for reading. Returns (queued PendingUploads, refused),
    `refused` a list of sentences for the files refused by their bytes (type, size, zip bomb),
    which are stored nowhere."""
    limits = Limits.from_settings()
    queued, refused = [], []
    for uploaded in files:
        if uploaded.size > limits.max_file_bytes:
            # Refuse before reading: a huge upload is already on disk, never in memory.
            refused.append(
                f"{uploaded.name} is {uploaded.size / 1048576:.1f} MB; the limit is "
                f"{limits.max_file_bytes / 1048576:.1f} MB (ARCHIVE_INGEST_MAX_FILE_BYTES)."
            )
            continue
        data = uploaded.read()
        try:
            fmt = check_file(data, uploaded.name, limits)
            if fmt not in FILE_FORMATS:
                raise ExtractionError(
                    f"{uploaded.name} is a {fmt.upper()} file of many pieces, not one piece."
                )
        except ExtractionError as error:
            refused.append(str(error))
            continue
        pending = PendingUpload(
            filename=uploaded.name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            state=State.QUEUED,
            uploaded_by=user,
        )
        pending.file.save(uploaded.name, ContentFile(data), save=False)
        pending.save()
        queued.append(pending)
    if queued:
        if settings.ARCHIVE_INGEST_READER == "inline":
            read_queued()
            for pending in queued:
                pending.refresh_from_db()
        else:
            transaction.on_commit(start_reader)
    return queued, refused


# --- Reading -----------------------------------------------------------------------------------


def stale_seconds():
    """How long a reading may go without a heartbeat before its reader is taken for dead."""
    return settings.ARCHIVE_INGEST_STALE_SECONDS


def _recover_stale(now):
    """Readings whose reader stopped beating: back in the queue, or failed after MAX_ATTEMPTS."""
    stale = PendingUpload.objects.filter(
        state=State.READING, heartbeat_at__lt=now - datetime.timedelta(seconds=stale_seconds())
    )
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=State.FAILED,
        finished_at=now,
        error=(
            f"Reading stopped {MAX_ATTEMPTS} times without finishing (the server or its reader was "
            "restarted, or the file is too hard to read). Upload it again, or import it with "
            "manage.py import_articles to see the error."
        ),
    )
    requeued = stale.filter(attempts__lt=MAX_ATTEMPTS).update(state=State.QUEUED)
    if requeued:
        log.warning("ingest: %d upload(s) left half-read by a stopped reader are queued again", requeued)


def claim_next():
    """The oldest queued upload, now ours to read (state reading), or None."""
    now = timezone.now()
    _recover_stale(now)
    for pk in (
        PendingUpload.objects.filter(state=State.QUEUED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:5]
    ):
        claimed = PendingUpload.objects.filter(pk=pk, state=State.QUEUED).update(
            state=State.READING,
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            started_at=now,
            progress_done=0,
            progress_total=0,
            progress_stage="",
        )
        if claimed:
            return PendingUpload.objects.get(pk=pk)
    return None


def read_upload(pending):
    """Read one claimed upload: the draft and the original's text (ready), or the reason (failed).

    Progress and heartbeats are written from this thread (the sandbox calls back here while it
    waits for the child), never from a thread of its own."""
    beat = {"progress": 0.0, "alive": time.monotonic()}
    mine = PendingUpload.objects.filter(pk=pending.pk, state=State.READING)

    def on_progress(done, total, stage):
        # At most one write a second (and the last page).
        if time.monotonic() - beat["progress"] >= 1 or done == total:
            beat["progress"] = beat["alive"] = time.monotonic()
            mine.update(
                progress_done=done, progress_total=total, progress_stage=stage, heartbeat_at=timezone.now()
            )

    def on_wait():
        if time.monotonic() - beat["alive"] >= HEARTBEAT_SECONDS:
            beat["alive"] = time.monotonic()
            mine.update(heartbeat_at=timezone.now())

    try:
        with pending.file.open("rb") as handle:
            data = handle.read()
        draft, text = extract_file(
            data, filename=pending.filename, on_progress=on_progress, on_wait=on_wait, with_text=True
        )
    except (ExtractionError, OSError) as error:
        message = (
            str(error) if isinstance(error, ExtractionError) else f"{pending.filename} could not be opened."
        )
        fields = {"state": State.FAILED, "error": message}
    else:
        fields = {"state": State.READY, "draft": draft.to_dict(), "original_text": text, "error": ""}
    mine.update(finished_at=timezone.now(), **fields)
    pending.refresh_from_db()
    return pending


def read_queued(*, limit=None):
    """Read queued uploads until none is left (or `limit` are read); returns how many were read."""
    done = 0
    while limit is None or done < limit:
        pending = claim_next()
        if pending is None:
            break
        read_upload(pending)
        done += 1
    return done


# --- Starting a reader -------------------------------------------------------------------------

_spawned = []  # readers (processes or threads) this web process started, while they run


def reader_is_beating():
    fresh = timezone.now() - datetime.timedelta(seconds=stale_seconds())
    return PendingUpload.objects.filter(state=State.READING, heartbeat_at__gte=fresh).exists()


def work_waiting():
    stale = timezone.now() - datetime.timedelta(seconds=stale_seconds())
    return (
        PendingUpload.objects.filter(state=State.QUEUED).exists()
        or PendingUpload.objects.filter(state=State.READING, heartbeat_at__lt=stale).exists()
    )


def start_reader():
    """Start a reader (see the module docstring) unless nothing waits or one is already reading."""
    mode = settings.ARCHIVE_INGEST_READER
    if mode == "inline":
        read_queued()
        return
    if mode == "command" or not work_waiting() or reader_is_beating():
        return
    # One reader at a time from this process: one it started may still be starting up (a Django
    # process takes a second or two before it claims), and the pages ask every 1.5 s.
    _spawned[:] = [
        r for r in _spawned if (r.is_alive() if isinstance(r, threading.Thread) else r.poll() is None)
    ]
    if _spawned:
        return
    if mode == "thread":
        thread = threading.Thread(target=_thread_reader, name="ingest-reader", daemon=True)
        thread.start()
        _spawned.append(thread)
    elif mode == "process":
        _spawned.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "read_uploads"],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=None,  # the reader's log lines go where the web server's go
                start_new_session=True,  # not stopped with the gunicorn worker that started it
            )
        )


def _thread_reader():
    try:
        read_queued()
    except Exception:
        log.exception("ingest: the reader thread stopped")
    finally:
        close_old_connections()
