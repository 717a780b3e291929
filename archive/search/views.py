"""Search pages: thin glue between the request and `archive.search.service`."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from archive.search import indexing
from archive.search.backends import backend
from archive.search.models import PendingIndexUpdate
from archive.search.service import SearchRequest, SearchUnavailable, run_search

UNAVAILABLE = gettext_lazy(
    "Search is unavailable for a moment: its index is being rebuilt. Reading pages still work."
)
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


@require_http_methods(["GET", "HEAD", "POST"])
def index_health(request):
    """Staff page (wrapped in admin_view in urls.py): check_index's report, and a Repair button."""
    if request.method == "POST":
        before = indexing.compare()
        fixed = len(before["missing"]) + len(before["stale"]) + len(before["orphaned"])
        after = indexing.repair(before)
        level = messages.SUCCESS if not any(after[key] for key in DIFFERENCES) else messages.WARNING
        text = ngettext(
            "Repaired %(fixed)d document; the index now holds %(index)d.",
            "Repaired %(fixed)d documents; the index now holds %(index)d.",
            fixed,
        ) % {"fixed": fixed, "index": after["index"]}
        messages.add_message(request, level, text)
        return redirect("search_admin:health")
    report = indexing.compare()
    return render(
        request,
        "admin/search/health.html",
        {
            **admin.site.each_context(request),
            "title": _("Search index health"),
            "report": report,
            "differences": [
                (name, label, report[name], meaning) for name, (label, meaning) in DIFFERENCES.items()
            ],
            "in_step": not any(report[name] for name in DIFFERENCES),
            "pending": PendingIndexUpdate.objects.count(),
            "engine": backend().name,
        },
    )


DIFFERENCES = {
    "missing": (gettext_lazy("missing"), gettext_lazy("published but not in the index")),
    "stale": (gettext_lazy("stale"), gettext_lazy("indexed from an older version of the article")),
    "orphaned": (gettext_lazy("orphaned"), gettext_lazy("in the index but deleted or unpublished")),
}
