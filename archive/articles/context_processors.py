from django.conf import settings
from django.utils.translation import gettext_lazy

from archive.articles import parts

# The site's line: the home page's lede and the description of list pages.
SITE_LINE = gettext_lazy("Analysis, commentary and papers, searchable in full.")


def site_context():
    """What every page of the site needs, without the request (the 500 page renders with this
    alone: no query, no request)."""
    return {"site_name": settings.ARCHIVE_SITE_NAME, "site_line": SITE_LINE}


def site(request):
    """The site's name and line, and the parts other apps add to every page (archive.articles.parts)."""
    return {**site_context(), "site_parts": parts.for_page("site", request=request)}
