"""Every door that runs a search is limited (issue 15.1), at a cost that grows with what it
returns: the searches are charged where they run (archive.search.service), so a door cannot
forget the limit."""

import pytest
from django.core.cache import caches
from django.urls import URLPattern, URLResolver, get_resolver

from archive.search.service import SearchRequest, run_search

OTHER = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def limits(settings):
    """Search: a burst of 4, then 6 a minute (a token every 10 s); suggestions: a burst of 3."""
    settings.ARCHIVE_RATE_LIMITS = {
        "search": {"per_minute": 6, "burst": 4},
        "suggest": {"per_minute": 6, "burst": 3},
    }
    caches["ratelimit"].clear()
    yield settings.ARCHIVE_RATE_LIMITS
    caches["ratelimit"].clear()


@pytest.fixture
def shelf(indexed_article):
    for n in range(60):
        indexed_article(f"Alpha piece {n:02d}", authors=["Ann Author"], keywords=["alpha"])


SEARCH_DOORS = [
    ("/search/", "text/html"),
    ("/api/search/", "application/json"),
    ("/export/search/json/", "application/json"),
    ("/export/search/bibtex/", "text/html"),
    ("/export/search/csl-json/", "application/json"),
    ("/feeds/search/atom/", "text/html"),
    ("/feeds/search/rss/", "text/html"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("door", "refusal_type"), SEARCH_DOORS)
def test_each_search_door_answers_429_with_retry_after_once_the_bucket_is_empty(
    client, limits, search_index, door, refusal_type
):
    statuses = [client.get(door, {"q": f"nothing{n}"}).status_code for n in range(4)]
    assert statuses == [200] * 4
    refused = client.get(door, {"q": "nothing more"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "10"
    assert refused["Content-Type"].startswith(refusal_type)
    assert client.get(door, {"q": "nothing more"}, **OTHER).status_code == 200  # another client


@pytest.mark.django_db
def test_the_doors_share_one_bucket(client, limits, search_index):
    assert client.get("/search/", {"q": "a"}).status_code == 200
    assert client.get("/api/search/", {"q": "a"}).status_code == 200
    assert client.get("/feeds/search/atom/", {"q": "a"}).status_code == 200
    assert client.get("/export/search/ris/", {"q": "a"}).status_code == 200
    assert client.get("/search/", {"q": "a"}).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("door", ["/api/autocomplete/", "/opensearch/suggest/"])
def test_autocomplete_and_suggestions_have_their_own_bucket(client, limits, search_index, door):
    assert [client.get(door, {"q": f"al{n}"}).status_code for n in range(3)] == [200] * 3
    refused = client.get(door, {"q": "alp"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "10"
    assert client.get("/search/", {"q": "alpha"}).status_code == 200  # the search bucket is untouched


@pytest.mark.django_db
def test_a_large_export_costs_more_than_a_page_of_hits(client, limits, shelf, settings):
    settings.ARCHIVE_RATE_LIMITS["search"] = {"per_minute": 6, "burst": 4}
    # 60 rows exported: 1 + 60 // 50 = 2 tokens; the bucket of 4 allows two such exports ...
    assert client.get("/export/search/json/", {"q": "alpha"}).status_code == 200
    assert len(client.get("/export/search/json/", {"q": "alpha"}).json()) == 60
    refused = client.get("/export/search/json/", {"q": "alpha"})
    assert refused.status_code == 429
    # ... while a page of 20 hits costs 1 token: four pages from another address all answer.
    assert [client.get("/search/", {"q": "alpha"}, **OTHER).status_code for _ in range(4)] == [200] * 4


@pytest.mark.django_db
def test_a_large_export_can_leave_the_bucket_in_debt(client, limits, indexed_article, settings):
    settings.ARCHIVE_RATE_LIMITS["search"] = {"per_minute": 60, "burst": 2}
    for n in range(150):
        indexed_article(f"Beta piece {n:03d}")
    export = client.get("/export/search/json/", {"q": "beta"})
    assert export.status_code == 200
    assert len(export.json()) == 150
    # 1 + 150 // 50 = 4 tokens from a bucket of 2: the debt of 2 is waited out, a token a second.
    refused = client.get("/api/search/", {"q": "beta"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3"


@pytest.mark.django_db
def test_a_404_over_the_budget_is_still_a_404_without_close_titles(client, limits, indexed_article):
    indexed_article("Iraq and Russia")
    assert 'id="closest-heading"' in client.get("/articles/iraq-russia/", **OTHER).content.decode()
    for n in range(4):
        client.get("/api/search/", {"q": f"x{n}"})
    page = client.get("/articles/iraq-russia/")
    assert page.status_code == 404
    assert 'id="closest-heading"' not in page.content.decode()


@pytest.mark.django_db
def test_the_empty_search_form_and_reading_pages_are_not_charged(client, limits, make_article):
    article = make_article("Cheap page")
    for _ in range(10):
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/feeds/atom/").status_code == 200
        assert client.get("/api/autocomplete/", {"q": ""}).status_code == 200
    assert client.get("/search/", {"q": "cheap"}).status_code == 200


@pytest.mark.django_db
def test_searches_outside_a_request_are_not_limited(limits, search_index):
    for n in range(10):
        run_search(SearchRequest(q=f"word{n}"))


def _views(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry)
        elif isinstance(entry, URLPattern):
            yield entry.callback


def test_the_views_that_search_are_the_ones_the_service_charges():
    """Every view module that holds the search service's functions: each search they run is
    charged by the service. A new such module shows up here, to be given a test above."""
    callers = set()
    for view in _views(get_resolver()):
        module = getattr(view, "__module__", "") or ""
        if module.startswith("archive."):
            source = __import__(module, fromlist=["_"])
            if any(hasattr(source, name) for name in ("run_search", "search_article_ids", "autocomplete")):
                callers.add(module)
    assert callers == {"archive.search.views", "archive.interop.search_views"}
