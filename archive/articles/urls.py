"""URL sets for the reading pages, one namespace each: articles, archive, authors, keywords."""

from django.urls import path

from archive.articles import views
from archive.articles.pagecache import cache_public_page


def page(view_class):
    return cache_public_page(view_class.as_view())


# Slugs keep Persian and Arabic letters, so they are matched as plain path segments.
articles = (
    [
        path("", page(views.ArticleListView), name="list"),
        path("<str:slug>/", page(views.ArticleDetailView), name="detail"),
    ],
    "articles",
)
archive = (
    [
        path("", page(views.ArchiveIndexView), name="index"),
        path("<int:year>/", page(views.ArchivePeriodView), name="year"),
        path("<int:year>/<int:month>/", page(views.ArchivePeriodView), name="month"),
    ],
    "archive",
)
authors = (
    [
        path("", page(views.AuthorListView), name="list"),
        path("<str:slug>/", page(views.AuthorDetailView), name="detail"),
    ],
    "authors",
)
keywords = (
    [
        path("", page(views.KeywordListView), name="list"),
        path("<str:slug>/", page(views.KeywordDetailView), name="detail"),
    ],
    "keywords",
)
# The original uploaded file of an article, as a download (published articles only, for the public).
originals = ([path("<str:slug>/", views.original, name="download")], "originals")
