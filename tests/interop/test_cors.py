"""The public machine endpoints are readable from any origin, in one place
(archive.security.cors): every `/api/` response, errors included, the exports and the OpenSearch
suggestions (issue 15.7); the reading pages are not."""

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "https://elsewhere.example"}


def test_every_api_response_allows_any_origin(client, archive_items, search_index):
    search_index.update()
    answers = {
        "/api/": 200,
        "/api/articles/": 200,
        "/api/articles/?page_size=1000": 400,
        "/api/articles/?page=99": 404,
        "/api/articles/no-such-piece/": 404,
        "/api/authors/": 200,
        "/api/keywords/": 200,
        "/api/search/?q=iraq": 200,
        "/api/search/?q=iraq&page=99": 404,
        "/api/autocomplete/?q=ira": 200,
        "/export/search/bibtex/?q=iraq": 200,
        "/export/articles/no-such-piece/ris/": 404,
        "/opensearch/suggest/?q=ira": 200,
    }
    for url, status in answers.items():
        response = client.get(url, **ORIGIN)
        assert response.status_code == status, url
        assert response["Access-Control-Allow-Origin"] == "*", url
    assert client.get("/api/search/?q=iraq").json()["count"] == 2  # the Arabic piece says العراق
    for url in ("/", "/articles/", "/search/?q=iraq", "/feeds/atom/", "/oai/?verb=Identify"):
        assert "Access-Control-Allow-Origin" not in client.get(url, **ORIGIN), url


def test_a_rate_limited_api_search_is_readable_cross_origin(client, settings, search_index):
    settings.ARCHIVE_RATE_LIMITS = {"search": {"per_minute": 1, "burst": 1}}
    caches["ratelimit"].clear()
    try:
        assert client.get("/api/search/?q=a", **ORIGIN).status_code == 200
        limited = client.get("/api/search/?q=a", **ORIGIN)
        assert limited.status_code == 429
        assert limited["Access-Control-Allow-Origin"] == "*"
        assert "retry_after" in limited.json()
    finally:
        caches["ratelimit"].clear()


def test_a_preflight_is_answered_for_the_api_only(client):
    preflight = client.options(
        "/api/articles/",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept",
        **ORIGIN,
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight["Access-Control-Allow-Headers"] == "accept"
    page = client.options("/articles/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **ORIGIN)
    assert "Access-Control-Allow-Origin" not in page
