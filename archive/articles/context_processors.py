from django.conf import settings

from archive.articles import parts


def site(request):
    """The site's name, and the parts other apps add to every page (archive.articles.parts)."""
    return {"site_name": settings.ARCHIVE_SITE_NAME, "site_parts": parts.for_page("site", request=request)}
