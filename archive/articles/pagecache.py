"""Rendered reading pages, kept until the archive changes.

A page is cached per (content version, today's date, scheme, host, path and query) for visitors
without a session cookie (staff and anyone with a session always get a fresh page). The content
version is one database row (`ContentVersion`) that goes up after every committed change to
articles, authors, keywords, bylines and tags, so no page outlives a change: a visitor may read
the page from before a save only while that save is still committing. Today's date is in the key
because a piece dated in the future appears on its day without any change. Pages also expire
after ARCHIVE_PAGE_CACHE_SECONDS, which bounds what is not in the database (the related pieces
come from the search index, which follows a save within a second).

The cache is the "pages" alias (per-process memory by default; a shared cache such as Redis or
Memcached serves every worker from one copy).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from archive.articles.models import Article, Author, Authorship, ContentVersion, Keyword
from archive.articles.signals import articles_changed


def current_version():
    return ContentVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def bump_version():
    """Retire every cached page (called after a change commits)."""
    if not ContentVersion.objects.filter(pk=1).update(number=F("number") + 1):
        ContentVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def _changed(sender=None, raw=False, **kwargs):
    if raw:
        return
    # After the commit: a page rendered at the new number always shows the change. Once per
    # transaction (an imported piece fires a dozen signals); Django drops a callback when the
    # savepoint it was registered in rolls back, so a later change registers it again.
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is bump_version for entry in getattr(connection, "run_on_commit", ())
    ):
        return
    transaction.on_commit(bump_version)


def connect():
    for model in (Article, Author, Keyword, Authorship):
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache_saved_{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache_deleted_{model.__name__}")
    m2m_changed.connect(_changed, sender=Article.keywords.through, dispatch_uid="pagecache_keywords")
    articles_changed.connect(_changed, dispatch_uid="pagecache_articles_changed")


def _cacheable_request(request):
    return (
        settings.ARCHIVE_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _key(request, version):
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{version}:{timezone.localdate():%Y%m%d}:{digest}"


def cache_public_page(view):
    """Serve `view`'s successful responses from the page cache to visitors without a session."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        cache = caches["pages"]
        key = _key(request, current_version())  # read before the data the page is made from
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:

            def store(rendered):
                session = getattr(request, "session", None)
                if session is None or not session.accessed:
                    cache.set(key, rendered, settings.ARCHIVE_PAGE_CACHE_SECONDS)

            if hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(store)
            else:
                store(response)
        return response

    return cached_view
