"""Every XML writer is well-formed whatever it is given (issue 15.2, 15.3): each character XML 1.0
forbids, in a search query and in stored text that predates the cleaning (written here with
`QuerySet.update()`, which bypasses it), through the real views, parsed by lxml (strict) and
feedparser."""

from urllib.parse import quote

import feedparser
import pytest
from django.db import connection
from lxml import etree

from archive.articles.models import Article, Author, Keyword

pytestmark = pytest.mark.django_db

# XML 1.0's forbidden characters that a request or a database can carry (lone surrogates can be
# neither: Django decodes a URL's bad UTF-8 as U+FFFD and no database stores them; the import
# tests feed them through JSON).
FORBIDDEN = (
    [chr(code) for code in range(0x00, 0x09)]
    + ["\x0b", "\x0c"]
    + [chr(code) for code in range(0x0E, 0x20)]
    + ["\ufffe", "\uffff"]
)
IDS = [f"U+{ord(ch):04X}" for ch in FORBIDDEN]
FEED_KINDS = ("atom", "rss")


def strict_xml(response):
    assert response.status_code == 200, response.content[:300]
    return etree.fromstring(response.content)  # raises on any character XML 1.0 forbids


def feed(response):
    strict_xml(response)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


@pytest.mark.parametrize("ch", FORBIDDEN, ids=IDS)
def test_search_feeds_take_any_character_in_the_query(client, ch, search_index, make_article):
    make_article("Oil prices", authors=["Nadia Kerman"])
    search_index.update()
    for kind in FEED_KINDS:
        parsed = feed(client.get(f"/feeds/search/{kind}/?q={quote(ch)}oil"))
        assert parsed.feed.title == "The Archive: search for oil"
        assert [entry.title for entry in parsed.entries] == ["Oil prices"]


def _legacy_piece(make_article, ch):
    """A public piece whose title, abstract, body, author and keyword hold `ch`, stored as an
    older version of the archive could store them."""
    if ch == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text cannot hold U+0000: it was never stored there")
    article = make_article("Clean title", authors=[("Nadia Kerman", "University")], keywords=["Oil"])
    Article.objects.filter(pk=article.pk).update(
        title=f"Oil{ch}prices", abstract=f"Abs{ch}tract", body=f"<p>Bo{ch}dy</p>", source_name=f"J{ch}"
    )
    Author.objects.filter(name="Nadia Kerman").update(name=f"Nadia{ch}Kerman", affiliation=f"Uni{ch}versity")
    Keyword.objects.filter(name="Oil").update(name=f"k{ch}w")
    return Article.objects.get(pk=article.pk)


@pytest.mark.parametrize("ch", FORBIDDEN, ids=IDS)
def test_feeds_of_stored_text_with_any_forbidden_character(client, ch, make_article):
    _legacy_piece(make_article, ch)
    for kind in FEED_KINDS:
        latest = feed(client.get(f"/feeds/{kind}/"))
        assert [entry.title for entry in latest.entries] == ["Oilprices"]
        assert latest.entries[0].author == "NadiaKerman"
        assert [tag.term for tag in latest.entries[0].tags] == ["kw"]
        by_author = feed(client.get(f"/feeds/authors/nadia-kerman/{kind}/"))
        assert by_author.feed.title == "The Archive: pieces by NadiaKerman"
        assert [entry.title for entry in by_author.entries] == ["Oilprices"]
        by_keyword = feed(client.get(f"/feeds/keywords/oil/{kind}/"))
        assert by_keyword.feed.title == "The Archive: kw"
        assert [entry.title for entry in by_keyword.entries] == ["Oilprices"]


@pytest.mark.parametrize("ch", FORBIDDEN, ids=IDS)
def test_oai_pmh_and_sitemap_of_stored_text_with_any_forbidden_character(client, ch, make_article):
    article = _legacy_piece(make_article, ch)
    dc = "{http://purl.org/dc/elements/1.1/}"
    records = strict_xml(client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc"))
    assert [el.text for el in records.iter(f"{dc}title")] == ["Oilprices"]
    assert [el.text for el in records.iter(f"{dc}creator")] == ["NadiaKerman"]
    assert [el.text for el in records.iter(f"{dc}subject")] == ["kw"]
    identifier = f"oai:archive.localhost:{article.pk}"
    record = strict_xml(client.get(f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier}"))
    assert [el.text for el in record.iter(f"{dc}title")] == ["Oilprices"]
    # A forbidden character in an argument comes back in the request element, removed.
    error = strict_xml(client.get(f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=x{quote(ch)}y"))
    assert [el.get("code") for el in error.iter("{http://www.openarchives.org/OAI/2.0/}error")] == [
        "idDoesNotExist"
    ]
    sitemap = strict_xml(client.get("/sitemap.xml"))
    locations = [el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://testserver/articles/clean-title/" in locations
    assert "http://testserver/authors/nadia-kerman/" in locations


@pytest.mark.parametrize("ch", FORBIDDEN, ids=IDS)
def test_opensearch_description_with_any_forbidden_character_in_the_site_name(client, ch, settings):
    settings.ARCHIVE_SITE_NAME = f"The{ch}Archive"
    document = strict_xml(client.get("/opensearch.xml"))
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert document.findtext(f"{ns}ShortName") == "TheArchive"
    assert document.findtext(f"{ns}Description").endswith("of TheArchive.")
