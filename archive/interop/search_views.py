"""The parts of interop that stand on search: the feed of a search, OpenSearch suggestions and
the export of a whole result set. They read their parameters through the search form
(`SearchRequest.from_querydict`, which never raises) and go through `archive.search.service`.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archive.interop.feeds import ArticleFeed, RssMixin
from archive.interop.queries import articles_in_order, citation_records
from archive.interop.views import CITATION_FORMATS, absolute_url_maker, export_response
from archive.search.service import (
    SearchRequest,
    SearchUnavailable,
    autocomplete,
    run_search,
    search_article_ids,
)
from archive.search.views import unavailable_page


def searched_ids(querydict, *, limit, default_sort=None):
    """Ids of the public articles a search finds, in result order. `default_sort` applies when
    the query names no sort."""
    search = SearchRequest.from_querydict(querydict)
    if default_sort and not querydict.get("sort"):
        search.sort = default_sort
    return search_article_ids(search, limit=limit)


def searched_articles(querydict, *, limit, default_sort=None):
    """The public articles a search finds, in result order, with authors and keywords prefetched."""
    return articles_in_order(searched_ids(querydict, limit=limit, default_sort=default_sort))


def _query_string(request):
    return urlencode([(k, v) for k in request.GET for v in request.GET.getlist(k) if k != "page"])


class SearchAtomFeed(ArticleFeed):
    """The pieces a search finds, newest first unless `sort=` says otherwise: a subscriber wants
    the newest matches, not the 50 most relevant of all time."""

    def get_object(self, request):
        return request.GET

    def title(self, obj=None):
        query = obj.get("q", "").strip()
        site = settings.ARCHIVE_SITE_NAME
        if query:
            return _("%(site)s: search for %(query)s") % {"site": site, "query": query}
        return _("%(site)s: search") % {"site": site}

    def subtitle(self, obj=None):
        return _("Pieces matching a search of the archive.")

    description = subtitle

    def link(self, obj=None):
        query = _query_string(self.request)
        return reverse("search:results") + (f"?{query}" if query else "")

    def items(self, obj=None):
        return searched_articles(obj, limit=settings.ARCHIVE_FEED_SIZE, default_sort="newest")


class SearchRssFeed(RssMixin, SearchAtomFeed):
    pass


@require_GET
def opensearch_suggestions(request):
    """OpenSearch suggestions (application/x-suggestions+json): [query, labels, types, urls]."""
    query = request.GET.get("q", "")
    suggestions = autocomplete(query, limit=10) if query.strip() else []
    body = [
        query,
        [s["label"] for s in suggestions],
        [s.get("type", "") for s in suggestions],
        [request.build_absolute_uri(s["url"]) for s in suggestions],
    ]
    response = JsonResponse(body, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/x-suggestions+json; charset=utf-8"
    return response


@require_GET
def export_search(request, fmt):
    """Every piece a search finds (up to `ARCHIVE_EXPORT_MAX`), in one citation file."""
    ids = searched_ids(request.GET, limit=settings.ARCHIVE_EXPORT_MAX)
    if fmt not in CITATION_FORMATS:  # the archive's own JSON (which has the body), or a 404
        return export_response(articles_in_order(ids), fmt=fmt, stem="search-results", request=request)
    # The citation formats read plain rows, with each URL made without reverse() (the heaviest
    # request of the soak: up to 1,000 records).
    records = citation_records(ids)
    absolute_url = absolute_url_maker(request)
    return export_response(
        records, fmt=fmt, stem="search-results", request=request, absolute_url=absolute_url
    )


# --- The search in the JSON API (/api/search/, /api/autocomplete/) ----------------------------


def search_api(request):
    search = SearchRequest.from_querydict(request.GET)
    try:
        results = run_search(search)
    except SearchUnavailable as error:
        return unavailable_page(request, error)
    if results.page_out_of_range or "page" in search.errors:
        return JsonResponse({"error": "No such page of results."}, status=404)
    return JsonResponse(
        {
            "count": results.count,
            "count_all_words": results.count_all,
            "page": results.page,
            "num_pages": results.num_pages,
            "results": [
                {
                    "title": hit.title,
                    "url": request.build_absolute_uri(hit.url),
                    "authors": hit.authors,
                    "date": hit.date.isoformat(),
                    "kind": hit.kind,
                    "language": hit.language,
                    "snippet": str(hit.snippet),
                    "missing_words": list(hit.missing),
                    "translations": [
                        {"language": language, "title": title} for language, title in hit.translations
                    ],
                }
                for hit in results.hits
            ],
            "facets": {
                name: [
                    {"value": item["value"], "label": item["label"], "count": item["count"]} for item in items
                ]
                for name, items in results.facets.items()
            },
            "suggestion": results.suggestion,
            "corrected_query": results.corrected_query,
            "note": results.note,
            "errors": search.errors,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def autocomplete_api(request):
    """Suggestions; `lang` (fa, ar) makes their links the pages in that interface language."""
    language = request.GET.get("lang", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        results = autocomplete(request.GET.get("q", ""))
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
