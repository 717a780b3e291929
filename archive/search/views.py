"""Search pages: thin glue between the request and `archive.search.service`."""

from django.contrib import admin, messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from archive.search import indexing
from archive.search.backends import backend
from archive.search.service import SearchRequest, SearchUnavailable, run_search

# What a 503 says, by what is wrong (issue 15.4: never a rebuild that nothing is running). The
# damage is logged at ERROR by the process that found it; staff repair it from the health page.
UNAVAILABLE = gettext_lazy(
    "Search is unavailable for a moment: its index cannot be read. Reading pages still work."
)
DAMAGED = gettext_lazy(
    "Search is unavailable: its index is damaged. The damage is logged for the archive's staff, who "
    "must rebuild it (from the search health page, or with manage.py check_index --repair). "
    "Reading pages still work."
)
MISSING = gettext_lazy(
    "Search is unavailable: its index has not been built yet. The archive's staff must build it "
    "(manage.py rebuild_index). Reading pages still work."
)
RETRY_AFTER = "120"


def unavailable_message(error=None):
    if getattr(error, "damaged", False):
        return DAMAGED
    if not backend().exists():
        return MISSING
    return UNAVAILABLE


# Doors whose clients read JSON (the API, JSON exports) get the 503 as JSON.
def _wants_json(path):
    return path.startswith("/api/") or path.endswith(("/json/", "/csl-json/"))


def unavailable_page(request, error=None):
    message = unavailable_message(error)
    if _wants_json(request.path_info):
        response = JsonResponse({"error": str(message)}, status=503)
    else:
        response = render(request, "search/unavailable.html", {"message": message}, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


class SearchUnavailableMiddleware:
    """Any door whose search meets an index that cannot be read (feeds, exports, the API, the page)
    answers 503 with Retry-After and says why; any other error stays a 500 with its traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SearchUnavailable):
            return unavailable_page(request, exception)
        return None


class SearchView(TemplateView):
    template_name = "search/results.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except SearchUnavailable as error:
            return unavailable_page(request, error)

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
    """Staff page (wrapped in admin_view in urls.py): check_index's report, and a Repair button.
    Damaged files are rebuilt by a `check_index --repair` process the button starts (a rebuild
    outlives a request); differences are repaired at once."""
    if request.method == "POST":
        before = indexing.health()
        if before["damaged"]:
            pid = indexing.start_repair()
            messages.warning(
                request,
                _(
                    "The index's files are damaged: a rebuild from the database has started in the "
                    "background (process %(pid)s). Search answers again once it is swapped in; reload "
                    "this page to see."
                )
                % {"pid": pid},
            )
            return redirect("search_admin:health")
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
    report = indexing.health()
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
            "in_step": not any(report[name] for name in (*DIFFERENCES, "damaged", "problems")),
            "pending": report["pending"],
            "engine": backend().name,
        },
    )


DIFFERENCES = {
    "missing": (gettext_lazy("missing"), gettext_lazy("published but not in the index")),
    "stale": (gettext_lazy("stale"), gettext_lazy("indexed from an older version of the article")),
    "orphaned": (gettext_lazy("orphaned"), gettext_lazy("in the index but deleted or unpublished")),
}
