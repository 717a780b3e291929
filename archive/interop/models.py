"""What archive.interop keeps of its own: tombstones of articles that left the public archive.

OAI-PMH harvesters must learn that a record they copied is gone. When a public article is
deleted or unpublished, a tombstone keeps its identifier, the sets it was in and when it went;
`/oai/` reports it as deleted. Publishing the article again removes the tombstone.
"""

from django.db import models


class OaiTombstone(models.Model):
    # Not a foreign key: the article may no longer exist.
    article_id = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=20)
    language = models.CharField(max_length=8)
    datestamp = models.DateTimeField(help_text="When the article left the public archive.")

    class Meta:
        ordering = ["datestamp", "article_id"]
        indexes = [models.Index(fields=["datestamp", "article_id"], name="oai_tombstone_stamp_idx")]

    def __str__(self):
        return f"Tombstone of article {self.article_id} ({self.datestamp:%Y-%m-%d})"


class OaiExposure(models.Model):
    """An article that has been public, so harvesters may hold a copy of it.

    Bulk unpublishing (`articles_changed`) does not say what an article was before; this mark
    does, so only pieces that were public get a tombstone, never drafts that never were.
    """

    article_id = models.BigIntegerField(primary_key=True)

    class Meta:
        ordering = ["article_id"]

    def __str__(self):
        return f"Article {self.article_id} has been public"
