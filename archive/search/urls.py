"""Routes of archive.search: the search page (under /search/) and the staff page of the index's
health (under /admin/search/). The search's JSON is part of the JSON API (archive.interop.api_urls)."""

from django.contrib import admin
from django.urls import path

from archive.search import views

app_name = "search"

urlpatterns = [
    path("", views.SearchView.as_view(), name="results"),
]

# Staff only (admin login, CSRF on the Repair POST); linked from the admin index.
staff = (
    [path("health/", admin.site.admin_view(views.index_health), name="health")],
    "search_admin",
)
