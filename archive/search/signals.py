"""Signal handlers: every change that alters what an article's document holds queues it.

Handlers only write queue rows (inside the caller's transaction); the index is written after the
commit. Covered: article save and delete, authorship rows (byline changes), the keywords
many-to-many, author and keyword saves (renames) and deletes, and the domain's
`articles_changed` (merges, bulk status changes). At the end of a `bulk_writes()` run (an import)
the queue is caught up at once.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from archive.articles.models import Article, Author, Authorship, Keyword
from archive.articles.signals import articles_changed, bulk_writes_finished
from archive.search.indexing import catch_up, enqueue


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue([instance.pk])


def article_deleted(sender, instance, **kwargs):
    enqueue([instance.pk])


def authorship_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue([instance.article_id])


def keywords_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear", "pre_clear"}:
        return
    if not reverse:
        enqueue([instance.pk])
    elif action == "pre_clear":
        # keyword.articles.clear(): remember the articles before the rows go.
        enqueue(instance.articles.values_list("pk", flat=True))
    elif pk_set:
        enqueue(pk_set)


def author_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        enqueue(Authorship.objects.filter(author_id=instance.pk).values_list("article_id", flat=True))


def keyword_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        enqueue(
            Article.keywords.through.objects.filter(keyword_id=instance.pk).values_list(
                "article_id", flat=True
            )
        )


def announced(sender, article_ids=(), **kwargs):
    enqueue(article_ids)


def bulk_finished(sender, **kwargs):
    # The run's last rows may still be in an open transaction (load_demo imports in one).
    transaction.on_commit(catch_up)


def connect():
    post_save.connect(article_saved, sender=Article, dispatch_uid="search_article_saved")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="search_article_deleted")
    post_save.connect(authorship_changed, sender=Authorship, dispatch_uid="search_authorship_saved")
    post_delete.connect(authorship_changed, sender=Authorship, dispatch_uid="search_authorship_deleted")
    m2m_changed.connect(keywords_changed, sender=Article.keywords.through, dispatch_uid="search_keywords")
    post_save.connect(author_changed, sender=Author, dispatch_uid="search_author_saved")
    post_save.connect(keyword_changed, sender=Keyword, dispatch_uid="search_keyword_saved")
    # Before the keyword goes, its links still name the articles that lose it.
    pre_delete.connect(keyword_changed, sender=Keyword, dispatch_uid="search_keyword_deleted")
    articles_changed.connect(announced, dispatch_uid="search_articles_changed")
    bulk_writes_finished.connect(bulk_finished, dispatch_uid="search_bulk_writes_finished")
