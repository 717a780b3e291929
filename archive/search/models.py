"""The durable queue of articles whose index documents must be rewritten.

A row is written in the same transaction as the change it records, so a rolled-back save leaves
no row and a committed save always leaves one. After the commit the queue is drained into the
index under the write lock; a failed drain leaves the rows for the next drain or for
`check_index --repair`.

Rows queued by a bulk run (an import) are marked `bulk`: a drain writes every other row first, and
the bulk ones in small batches, so an editor's save is never queued behind a whole import.
"""

from django.db import models


class PendingIndexUpdate(models.Model):
    article_id = models.BigIntegerField(db_index=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    bulk = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = "pending index update"

    def __str__(self):
        return f"article {self.article_id} queued {self.queued_at:%Y-%m-%d %H:%M:%S}"
