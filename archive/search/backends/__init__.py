"""The search engines behind one interface (`base.SearchBackend`); `backend()` is the configured one."""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from archive.search.backends.base import Page, Row, SearchBackend, SearchUnavailable

__all__ = ["Page", "Row", "SearchBackend", "SearchUnavailable", "backend"]


def backend():
    """The engine ARCHIVE_SEARCH_BACKEND names (the built-in Whoosh engine unless ARCHIVE_SEARCH_URL
    names a Haystack one)."""
    return _instance(settings.ARCHIVE_SEARCH_BACKEND)


@lru_cache(maxsize=4)
def _instance(path):
    return import_string(path)()
