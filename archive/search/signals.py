"""Signal handlers: every change that alters what an article's document holds queues it.

Handlers only write queue rows (inside the caller's transaction); the index is written after the
commit. Covered: article save and delete, authorship rows (byline changes), translations of the
title and abstract, the keywords many-to-many, author and keyword saves (renames) and deletes,
and the domain's `articles_changed` (merges, bulk status changes). At the end of a
`bulk_writes()` run (an import) the queue is caught up at once.
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from archive.articles.models import Article, ArticleTranslation, Author, Authorship, Keyword
from archive.articles.signals import FollowUpDeferred, articles_changed, bulk_writes_finished
from archive.search.indexing import catch_up, enqueue


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue([instance.pk])


def article_deleted(sender, instance, **kwargs):
    enqueue([instance.pk])


def authorship_changed(sender, instance, raw=False, **kwargs):
    """A byline row, or a translation of the title and abstract: its article's document changes."""
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
    if transaction.get_connection().in_atomic_block:
        # The run's last rows are still in an open transaction (load_demo imports in one).
        transaction.on_commit(_catch_up_logged)
        return
    catch_up_retrying()


log = logging.getLogger("archive.search")


def catch_up_retrying():
    """`catch_up()`, tried again after a database error (a restart, a failover): up to
    ARCHIVE_SEARCH_CATCH_UP_RETRIES more times, waiting 1, 2, 4 ... seconds between tries, on a
    fresh connection. Then `FollowUpDeferred`: the queue still holds every stored article, and
    `update_index` (or the next save) applies it; the import reports it and exits 0."""
    retries = settings.ARCHIVE_SEARCH_CATCH_UP_RETRIES
    for attempt in range(retries + 1):
        try:
            return catch_up()
        except (DatabaseError, InterfaceError) as error:
            reason = f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0][:200]}"
            connections.close_all()
            if attempt == retries:
                raise FollowUpDeferred(
                    f"the search index did not catch up after {retries + 1} tries ({reason})"
                ) from error
            delay = 2**attempt
            log.warning(
                "index catch-up failed on the database (%s); trying again in %d s (%d of %d)",
                reason,
                delay,
                attempt + 1,
                retries,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")


def _catch_up_logged():
    try:
        catch_up_retrying()
    except FollowUpDeferred as deferred:
        log.warning("%s; the queued articles wait for update_index or the next save", deferred)


def connect():
    post_save.connect(article_saved, sender=Article, dispatch_uid="search_article_saved")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="search_article_deleted")
    post_save.connect(authorship_changed, sender=Authorship, dispatch_uid="search_authorship_saved")
    post_delete.connect(authorship_changed, sender=Authorship, dispatch_uid="search_authorship_deleted")
    # A title or abstract in another language is searched with the piece.
    post_save.connect(authorship_changed, sender=ArticleTranslation, dispatch_uid="search_translation_saved")
    post_delete.connect(
        authorship_changed, sender=ArticleTranslation, dispatch_uid="search_translation_deleted"
    )
    m2m_changed.connect(keywords_changed, sender=Article.keywords.through, dispatch_uid="search_keywords")
    post_save.connect(author_changed, sender=Author, dispatch_uid="search_author_saved")
    post_save.connect(keyword_changed, sender=Keyword, dispatch_uid="search_keyword_saved")
    # Before the keyword goes, its links still name the articles that lose it.
    pre_delete.connect(keyword_changed, sender=Keyword, dispatch_uid="search_keyword_deleted")
    articles_changed.connect(announced, dispatch_uid="search_articles_changed")
    bulk_writes_finished.connect(bulk_finished, dispatch_uid="search_bulk_writes_finished")
