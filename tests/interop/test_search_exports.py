"""The interop parts that stand on search: the feed of a search, OpenSearch suggestions and the
export of a result set. They need `archive.search.service` (the search branch) and a real
Whoosh index, filled by search's own on-commit indexing."""

import datetime
import json

import bibtexparser
import feedparser
import pytest
import rispy
from django.utils import timezone

pytest.importorskip("archive.search.service", reason="archive.search has not landed on this branch yet")

pytestmark = pytest.mark.django_db

RUSSIA_TITLES = {
    "Iraq and Russia: Motivations for Interaction in New Conditions",
    "العراق وروسيا في الشرق الأوسط",
}


@pytest.fixture
def indexed_items(make_article, django_capture_on_commit_callbacks):
    """Two public pieces about Russia, one about Iran, and a hidden draft and future piece about
    Russia; committed, so search indexes them."""
    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            "Iraq and Russia: Motivations for Interaction in New Conditions",
            authors=["Ali Akbar Asadi"],
            keywords=["Iraq", "Russia"],
            date=datetime.date(2012, 10, 25),
            kind="paper",
            abstract="Russia and Iraq have new motivations.",
        )
        make_article(
            "العراق وروسيا في الشرق الأوسط",
            authors=["Ali Akbar Asadi"],
            keywords=["Russia"],
            date=datetime.date(2014, 6, 30),
            language="ar",
            body="<p>Russia</p>",
        )
        make_article("Elections in Iran", keywords=["Iran"], date=datetime.date(2013, 1, 1))
        make_article("Russia draft", keywords=["Russia"], status="draft")
        make_article(
            "Russia in the future",
            keywords=["Russia"],
            date=timezone.localdate() + datetime.timedelta(days=9),
        )


def test_search_feed_lists_the_public_matches(client, indexed_items):
    for fmt in ("atom", "rss"):
        response = client.get(f"/feeds/search/{fmt}/", {"q": "Russia"})
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo
        assert {e.title for e in feed.entries} == RUSSIA_TITLES
        assert feed.feed.title == "The Archive: search for Russia"


def test_search_export_in_every_format(client, indexed_items):
    bib = client.get("/export/search/bibtex/", {"q": "Russia"})
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    library = bibtexparser.parse_string(bib.content.decode())
    assert {e.fields_dict["title"].value for e in library.entries} == RUSSIA_TITLES
    ris = rispy.loads(client.get("/export/search/ris/", {"q": "Russia"}).content.decode())
    assert {r["title"] for r in ris} == RUSSIA_TITLES
    csl = json.loads(client.get("/export/search/csl-json/", {"q": "Russia"}).content)
    assert {i["title"] for i in csl} == RUSSIA_TITLES
    archive = json.loads(client.get("/export/search/json/", {"q": "Russia"}).content)
    assert {i["title"] for i in archive} == RUSSIA_TITLES


def test_opensearch_suggestions(client, indexed_items):
    response = client.get("/opensearch/suggest/", {"q": "Ira"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-suggestions+json; charset=utf-8"
    query, labels, types, urls = json.loads(response.content)
    assert query == "Ira"
    assert "Iraq and Russia: Motivations for Interaction in New Conditions" in labels or "Iraq" in labels
    assert len(labels) == len(types) == len(urls)
    assert all(u.startswith("http://testserver/") for u in urls)
    assert not any("draft" in label or "future" in label for label in labels)
    assert json.loads(client.get("/opensearch/suggest/", {"q": ""}).content) == ["", [], [], []]
