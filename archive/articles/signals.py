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
from contextlib import contextmanager

from django.dispatch import Signal

# Sent with `article_ids`: a set of primary keys whose content or visibility changed.
articles_changed = Signal()

# Sent once when a `bulk_writes()` block ends without an error.
bulk_writes_finished = Signal()

_bulk = contextvars.ContextVar("archive_bulk_writes", default=False)


def in_bulk_writes():
    """True inside a `bulk_writes()` block."""
    return _bulk.get()


@contextmanager
def bulk_writes():
    """Many writes in a row: follow-up work (reindexing) may wait until the block ends.

    Nested blocks are one block. An error or interrupt skips `bulk_writes_finished`: what the
    listeners recorded stays recorded for their next run.
    """
    if _bulk.get():
        yield
        return
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)
    bulk_writes_finished.send(sender=None)
