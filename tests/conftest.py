"""Shared fixtures. Tests use the real database (SQLite, or PostgreSQL when DATABASE_URL names
one) and a real Whoosh index in a temporary folder, never the developer's own."""

import datetime

import pytest
from django.conf import settings

from archive.articles.services import article_create


@pytest.fixture(autouse=True, scope="session")
def _private_index_and_media(tmp_path_factory):
    """Point the index and uploaded files at temporary folders for the whole run."""
    root = tmp_path_factory.mktemp("archive")
    settings.ARCHIVE_INDEX_DIR = root / "index"
    settings.HAYSTACK_CONNECTIONS["default"]["PATH"] = str(root / "index")
    settings.MEDIA_ROOT = root / "media"
    # Index updates drain synchronously in the on-commit hook, so a test searches right after
    # `django_capture_on_commit_callbacks(execute=True)` (production batches them in a thread).
    settings.ARCHIVE_SEARCH_DRAIN_DELAY = 0
    # Tests change data inside one transaction, so the page cache (retired after commits) is
    # off; tests/articles/test_pagecache.py switches it on.
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 0
    # Related pieces follow each test's index (tests/search/test_related.py switches the cache on),
    # and the "pages" cache lives in this process, not in var/cache.
    settings.ARCHIVE_RELATED_SECONDS = 0
    # Uploads are read inside the upload request: the test client's tests run in one transaction,
    # which a background reader could not see (tests/browser reads them in a thread).
    settings.ARCHIVE_INGEST_READER = "inline"
    settings.CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "test-pages",
    }
    yield root


def create_article(title="An article", *, authors=(), keywords=(), date=None, status="published", **fields):
    """Create an article through `article_create`, as the admin and the import do. Published and
    dated in the past by default.

    `authors` are names or (name, affiliation) pairs, in byline order; `keywords` are names.
    """
    return article_create(
        title=title,
        date=date or datetime.date(2020, 1, 15),
        status=status,
        authors=authors,
        keywords=keywords,
        **fields,
    )


@pytest.fixture
def make_article(db):
    """`create_article`, for tests that use the database."""
    return create_article


@pytest.fixture
def search_index(db):
    """An empty, real Whoosh index (in the session's temp folder) for this test.

    Saves queue their articles (in the test's transaction); `search_index.update()` drains the
    queue into the index, as the after-commit hook does in production. Tests that exercise the
    hook itself use `django_capture_on_commit_callbacks(execute=True)`.
    """
    from archive.search import indexing
    from archive.search.backends import backend

    class SearchIndex:
        def update(self):
            return indexing.process_queue(wait=True)

        def rebuild(self, **kwargs):
            return indexing.rebuild(**kwargs)

        def report(self):
            return indexing.compare()

    backend().clear()
    backend().forget()
    yield SearchIndex()
    backend().forget()
    indexing.release_import_lock()  # an import a test interrupted holds it for this process


@pytest.fixture
def indexed_article(make_article, search_index):
    """`make_article` followed by an index update: the article is searchable on return."""

    def make(*args, **kwargs):
        article = make_article(*args, **kwargs)
        search_index.update()
        return article

    return make


@pytest.fixture(autouse=True, scope="session")
def _no_rate_limits():
    """Tests search many times from one address; tests/hardening switch the limits back on."""
    for rule in settings.ARCHIVE_RATE_LIMITS.values():
        rule["per_minute"] = 0


@pytest.fixture
def editor(db, django_user_model):
    """A superuser: an editor with every right."""
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-passphrase-42")
