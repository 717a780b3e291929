"""Root URLs: each app's routes under a prefix of its own and a namespace; the machine-readable
addresses other tools rely on stay where PRODUCT.md fixes them."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from archive.articles import urls as article_urls
from archive.articles import views as article_views
from archive.search import urls as search_urls

# The admin carries the archive's name (read when a page is drawn, so a changed setting shows).
site_name = lazy(lambda: settings.ARCHIVE_SITE_NAME, str)()
admin.site.site_header = site_name
admin.site.site_title = format_lazy(gettext_lazy("{name} admin"), name=site_name)
admin.site.index_title = format_lazy(gettext_lazy("Administration of {name}"), name=site_name)

# Machine-readable addresses: one language, at the root by contract (PRODUCT.md).
urlpatterns = [
    path("originals/", include(article_urls.originals)),
    path("api/", include("archive.interop.api_urls")),
    # Feeds, sitemaps, robots.txt, OAI-PMH, OpenSearch, exports.
    path("", include("archive.interop.urls")),
]
# What people read: English at today's addresses, Persian under /fa/, Arabic under /ar/
# (LocaleMiddleware activates the language of the prefix; docs/i18n.md).
urlpatterns += i18n_patterns(
    path("", article_urls.page(article_views.HomeView), name="home"),
    path("about/", article_urls.page(article_views.AboutView), name="about"),
    path("articles/", include(article_urls.articles)),
    path("archive/", include(article_urls.archive)),
    path("authors/", include(article_urls.authors)),
    path("keywords/", include(article_urls.keywords)),
    path("search/", include("archive.search.urls")),
    # The feeds in the reader's language (/fa/feeds/atom/); the English ones are at the root above.
    path("feeds/", include("archive.interop.feed_urls")),
    path("admin/search/", include(search_urls.staff)),
    path("admin/ingest/", include("archive.ingest.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

# The archive's own error pages (archive.errors); a request over one of Django's request limits
# gets a 413 page naming the limit.
handler400 = "archive.errors.bad_request"
handler403 = "archive.errors.permission_denied"
handler404 = "archive.errors.page_not_found"
handler500 = "archive.errors.server_error"
