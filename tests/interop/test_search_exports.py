"""The interop parts that stand on search: the feed of a search, OpenSearch suggestions and the
export of a result set, over a real Whoosh index (search's `search_index` fixture)."""

import datetime
import json

import bibtexparser
import feedparser
import pytest
import rispy
from django.utils import timezone
from lxml import html

pytestmark = pytest.mark.django_db

RUSSIA_TITLES = {
    "Iraq and Russia: Motivations for Interaction in New Conditions",
    "العراق وروسيا في الشرق الأوسط",
}


@pytest.fixture
def indexed_items(make_article, search_index):
    """Two public pieces about Russia, one about Iran, and a hidden draft and future piece about
    Russia, indexed."""
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
        "Russia in the future", keywords=["Russia"], date=timezone.localdate() + datetime.timedelta(days=9)
    )
    search_index.update()


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


def test_search_feed_is_newest_first_unless_sorted_and_takes_the_filters(client, indexed_items):
    def titles(**query):
        return [e.title for e in feedparser.parse(client.get("/feeds/search/atom/", query).content).entries]

    newest_first = [
        "العراق وروسيا في الشرق الأوسط",
        "Iraq and Russia: Motivations for Interaction in New Conditions",
    ]
    assert titles(q="Russia") == newest_first
    assert titles(q="Russia", sort="oldest") == newest_first[::-1]
    assert titles(q="Russia", language="ar") == newest_first[:1]
    assert titles(kind="paper") == newest_first[1:]
    assert titles() == []  # an empty search finds nothing, as on the search page


def test_search_page_offers_its_feed_and_its_exports(client, indexed_items):
    page = html.fromstring(client.get("/search/", {"q": "Russia", "language": "ar", "page": "1"}).content)
    feeds = {link.get("href") for link in page.xpath("//head/link[@type='application/atom+xml']")}
    assert feeds == {"/feeds/atom/", "/feeds/search/atom/?q=Russia&language=ar"}
    exports = {a.get("type"): a.get("href") for a in page.xpath("//p[@class='search-export']/a")}
    assert exports == {
        "application/x-bibtex": "/export/search/bibtex/?q=Russia&language=ar",
        "application/x-research-info-systems": "/export/search/ris/?q=Russia&language=ar",
        "application/vnd.citationstyles.csl+json": "/export/search/csl-json/?q=Russia&language=ar",
        "application/json": "/export/search/json/?q=Russia&language=ar",
    }
    feed = feedparser.parse(client.get("/feeds/search/atom/?q=Russia&language=ar").content)
    assert [e.title for e in feed.entries] == ["العراق وروسيا في الشرق الأوسط"]
    [item] = json.loads(client.get(exports["application/json"]).content)
    assert item["title"] == "العراق وروسيا في الشرق الأوسط"
    # An empty search page offers no search feed.
    empty = html.fromstring(client.get("/search/").content)
    assert {link.get("href") for link in empty.xpath("//head/link[@type='application/atom+xml']")} == {
        "/feeds/atom/"
    }


def test_search_export_is_capped(client, indexed_items, settings):
    settings.ARCHIVE_EXPORT_MAX = 1
    assert len(json.loads(client.get("/export/search/json/", {"q": "Russia"}).content)) == 1


def test_search_feed_query_count_does_not_grow(
    client, make_article, search_index, django_assert_max_num_queries
):
    for n in range(3):
        make_article(f"Russia {n}", authors=[f"Author {n}"], keywords=[f"k{n}"])
    search_index.update()
    with django_assert_max_num_queries(10) as small:
        client.get("/feeds/search/atom/", {"q": "Russia"})
    for n in range(3, 25):
        make_article(f"Russia {n}", authors=[f"Author {n}"], keywords=[f"k{n}"])
    search_index.update()
    with django_assert_max_num_queries(len(small.captured_queries)):
        feed = feedparser.parse(client.get("/feeds/search/atom/", {"q": "Russia"}).content)
    assert len(feed.entries) == 25
