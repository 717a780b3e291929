"""The site's URLs plus one that fails, for the tests of the 500 page (never mounted in the site)."""

from django.urls import path

from archive.urls import handler400, handler403, handler404, handler500
from archive.urls import urlpatterns as site_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fail(request):
    raise RuntimeError("a failure for the 500 page's tests")


urlpatterns = [path("test-only/fail/", fail), *site_urls]
