"""Keep OAI-PMH tombstones in step with articles.

- A save that takes a public article out of public view (unpublished, or moved to a future
  date) leaves a tombstone; a save that makes it public again removes it.
- Deleting a public article leaves a tombstone.
- Bulk changes (`articles_changed`, sent by the write functions inside their transaction) are checked again
  against the database: public articles lose their tombstone; articles no longer public that
  have been public (`OaiExposure`) get one.

Known gap: a piece that became public only because its future date arrived, and is then
unpublished in bulk without any save in between, has no exposure mark and gets no tombstone.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from archive.articles.models import Article
from archive.articles.signals import articles_changed
from archive.interop.models import OaiExposure, OaiTombstone


def _was_public(status, date):
    return status == Article.Status.PUBLISHED and date <= timezone.localdate()


def tombstone_set(*, article_id, kind, language, fresh):
    """Report the article deleted. `fresh`: it was public until now, so the datestamp moves even
    when an old tombstone exists (harvesters have seen it live since)."""
    values = {"kind": kind, "language": language, "datestamp": timezone.now()}
    if fresh:
        OaiTombstone.objects.update_or_create(article_id=article_id, defaults=values)
    else:
        OaiTombstone.objects.get_or_create(article_id=article_id, defaults=values)


def tombstone_clear(*, article_ids):
    """The articles are public: no tombstone, and remembered as exposed to harvesters."""
    article_ids = list(article_ids)
    OaiTombstone.objects.filter(article_id__in=article_ids).delete()
    OaiExposure.objects.bulk_create([OaiExposure(article_id=pk) for pk in article_ids], ignore_conflicts=True)


@receiver(pre_save, sender=Article, dispatch_uid="interop_article_pre_save")
def remember_visibility(sender, instance, raw=False, **kwargs):
    instance._interop_was_public = False
    if instance.pk is not None:
        before = Article.objects.filter(pk=instance.pk).values("status", "date").first()
        if before is not None:
            instance._interop_was_public = _was_public(before["status"], before["date"])


def _hide(instance, *, was_public):
    if was_public or OaiExposure.objects.filter(article_id=instance.pk).exists():
        tombstone_set(
            article_id=instance.pk, kind=instance.kind, language=instance.language, fresh=was_public
        )


@receiver(post_save, sender=Article, dispatch_uid="interop_article_post_save")
def follow_visibility(sender, instance, raw=False, **kwargs):
    if instance.is_public:
        tombstone_clear(article_ids=[instance.pk])
    else:
        _hide(instance, was_public=getattr(instance, "_interop_was_public", False))


@receiver(post_delete, sender=Article, dispatch_uid="interop_article_post_delete")
def follow_delete(sender, instance, **kwargs):
    _hide(instance, was_public=_was_public(instance.status, instance.date))


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
    hidden = [pk for pk in rows if pk not in public]
    for pk in OaiExposure.objects.filter(article_id__in=hidden).values_list("article_id", flat=True):
        tombstone_set(article_id=pk, kind=rows[pk]["kind"], language=rows[pk]["language"], fresh=False)
