"""Root URLs. Each app owns its routes under a namespace."""

from django.contrib import admin
from django.urls import include, path

from archive.articles import urls as article_urls
from archive.articles import views as article_views

urlpatterns = [
    path("", article_urls.page(article_views.HomeView), name="home"),
    path("about/", article_urls.page(article_views.AboutView), name="about"),
    path("articles/", include(article_urls.articles)),
    path("archive/", include(article_urls.archive)),
    path("authors/", include(article_urls.authors)),
    path("keywords/", include(article_urls.keywords)),
    path("", include("archive.search.urls")),
    path("", include("archive.ingest.urls")),
    path("", include("archive.interop.urls")),
    path("admin/", admin.site.urls),
]

# The archive's own error pages (archive.errors); a request over one of Django's request limits
# gets a 413 page naming the limit.
handler400 = "archive.errors.bad_request"
handler403 = "archive.errors.permission_denied"
handler404 = "archive.errors.page_not_found"
handler500 = "archive.errors.server_error"
