"""Routes of archive.search (mounted at the site root)."""

from django.contrib import admin
from django.urls import path

from archive.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="results"),
    path("api/search/", views.search_api, name="api"),
    path("api/autocomplete/", views.autocomplete_api, name="autocomplete"),
    # Staff only (admin login, CSRF on the Repair POST); linked from the admin index.
    path("admin/search/health/", admin.site.admin_view(views.index_health), name="health"),
]
