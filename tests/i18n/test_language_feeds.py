"""Feeds in the reader's language: the same feeds under /fa/feeds/ and /ar/feeds/ say their title
and description in that language, link the pages in that language and give a piece's title in
it where the piece has one; the English feeds keep their addresses and words (PRODUCT.md)."""

import feedparser
import pytest
from django.test import override_settings
from lxml import html

from tests.i18n.conftest import PERSIAN_ABSTRACT, PERSIAN_TITLE

pytestmark = pytest.mark.django_db

ORIGINAL = "Iraq and Russia: Motivations for Interaction in New Conditions"


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


FEED_WORDS = {
    "en": ("Archive: latest pieces", "The newest analysis, commentary and papers in the archive."),
    "fa": ("Archive: تازه‌ترین نوشته‌ها", "تازه‌ترین تحلیل‌ها، تفسیرها و پژوهش‌های آرشیو."),
    "ar": ("Archive: أحدث المواد", "أحدث التحليلات والتعليقات والأوراق البحثية في الأرشيف."),
}


@override_settings(ARCHIVE_SITE_NAME="Archive")
@pytest.mark.parametrize(
    ("url", "language", "link"),
    [
        ("/feeds/atom/", "en", "/articles/"),
        ("/fa/feeds/atom/", "fa", "/fa/articles/"),
        ("/ar/feeds/rss/", "ar", "/ar/articles/"),
    ],
)
def test_the_latest_feed_speaks_the_language_of_its_address(client, piece, url, language, link):
    title, subtitle = FEED_WORDS[language]
    response, feed = parse(client, url)
    assert (feed.feed.title, feed.feed.subtitle) == (title, subtitle)
    assert feed.feed.get("language") == language
    assert response["Content-Language"] == language
    assert feed.feed.link == f"http://testserver{link}"
    (entry,) = feed.entries
    assert entry.link == f"http://testserver{link}{piece.slug}/"
    # One id for the piece in every language's feed.
    assert entry.id == f"http://testserver/articles/{piece.slug}/"


def test_a_feed_in_persian_gives_the_persian_title_first_and_the_original_after(client, piece):
    _response, feed = parse(client, "/fa/feeds/atom/")
    (entry,) = feed.entries
    assert entry.title == f"{PERSIAN_TITLE} ({ORIGINAL})"
    assert entry.summary == PERSIAN_ABSTRACT
    _response, feed = parse(client, "/feeds/atom/")
    assert (feed.entries[0].title, feed.entries[0].summary) == (ORIGINAL, "Russia returns to Iraq.")


@override_settings(ARCHIVE_SITE_NAME="Archive")
def test_author_keyword_and_search_feeds_have_language_addresses_too(client, piece, make_article):
    make_article("Oil notes", authors=["Ali Akbar Asadi"], keywords=["Oil"])
    _response, feed = parse(client, "/fa/feeds/authors/ali-akbar-asadi/atom/")
    assert feed.feed.title == "Archive: نوشته‌های Ali Akbar Asadi"
    _response, feed = parse(client, "/ar/feeds/keywords/oil/rss/")
    assert [e.title for e in feed.entries] == ["Oil notes"]
    assert feed.feed.get("language") == "ar"
    _response, feed = parse(client, "/fa/feeds/search/atom/?q=russia")
    assert feed.feed.title == "Archive: جست‌وجوی russia"
    assert feed.feed.link == "http://testserver/fa/search/?q=russia"
    assert [e.title for e in feed.entries] == [f"{PERSIAN_TITLE} ({ORIGINAL})"]


def test_pages_in_persian_advertise_the_persian_feeds(client, piece):
    tree = html.fromstring(client.get("/fa/").content.decode())
    feeds = tree.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href")
    assert feeds == ["/fa/feeds/atom/"]
    tree = html.fromstring(client.get("/").content.decode())
    assert tree.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href") == ["/feeds/atom/"]
    tree = html.fromstring(client.get("/fa/search/", {"q": "russia"}).content.decode())
    assert tree.xpath("//head/link[@rel='alternate'][@type='application/rss+xml']/@href") == [
        "/fa/feeds/rss/",
        "/fa/feeds/search/rss/?q=russia",
    ]
