"""Routes of archive.search (mounted at the site root)."""

from django.urls import path

from archive.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="results"),
    path("api/search/", views.search_api, name="api"),
    path("api/autocomplete/", views.autocomplete_api, name="autocomplete"),
]
