"""URL sets for the reading pages, one namespace each: articles, archive, authors, keywords."""

from django.urls import path

from archive.articles import views

# Slugs keep Persian and Arabic letters, so they are matched as plain path segments.
articles = (
    [
        path("", views.ArticleListView.as_view(), name="list"),
        path("<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    ],
    "articles",
)
archive = (
    [
        path("", views.ArchiveIndexView.as_view(), name="index"),
        path("<int:year>/", views.ArchivePeriodView.as_view(), name="year"),
        path("<int:year>/<int:month>/", views.ArchivePeriodView.as_view(), name="month"),
    ],
    "archive",
)
authors = (
    [
        path("", views.AuthorListView.as_view(), name="list"),
        path("<str:slug>/", views.AuthorDetailView.as_view(), name="detail"),
    ],
    "authors",
)
keywords = (
    [
        path("", views.KeywordListView.as_view(), name="list"),
        path("<str:slug>/", views.KeywordDetailView.as_view(), name="detail"),
    ],
    "keywords",
)
