"""Signals the domain sends when it changes articles in bulk.

`post_save` and `m2m_changed` do not fire for `QuerySet.update()` or for merges, so the write
functions in `services.py` announce which articles changed. Whoever keeps a copy of articles
(the search index) listens here; the domain never knows who that is. The signal is sent inside
the writer's transaction: a listener's own writes commit or roll back with the change.

`bulk_writes()` marks a run of many writes (an import of thousands of pieces): listeners still
record every change inside its transaction, but may put off the work each change asks for until
`bulk_writes_finished` is sent at the end of the run.
"""

import contextvars
import logging
from contextlib import contextmanager

from django.dispatch import Signal

log = logging.getLogger("archive.articles")

# Sent with `article_ids`: a set of primary keys whose content or visibility changed.
articles_changed = Signal()

# Sent once when a `bulk_writes()` block ends without an error.
bulk_writes_finished = Signal()

_bulk = contextvars.ContextVar("archive_bulk_writes", default=None)


class FollowUpDeferred(Exception):
    """Raised by a `bulk_writes_finished` listener whose follow-up work could not be done now
    (the index catch-up during a database outage) but stays recorded for its next run: the writes
    are committed, so the caller reports it rather than fail. Any other exception is a bug and
    propagates."""


class BulkRun:
    """What a `bulk_writes()` block yields. After the block, `followup_errors` holds the message
    of each listener that deferred its follow-up work (`FollowUpDeferred`)."""

    def __init__(self):
        self.followup_errors = []


def in_bulk_writes():
    """True inside a `bulk_writes()` block."""
    return _bulk.get() is not None


@contextmanager
def bulk_writes():
    """Many writes in a row: follow-up work (reindexing) may wait until the block ends.

    Nested blocks are one block (the outermost sends the signal). An error or interrupt skips
    `bulk_writes_finished`: what the listeners recorded stays recorded for their next run. A
    listener that defers its work (`FollowUpDeferred`) is logged and named in the yielded
    `BulkRun`, not raised.
    """
    current = _bulk.get()
    if current is not None:
        yield current
        return
    run = BulkRun()
    token = _bulk.set(run)
    try:
        yield run
    finally:
        _bulk.reset(token)
    try:
        bulk_writes_finished.send(sender=None)
    except FollowUpDeferred as deferred:
        log.warning("after the bulk writes: %s", deferred)
        run.followup_errors.append(str(deferred))
