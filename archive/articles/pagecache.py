"""Rendered reading pages, kept until the archive changes.

A page is cached per (content version, today's date, scheme, host, path and query) for visitors
without a session cookie (staff and anyone with a session always get a fresh page). The content
version is one database row (`ContentVersion`) that goes up after every committed change to
articles, authors, keywords, bylines and tags, so no page outlives a change: a visitor may read
the page from before a save only while that save is still committing. Today's date is in the key
because a piece dated in the future appears on its day without any change. Pages also expire
after ARCHIVE_PAGE_CACHE_SECONDS, which bounds what the version does not see (changes made with
raw SQL; the related pieces, from the search index, are kept on their own terms: see
archive.search.service.related_articles). `remember` keeps a page's costly aggregates under the
same key rules, for the fresh pages too.

The cache is the "pages" alias: files under ARCHIVE_CACHE_DIR by default, read by every worker on
the machine, so a page is rendered once rather than once per worker; Redis or Memcached share it
between machines. Running migrate (every deploy) retires what the old code rendered. Pages are
kept gzip-compressed and sent so to browsers that accept it (a cached page holds no secret, so
the per-response padding that archive.middleware's compression adds against BREACH is not needed).
"""

import copy
import gzip
import hashlib
import logging
import re
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.text import compress_string

from archive.articles.models import Article, ArticleTranslation, Author, Authorship, ContentVersion, Keyword
from archive.articles.signals import articles_changed

log = logging.getLogger("archive.pagecache")


def current_version():
    return ContentVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def bump_version(using=None):
    """Retire every cached page (called after a change commits)."""
    versions = ContentVersion.objects.using(using)
    if not versions.filter(pk=1).update(number=F("number") + 1):
        versions.get_or_create(pk=1, defaults={"number": 1})


def _migrated(sender, using, **kwargs):
    # The cache is on disk and outlives a restart: a deploy (which runs migrate) may change the
    # templates, so pages rendered by the old code are retired too. (Not when migrating back to
    # before the version table.)
    if ContentVersion._meta.db_table in connections[using].introspection.table_names():
        bump_version(using)


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
    for model in (Article, Author, Keyword, Authorship, ArticleTranslation):
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache_saved_{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache_deleted_{model.__name__}")
    m2m_changed.connect(_changed, sender=Article.keywords.through, dispatch_uid="pagecache_keywords")
    articles_changed.connect(_changed, dispatch_uid="pagecache_articles_changed")
    post_migrate.connect(_migrated, sender=apps.get_app_config("articles"), dispatch_uid="pagecache_migrated")


def _cacheable_request(request):
    return (
        settings.ARCHIVE_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cache_get(key, default=None):
    """From the "pages" cache. A cache that cannot be opened or read (a folder the app may not
    create or read, a Redis that is down) counts as empty, and is logged: pages are rendered
    rather than fail. (`manage.py check` names such a folder: Django's file cache makes it.)"""
    try:
        return caches["pages"].get(key, default)
    except Exception:
        log.exception("The page cache cannot be read; rendering without it")
        return default


def cache_set(key, value, seconds):
    """Into the "pages" cache; a cache that cannot be written (no permission, a full disk) is
    logged and otherwise ignored."""
    try:
        caches["pages"].set(key, value, seconds)
    except Exception:
        log.exception("The page cache cannot be written; rendering without it")


def _key(kind, version, name):
    """`pages-<version>-<day>/<kind>:<digest>`: the part before the slash names the generation,
    which the file cache (archive.articles.filecache) keeps in a folder of its own and retires
    whole once a newer one is written."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()
    return f"pages-{version:019d}-{timezone.localdate():%Y%m%d}/{kind}:{digest}"


_MISSING = object()


def remember(name, compute):
    """`compute()`, kept beside the cached pages until the archive changes (same version, same
    day). For what a reading page shows besides its items, such as the number of pieces and the
    pieces-per-year chart of an author or keyword: at 100,000 articles those queries cost more than
    the items, and visitors with a session, who always get a fresh page, ask for them too."""
    if settings.ARCHIVE_PAGE_CACHE_SECONDS <= 0:
        return compute()
    key = _key("fact", current_version(), name)  # read before the data, as for pages
    value = cache_get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache_set(key, value, settings.ARCHIVE_PAGE_CACHE_SECONDS)
    return value


class RememberedCountPaginator(Paginator):
    """A paginator whose count of a queryset is remembered (see `remember`), and whose pages are
    found by their ids first."""

    @cached_property
    def count(self):
        return remember(f"count:{self.object_list.query}", self.object_list.count)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom, top):
        """The pieces from `bottom` to `top`. Their ids come first, from the index that orders
        them alone (status, date, id), and then their rows: a deep page's skipped rows are then
        never read from the table. In PostgreSQL, page 251 of 5,000 pieces took 41 ms reading
        rows and 0.6 ms reading ids; 90,000 rows in, 162 ms and 10 ms. A first page skips
        nothing, so its rows are read at once."""
        if not bottom:
            return self.object_list[:top]
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _packed(response):
    """A copy of a rendered page to keep, its body gzip-compressed once for all its visitors (a
    quarter of the size; compressing on each visit cost a third more CPU than serving the page).
    The response sent now is left as it is."""
    body = compress_string(response.content)
    if len(body) >= len(response.content):
        return response
    packed = copy.copy(response)
    packed.content = body
    packed.archive_gzipped = True
    return packed


def _unpacked_for(request, response):
    """A kept page as this visitor takes it: compressed when the browser accepts gzip (the site's
    compression middleware then leaves it alone), else as it was rendered."""
    if not getattr(response, "archive_gzipped", False):
        return response
    if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.content = gzip.decompress(response.content)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cache_public_page(view):
    """Serve `view`'s successful responses from the page cache to visitors without a session."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        key = _key("page", current_version(), where)  # read before the data the page is made from
        response = cache_get(key)
        if response is not None:
            return _unpacked_for(request, response)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:

            def store(rendered):
                session = getattr(request, "session", None)
                if session is None or not session.accessed:
                    cache_set(key, _packed(rendered), settings.ARCHIVE_PAGE_CACHE_SECONDS)

            if hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(store)
            else:
                store(response)
        return response

    return cached_view
