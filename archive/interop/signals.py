"""Keep OAI-PMH tombstones in step with articles.

- A save that takes a public article out of public view (unpublished, or moved to a future
  date) leaves a tombstone; a save that makes it public again removes it.
- Deleting a public article leaves a tombstone.
- Bulk changes (`articles_changed`, sent by the write functions after commit) are checked again
  against the database: public articles lose their tombstone; drafts dated today or earlier get
  one (a bulk unpublish). A harvester ignores a deletion of a record it never saw.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from archive.articles.models import Article
from archive.articles.signals import articles_changed
from archive.interop.models import OaiTombstone


def _was_public(status, date):
    return status == Article.Status.PUBLISHED and date <= timezone.localdate()


def tombstone_set(*, article_id, kind, language):
    OaiTombstone.objects.update_or_create(
        article_id=article_id,
        defaults={"kind": kind, "language": language, "datestamp": timezone.now()},
    )


def tombstone_clear(*, article_ids):
    OaiTombstone.objects.filter(article_id__in=list(article_ids)).delete()


@receiver(pre_save, sender=Article, dispatch_uid="interop_article_pre_save")
def remember_visibility(sender, instance, raw=False, **kwargs):
    instance._interop_was_public = False
    if instance.pk is not None:
        before = Article.objects.filter(pk=instance.pk).values("status", "date").first()
        if before is not None:
            instance._interop_was_public = _was_public(before["status"], before["date"])


@receiver(post_save, sender=Article, dispatch_uid="interop_article_post_save")
def follow_visibility(sender, instance, raw=False, **kwargs):
    if instance.is_public:
        tombstone_clear(article_ids=[instance.pk])
    elif getattr(instance, "_interop_was_public", False):
        tombstone_set(article_id=instance.pk, kind=instance.kind, language=instance.language)


@receiver(post_delete, sender=Article, dispatch_uid="interop_article_post_delete")
def follow_delete(sender, instance, **kwargs):
    if _was_public(instance.status, instance.date):
        tombstone_set(article_id=instance.pk, kind=instance.kind, language=instance.language)


@receiver(articles_changed, dispatch_uid="interop_articles_changed")
def follow_bulk_change(sender, article_ids, **kwargs):
    rows = {
        row["pk"]: row
        for row in Article.objects.filter(pk__in=list(article_ids)).values(
            "pk", "status", "date", "kind", "language"
        )
    }
    public = [pk for pk, row in rows.items() if _was_public(row["status"], row["date"])]
    tombstone_clear(article_ids=public)
    already = set(OaiTombstone.objects.filter(article_id__in=list(rows)).values_list("article_id", flat=True))
    for pk, row in rows.items():
        if (
            pk not in already
            and row["status"] == Article.Status.DRAFT
            and row["date"] <= timezone.localdate()
        ):
            tombstone_set(article_id=pk, kind=row["kind"], language=row["language"])
