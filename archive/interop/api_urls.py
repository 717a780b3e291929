"""The JSON API, all of it under /api/ (namespace `api`): the articles, authors and keywords, and
the search (whose JSON is the same search as the page's, through archive.search.service)."""

from django.urls import path

from archive.interop import search_views, views

app_name = "api"

urlpatterns = [
    path("", views.api_root, name="root"),
    path("articles/", views.api_articles, name="articles"),
    path("articles/<str:slug>/", views.api_article, name="article"),
    path("authors/", views.api_authors, name="authors"),
    path("keywords/", views.api_keywords, name="keywords"),
    path("search/", search_views.search_api, name="search"),
    path("autocomplete/", search_views.autocomplete_api, name="autocomplete"),
]
