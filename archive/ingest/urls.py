"""Routes of archive.ingest (mounted at the site root)."""

urlpatterns = []
