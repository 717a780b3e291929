"""Routes of archive.interop (mounted at the site root)."""

urlpatterns = []
