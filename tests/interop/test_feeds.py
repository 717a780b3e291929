"""Atom and RSS feeds, read with feedparser."""

import datetime

import feedparser
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from lxml import html

from archive.articles.models import Article, Author, Keyword
from tests.interop.conftest import HIDDEN_TITLES, PUBLIC_TITLES

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


def test_latest_atom_feed_has_public_pieces_newest_first_with_full_metadata(client, archive_items):
    response, feed = parse(client, reverse("interop:feed_latest_atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == [
        "العراق وروسيا في الشرق الأوسط",
        "ایران و عراق پس از انتخابات",
        "Iraq and Russia: Motivations for Interaction in New Conditions",
    ]
    paper = feed.entries[2]
    assert (
        paper.link
        == "http://testserver/articles/iraq-and-russia-motivations-for-interaction-in-new-conditions/"
    )
    assert [a.name for a in paper.authors] == ["Ali Akbar Asadi", "Maryam Karimi"]
    assert paper.authors[1].href == "http://testserver/authors/maryam-karimi/"
    assert paper.published_parsed[:3] == (2012, 10, 25)
    assert paper.updated_parsed is not None
    assert paper.summary == "Russia and Iraq have new motivations for interaction after 2011."
    assert sorted(t.term for t in paper.tags) == ["Iraq", "Russia", "Weapons Deal"]
    # No abstract: the start of the body stands in.
    assert feed.entries[0].summary == "نص المقال."


def test_latest_rss_feed(client, archive_items):
    response, feed = parse(client, reverse("interop:feed_latest_rss"))
    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert {e.title for e in feed.entries} == PUBLIC_TITLES
    paper = next(e for e in feed.entries if e.title.startswith("Iraq and Russia"))
    assert [a.name for a in paper.authors] == ["Ali Akbar Asadi", "Maryam Karimi"]
    assert sorted(t.term for t in paper.tags) == ["Iraq", "Russia", "Weapons Deal"]
    assert paper.published_parsed[:3] == (2012, 10, 25)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_author_feed_lists_only_their_public_pieces(client, archive_items, fmt):
    author = Author.objects.get(name="Ali Akbar Asadi")
    _, feed = parse(client, reverse(f"interop:feed_author_{fmt}", args=[author.slug]))
    assert feed.feed.title == "The Archive: pieces by Ali Akbar Asadi"
    assert [e.title for e in feed.entries] == [
        "العراق وروسيا في الشرق الأوسط",
        "Iraq and Russia: Motivations for Interaction in New Conditions",
    ]


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_keyword_feed_lists_only_its_public_pieces(client, archive_items, fmt):
    keyword = Keyword.objects.get(name="Iraq")
    _, feed = parse(client, reverse(f"interop:feed_keyword_{fmt}", args=[keyword.slug]))
    assert feed.feed.title == "The Archive: Iraq"
    assert [e.title for e in feed.entries] == [
        "ایران و عراق پس از انتخابات",
        "Iraq and Russia: Motivations for Interaction in New Conditions",
    ]


def test_unknown_author_or_keyword_feed_is_404(client, archive_items):
    assert client.get(reverse("interop:feed_author_atom", args=["nobody"])).status_code == 404
    assert client.get(reverse("interop:feed_keyword_rss", args=["nothing"])).status_code == 404


def test_feeds_never_show_drafts_or_future_pieces(client, archive_items):
    urls = [
        reverse("interop:feed_latest_atom"),
        reverse("interop:feed_latest_rss"),
        reverse("interop:feed_author_atom", args=["ali-akbar-asadi"]),
        reverse("interop:feed_keyword_atom", args=["iraq"]),
    ]
    for url in urls:
        _, feed = parse(client, url)
        assert not HIDDEN_TITLES & {e.title for e in feed.entries}, url


def test_feed_query_count_does_not_grow_with_entries(client, make_article, django_assert_max_num_queries):
    for n in range(3):
        make_article(f"Piece {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}", "shared"])
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("interop:feed_latest_atom"))
    for n in range(3, 25):
        make_article(f"Piece {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}", "shared"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        _, feed = parse(client, reverse("interop:feed_latest_atom"))
    assert len(feed.entries) == 25


def test_feed_size_is_capped(client, make_article, settings):
    settings.ARCHIVE_FEED_SIZE = 2
    for n in range(4):
        make_article(f"Piece {n}", date=datetime.date(2020, 1, 1 + n))
    _, feed = parse(client, reverse("interop:feed_latest_atom"))
    assert [e.title for e in feed.entries] == ["Piece 3", "Piece 2"]


def _alternate_links(client, url):
    page = html.fromstring(client.get(url).content)
    return {
        (link.get("type"), link.get("href"))
        for link in page.xpath("//head/link[(@rel='alternate' and not(@hreflang)) or @rel='search']")
    }


def test_feeds_and_opensearch_are_discoverable_from_pages(client, archive_items):
    site_wide = {
        ("application/atom+xml", "/feeds/atom/"),
        ("application/rss+xml", "/feeds/rss/"),
        ("application/opensearchdescription+xml", "/opensearch.xml"),
    }
    assert _alternate_links(client, "/") == site_wide
    author = Author.objects.get(name="Ali Akbar Asadi")
    assert _alternate_links(client, author.get_absolute_url()) == site_wide | {
        ("application/atom+xml", "/feeds/authors/ali-akbar-asadi/atom/"),
        ("application/rss+xml", "/feeds/authors/ali-akbar-asadi/rss/"),
    }
    keyword = Keyword.objects.get(name="Russia")
    assert _alternate_links(client, keyword.get_absolute_url()) == site_wide | {
        ("application/atom+xml", "/feeds/keywords/russia/atom/"),
        ("application/rss+xml", "/feeds/keywords/russia/rss/"),
    }
    # The advertised feed is the one served.
    _, feed = parse(client, "/feeds/keywords/russia/atom/")
    assert len(feed.entries) == Article.objects.published().tagged(keyword).count() == 2


def test_search_head_links_the_feed_of_the_search():
    text = render_to_string("interop/search_head.html", {"query_string": "q=Russia&kind=paper"})
    links = {
        link.get("type"): link.get("href")
        for link in html.fragment_fromstring(text, create_parent=True).xpath("//link")
    }
    assert links["application/atom+xml"] == "/feeds/search/atom/?q=Russia&kind=paper"
    assert links["application/rss+xml"] == "/feeds/search/rss/?q=Russia&kind=paper"


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feeds_of_an_author_or_keyword_with_only_hidden_pieces_are_404(client, make_article, fmt):
    """As `/authors/<slug>/` and `/keywords/<slug>/` are: their name and affiliation stay unseen
    until a piece of theirs is public (issue 15.5)."""
    make_article(
        "Only a draft", authors=[("Hidden Writer", "Secret Institute")], keywords=["Unseen"], status="draft"
    )
    future = timezone.localdate() + datetime.timedelta(days=3)
    make_article("Scheduled", authors=["Hidden Writer"], keywords=["Unseen"], date=future)
    for path in ("/authors/hidden-writer/", "/keywords/unseen/"):
        assert client.get(path).status_code == 404
    for url in (f"/feeds/authors/hidden-writer/{fmt}/", f"/feeds/keywords/unseen/{fmt}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Secret Institute" not in response.content and b"Hidden Writer" not in response.content
    # Once a piece is public, both the page and the feed exist.
    make_article("Now public", authors=["Hidden Writer"], keywords=["Unseen"])
    for url in (f"/feeds/authors/hidden-writer/{fmt}/", f"/feeds/keywords/unseen/{fmt}/"):
        _, feed = parse(client, url)
        assert [entry.title for entry in feed.entries] == ["Now public"]
