"""Views of archive.interop: thin glue between the request, a query, and a wire format."""

import json
import re

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from archive.articles.archive_json import article_to_archive_json
from archive.interop import api, citations
from archive.interop.forms import ArticleFilterForm, PageForm
from archive.interop.oai import oai_response
from archive.interop.queries import public_articles, public_authors, public_keywords
from archive.interop.sitemaps import SITEMAPS, sitemap_url_count
from archive.interop.xmltext import xml_text

# --- exports -----------------------------------------------------------------------------------


def _archive_json(articles, *, absolute_url):
    return json.dumps([article_to_archive_json(a) for a in articles], ensure_ascii=False, indent=2)


def _csl_json(articles, *, absolute_url):
    return json.dumps(
        citations.to_csl_json(articles, absolute_url=absolute_url), ensure_ascii=False, indent=2
    )


# fmt: (content type, file extension, render(articles, absolute_url=...) -> str)
EXPORTERS = {
    "bibtex": ("application/x-bibtex", "bib", citations.to_bibtex),
    "ris": ("application/x-research-info-systems", "ris", citations.to_ris),
    "csl-json": ("application/vnd.citationstyles.csl+json", "csl.json", _csl_json),
    "json": ("application/json", "json", _archive_json),
}
# The formats that read only what `queries.citation_records()` gives.
CITATION_FORMATS = ("bibtex", "ris", "csl-json")

# A path `iri_to_uri()` leaves as it is (RFC 3986's unreserved and reserved characters but "?"
# and "#", and percent escapes): what `reverse()` gives.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%\[\]/-]*")


def absolute_url_maker(request):
    """`request.build_absolute_uri` for paths, with the scheme and host worked out once for the
    plain paths `reverse()` gives (the same text; the others go through Django's own). The host is
    read at the first URL, as before: an export of nothing never reads it."""
    origin = []

    def absolute_url(path):
        plain = _PLAIN_PATH.fullmatch(path) and not path.startswith("//")
        if plain and "/./" not in path and "/../" not in path:
            if not origin:
                origin.append(request.build_absolute_uri("/")[:-1])
            return origin[0] + path
        return request.build_absolute_uri(path)

    return absolute_url


def export_response(articles, *, fmt, stem, request, absolute_url=None):
    if fmt not in EXPORTERS:
        raise Http404(f"No export format {fmt!r}; use one of {', '.join(EXPORTERS)}.")
    content_type, extension, render_export = EXPORTERS[fmt]
    body = render_export(articles, absolute_url=absolute_url or request.build_absolute_uri)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    return response


@require_GET
def export_article(request, slug, fmt):
    article = get_object_or_404(public_articles().for_listing(), slug=slug)
    stem = citations.bibtex_key(article)
    return export_response([article], fmt=fmt, stem=stem, request=request)


# --- JSON API ----------------------------------------------------------------------------------


def json_response(data, *, status=200):
    # Access-Control-Allow-Origin: archive.security.cors, for every /api/ response.
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def json_error(message, *, status, fields=None):
    data = {"error": message}
    if fields:
        data["fields"] = {name: [e["message"] for e in errors] for name, errors in fields.items()}
    return json_response(data, status=status)


def _page_url(request):
    def url_for_page(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return url_for_page


def _paginated(request, form, queryset, serialize):
    if not form.is_valid():
        return json_error("Bad query parameters.", status=400, fields=form.errors.get_json_data())
    try:
        data = api.paginate(
            queryset(form) if callable(queryset) else queryset,
            page=form.cleaned_data.get("page") or 1,
            page_size=form.cleaned_data.get("page_size") or settings.ARCHIVE_API_PAGE_SIZE,
            url_for_page=_page_url(request),
            serialize=lambda item: serialize(item, absolute_url=request.build_absolute_uri),
        )
    except api.PageNotFound as error:
        return json_error(str(error), status=404)
    return json_response(data)


@require_GET
def api_root(request):
    def url(path):
        return request.build_absolute_uri(path)

    example_slug = "SLUG"
    endpoints = {
        "articles": url(reverse("api:articles")),
        "article": url(reverse("api:article", kwargs={"slug": example_slug})),
        "authors": url(reverse("api:authors")),
        "keywords": url(reverse("api:keywords")),
        "search": url("/api/search/"),
        "autocomplete": url("/api/autocomplete/"),
        "article_export": url(
            reverse("interop:export_article", kwargs={"slug": example_slug, "fmt": "FORMAT"})
        ),
        "search_export": url(reverse("interop:export_search", kwargs={"fmt": "FORMAT"})),
        "export_formats": list(EXPORTERS),
        "oai_pmh": url(reverse("interop:oai")),
        "sitemap": url(reverse("interop:sitemap")),
        "feed_atom": url(reverse("interop:feed_latest_atom")),
        "feed_rss": url(reverse("interop:feed_latest_rss")),
        "feed_search_atom": url(reverse("interop:feed_search_atom")),
        "feed_search_rss": url(reverse("interop:feed_search_rss")),
        "opensearch": url(reverse("interop:opensearch")),
        "opensearch_suggestions": url(reverse("interop:opensearch_suggest")),
    }
    return json_response(
        {
            "name": settings.ARCHIVE_SITE_NAME,
            "endpoints": endpoints,
            "filters": [name for name in ArticleFilterForm.base_fields if name not in ("page", "page_size")],
            "pagination": {
                "parameters": ["page", "page_size"],
                "default_page_size": settings.ARCHIVE_API_PAGE_SIZE,
                "max_page_size": settings.ARCHIVE_API_MAX_PAGE_SIZE,
            },
        }
    )


@require_GET
def api_articles(request):
    form = ArticleFilterForm(request.GET, max_page_size=settings.ARCHIVE_API_MAX_PAGE_SIZE)
    return _paginated(
        request,
        form,
        lambda f: f.filter(public_articles()).for_listing().with_linked_translations(),
        api.article_summary,
    )


@require_GET
def api_article(request, slug):
    article = public_articles().for_listing().with_linked_translations().filter(slug=slug).first()
    if article is None:
        return json_error(f"No public article has the slug {slug!r}.", status=404)
    return json_response(api.article_detail(article, absolute_url=request.build_absolute_uri))


@require_GET
def api_authors(request):
    form = PageForm(request.GET, max_page_size=settings.ARCHIVE_API_MAX_PAGE_SIZE)
    return _paginated(request, form, public_authors(), api.author_summary)


@require_GET
def api_keywords(request):
    form = PageForm(request.GET, max_page_size=settings.ARCHIVE_API_MAX_PAGE_SIZE)
    return _paginated(request, form, public_keywords(), api.keyword_summary)


# --- OAI-PMH, sitemaps, robots.txt, OpenSearch -------------------------------------------------


@csrf_exempt  # harvesters POST without a session; the endpoint only reads
@require_http_methods(["GET", "POST"])
def oai(request):
    arguments = request.POST if request.method == "POST" else request.GET
    body = oai_response(
        arguments,
        base_url=request.build_absolute_uri(reverse("interop:oai")),
        absolute_url=request.build_absolute_uri,
    )
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def _xml_safe(response):
    """A rendered XML response without the characters XML 1.0 forbids, whatever the data held."""
    if hasattr(response, "render"):
        response.render()
    response.content = xml_text(response.content.decode("utf-8")).encode("utf-8")
    return response


@require_GET
def sitemap(request):
    if sitemap_url_count() > settings.ARCHIVE_SITEMAP_LIMIT:
        return _xml_safe(sitemap_views.index(request, SITEMAPS, sitemap_url_name="interop:sitemap_section"))
    return _xml_safe(sitemap_views.sitemap(request, SITEMAPS))


@require_GET
def sitemap_section(request, section):
    return _xml_safe(sitemap_views.sitemap(request, SITEMAPS, section=section))


@require_GET
def robots_txt(request):
    context = {"sitemap_url": request.build_absolute_uri(reverse("interop:sitemap"))}
    return render(request, "interop/robots.txt", context, content_type="text/plain; charset=utf-8")


@require_GET
def opensearch(request):
    context = {"base_url": request.build_absolute_uri("/").rstrip("/")}
    # The site name comes from the environment: nothing XML 1.0 forbids reaches the document.
    body = xml_text(render_to_string("interop/opensearch.xml", context, request=request))
    return HttpResponse(body, content_type="application/opensearchdescription+xml; charset=utf-8")
