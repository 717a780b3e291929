from django.conf import settings
from django.utils.translation import get_language_bidi, gettext_lazy

from archive.articles import parts
from archive.articles.i18n import current_language

# The site's line: the home page's lede and the description of list pages.
SITE_LINE = gettext_lazy("Analysis, commentary and papers, searchable in full.")


def site_context():
    """What every page of the site needs, without the request (the 500 page renders with this
    alone: no query, no request). LANGUAGE_CODE and LANGUAGE_BIDI are the interface's: <html lang
    dir>, and the lang of the site's own words where a piece's words sit beside them."""
    return {
        "site_name": settings.ARCHIVE_SITE_NAME,
        "site_line": SITE_LINE,
        "LANGUAGE_CODE": current_language(),
        "LANGUAGE_BIDI": get_language_bidi(),
    }


def site(request):
    """The site's name and line, and the parts other apps add to every page (archive.articles.parts)."""
    return {**site_context(), "site_parts": parts.for_page("site", request=request)}
