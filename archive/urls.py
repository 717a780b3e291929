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
    path("originals/", include(article_urls.originals)),
    path("", include("archive.search.urls")),
    path("", include("archive.ingest.urls")),
    path("", include("archive.interop.urls")),
    path("admin/", admin.site.urls),
]

# Requests over Django's request limits get a page naming the limit (archive.security).
handler400 = "archive.security.views.bad_request"
