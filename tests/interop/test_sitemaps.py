"""sitemap.xml (and its index past the URL limit), robots.txt and the OpenSearch description,
read with lxml."""

import datetime
from urllib.parse import unquote

import pytest
from django.utils import timezone
from lxml import etree

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, etree.fromstring(response.content)


def locs(root):
    """The page addresses, percent-decoded (a sitemap carries URIs; Persian slugs are escaped)."""
    return [unquote(u.findtext(f"{SM}loc")) for u in root.iter(f"{SM}url")]


def test_sitemap_lists_every_public_page_and_nothing_hidden(client, archive_items):
    response, root = xml(client, "/sitemap.xml")
    assert response["Content-Type"] == "application/xml"
    assert root.tag == f"{SM}urlset"
    urls = set(locs(root))
    base = "http://testserver"
    articles = {unquote(archive_items[k].get_absolute_url()) for k in ("paper", "persian", "arabic")}
    assert {u for u in urls if "/articles/" in u and u != f"{base}/articles/"} == {base + a for a in articles}
    assert {u for u in urls if "/authors/" in u and u != f"{base}/authors/"} == {
        f"{base}/authors/ali-akbar-asadi/",
        f"{base}/authors/maryam-karimi/",
        f"{base}/authors/علی-اکبر-اسدی/",
    }
    assert {u for u in urls if "/keywords/" in u and u != f"{base}/keywords/"} == {
        f"{base}/keywords/iraq/",
        f"{base}/keywords/russia/",
        f"{base}/keywords/weapons-deal/",
        f"{base}/keywords/ایران/",
    }
    assert {f"{base}/", f"{base}/articles/", f"{base}/about/"} <= urls
    for hidden in ("draft", "future"):
        assert base + unquote(archive_items[hidden].get_absolute_url()) not in urls
    # lastmod of an article is its last change.
    paper_url = base + archive_items["paper"].get_absolute_url()
    entry = next(u for u in root.iter(f"{SM}url") if u.findtext(f"{SM}loc") == paper_url)
    assert entry.findtext(f"{SM}lastmod")[:10] == timezone.now().date().isoformat()


def test_sitemap_becomes_an_index_past_the_limit(client, make_article, settings):
    settings.ARCHIVE_SITEMAP_LIMIT = 4
    for n in range(6):
        make_article(f"Piece {n}", date=datetime.date(2020, 1, 1 + n))
    _, root = xml(client, "/sitemap.xml")
    assert root.tag == f"{SM}sitemapindex"
    sitemaps = [s.findtext(f"{SM}loc") for s in root.iter(f"{SM}sitemap")]
    assert sitemaps == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-pages.xml?p=2",
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-authors.xml",
        "http://testserver/sitemap-keywords.xml",
    ]
    seen = []
    for url in sitemaps:
        _, part = xml(client, url.removeprefix("http://testserver"))
        seen += locs(part)
        assert len(locs(part)) <= 4
    assert len([u for u in seen if "/articles/piece-" in u]) == 6


def test_sitemap_query_count_does_not_grow(client, make_article, django_assert_max_num_queries):
    for n in range(3):
        make_article(f"Piece {n}", authors=[f"A{n}"], keywords=[f"k{n}"])
    with django_assert_max_num_queries(20) as small:
        client.get("/sitemap.xml")
    for n in range(3, 20):
        make_article(f"Piece {n}", authors=[f"A{n}"], keywords=[f"k{n}"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        _, root = xml(client, "/sitemap.xml")
    assert len(locs(root)) == 6 + 20 * 3


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_opensearch_description(client):
    response, root = xml(client, "/opensearch.xml")
    assert response["Content-Type"] == "application/opensearchdescription+xml; charset=utf-8"
    assert root.tag == f"{OS}OpenSearchDescription"
    assert root.findtext(f"{OS}ShortName") == "The Archive"
    urls = {u.get("type"): u.get("template") for u in root.iter(f"{OS}Url")}
    assert urls["text/html"] == "http://testserver/search/?q={searchTerms}"
    assert urls["application/atom+xml"] == "http://testserver/feeds/search/atom/?q={searchTerms}"
    assert urls["application/rss+xml"] == "http://testserver/feeds/search/rss/?q={searchTerms}"
    assert urls["application/x-suggestions+json"] == "http://testserver/opensearch/suggest/?q={searchTerms}"
    assert urls["application/opensearchdescription+xml"] == "http://testserver/opensearch.xml"
