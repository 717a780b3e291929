"""Routes of archive.search (mounted at the site root)."""

urlpatterns = []
