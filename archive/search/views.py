"""Search pages: thin glue between the request and `archive.search.service`."""

from django.contrib import admin, messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from archive.search import indexing
from archive.search.backends import backend
from archive.search.models import PendingIndexUpdate
from archive.search.service import SearchRequest, SearchUnavailable, autocomplete, run_search

UNAVAILABLE = "Search is unavailable for a moment: its index is being rebuilt. Reading pages still work."
RETRY_AFTER = "120"


def unavailable_page(request):
    response = render(request, "search/unavailable.html", {"message": UNAVAILABLE}, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


class SearchView(TemplateView):
    template_name = "search/results.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except SearchUnavailable:
            return unavailable_page(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = SearchRequest.from_querydict(self.request.GET)
        try:
            results = run_search(search, browse=True)
        except SearchUnavailable:
            if not search.is_empty:
                raise
            results = run_search(search)  # the form and its help need no index
        if results.page_out_of_range or "page" in search.errors:
            raise Http404("No such page of results.")
        context.update(search=search, results=results, query=search.q)
        return context


def search_api(request):
    search = SearchRequest.from_querydict(request.GET)
    try:
        results = run_search(search)
    except SearchUnavailable:
        response = JsonResponse({"error": UNAVAILABLE}, status=503)
        response["Retry-After"] = RETRY_AFTER
        return response
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
    return JsonResponse(
        {"results": autocomplete(request.GET.get("q", ""))}, json_dumps_params={"ensure_ascii": False}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def index_health(request):
    """Staff page (wrapped in admin_view in urls.py): check_index's report, and a Repair button."""
    if request.method == "POST":
        before = indexing.compare()
        fixed = len(before["missing"]) + len(before["stale"]) + len(before["orphaned"])
        after = indexing.repair(before)
        level = messages.SUCCESS if not any(after[key] for key in DIFFERENCES) else messages.WARNING
        messages.add_message(
            request, level, f"Repaired {fixed} document(s); the index now holds {after['index']}."
        )
        return redirect("search:health")
    report = indexing.compare()
    return render(
        request,
        "admin/search/health.html",
        {
            **admin.site.each_context(request),
            "title": "Search index health",
            "report": report,
            "differences": [(name, report[name], meaning) for name, meaning in DIFFERENCES.items()],
            "in_step": not any(report[name] for name in DIFFERENCES),
            "pending": PendingIndexUpdate.objects.count(),
            "engine": backend().name,
        },
    )


DIFFERENCES = {
    "missing": "published but not in the index",
    "stale": "indexed from an older version of the article",
    "orphaned": "in the index but deleted or unpublished",
}
