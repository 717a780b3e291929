"""The archive's error pages: 400, 403 (and a refused form, CSRF_FAILURE_VIEW), 404 and 500.

Each is a page of the site (header, search box, footer) with a way on: the home page, the
article list, the latest pieces, and, for a missing article, the pieces whose titles are closest
to the words of its address. Under /api/ the answer is JSON, as the API's own errors are.

The 500 page renders with no request and no context processor: a plain template and the
site's name, no query and no search, so it renders while the database or the index is down.
The other pages ask the database for the latest pieces and the index for close titles, and
render without them when either fails; when the database is down altogether they answer the
outage's 503, as every page does (archive/security/outage.py).
"""

import logging
import re

from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive.articles.context_processors import site_context
from archive.articles.models import Article
from archive.search.service import SearchUnavailable, closest_articles
from archive.security.outage import OUTAGE_ERRORS, answer_outage, connection_lost
from archive.security.ratelimit import RateLimited
from archive.security.views import request_limit_message, request_too_large

log = logging.getLogger("archive.errors")

LATEST = 5  # latest pieces offered on an error page
CLOSEST = 5  # titles offered for a missing article
SLUG_WORDS = 8  # words of a missing article's address searched for

# When even the 500 template cannot render (a template or static-file manifest broken by a bad
# deploy), this page is sent instead: no template, no stylesheet, nothing that can fail.
PLAIN_500 = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p>"
    '<p><a href="/">{home}</a></p></main></body></html>'
)


def plain_500():
    """PLAIN_500 in the reader's language."""
    return PLAIN_500.format(
        lang=escape(get_language() or "en"),
        title=escape(_("Server error")),
        message=escape(
            _("Something went wrong on our side; it has been logged. Please try again in a few minutes.")
        ),
        home=escape(_("Home page")),
    )


def _api(request):
    return request.path_info.startswith("/api/")


def latest_pieces():
    """The newest public pieces for the way on, or none when the database cannot answer."""
    try:
        return list(Article.objects.published().newest_first().headlines()[:LATEST])
    except DatabaseError as error:
        if isinstance(error, OUTAGE_ERRORS) and connection_lost():
            raise  # the database is down: `_page` answers the outage's 503
        log.exception("Error page without its latest pieces: the database did not answer")
        return []


def slug_words(slug):
    """The words of a slug ("irans-foreign-policy" -> "irans foreign policy"): letters and digits
    only (no query syntax), at most SLUG_WORDS; "" when it has no letters."""
    words = re.sub(r"[\W_]+", " ", slug).split()[:SLUG_WORDS]
    return " ".join(words) if any(character.isalpha() for character in "".join(words)) else ""


def closest_titles(words):
    """Public pieces that best match the words of a missing article's address, any of them (the
    search ranks those with most of the words, and in their titles, first), or none when the
    index cannot answer or the client has spent its searches (a 404 is a search door too)."""
    try:
        return closest_articles(words, limit=CLOSEST)
    except (SearchUnavailable, RateLimited):
        return []
    except OUTAGE_ERRORS:
        return []  # the page's own queries meet the outage too, and answer its 503
    except Exception:
        log.exception("Error page without close titles: the search failed")
        return []


def _missing_article_slug(request):
    """The slug, when the request was for an article page that does not exist (or is not public)."""
    match = request.resolver_match
    if match is not None and match.view_name == "articles:detail":
        return match.kwargs.get("slug", "")
    return None


def _page(request, template, status, **context):
    try:
        return render(request, template, {"latest": latest_pieces(), **context}, status=status)
    except OUTAGE_ERRORS as error:
        # The database went away under the page (a 404 for a piece deleted a moment before a
        # restart): the outage's 503, as every other page gives, not a 500.
        response = answer_outage(request, error)
        if response is None:
            raise
        return response


def bad_request(request, exception, template_name="400.html"):
    """handler400: a request over one of Django's request limits gets the page naming the limit
    (413); any other bad request (a host we do not serve, a malformed form) the 400 page."""
    message = request_limit_message(exception)
    if message is not None:
        return request_too_large(request, message)
    if _api(request):
        return JsonResponse({"error": _("Bad request.")}, status=400)
    return _page(request, template_name, 400)


def permission_denied(request, exception, template_name="403.html"):
    """handler403."""
    if _api(request):
        return JsonResponse({"error": _("Permission denied.")}, status=403)
    return _page(request, template_name, 403)


def csrf_failure(request, reason="", template_name="403.html"):
    """CSRF_FAILURE_VIEW: a form sent without its security token, or from another site."""
    return _page(request, template_name, 403, csrf=True, no_cookie=reason == REASON_NO_CSRF_COOKIE)


def page_not_found(request, exception, template_name="404.html"):
    """handler404: any address no page answers, and every Http404 a view raises."""
    if _api(request):
        return JsonResponse({"error": _("Not found.")}, status=404)
    slug = _missing_article_slug(request)
    words = slug_words(slug) if slug else ""
    return _page(
        request,
        template_name,
        404,
        missing_article=slug is not None,
        words=words,
        closest=closest_titles(words) if words else [],
    )


def server_error(request, template_name="500.html"):
    """handler500: rendered without the request, the database or the index."""
    if _api(request):
        return JsonResponse({"error": _("Server error.")}, status=500)
    try:
        body = loader.get_template(template_name).render(site_context())
    except Exception:
        log.exception("The 500 page could not be rendered; sending the plain one")
        body = plain_500()
    return HttpResponse(body, status=500)
