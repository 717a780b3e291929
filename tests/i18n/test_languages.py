"""The interface in English, Persian and Arabic: English at today's addresses, /fa/ and /ar/ beside
them for what people read, the machine addresses in one language, and the page cache keeping one
page per language."""

import datetime

import pytest
from django.core.cache import caches
from django.test import override_settings
from lxml import html

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece(indexed_article):
    return indexed_article(
        "Iraq and the New Russian Policy",
        authors=["Ali Akbar Asadi"],
        keywords=["Iraq"],
        date=datetime.date(2012, 10, 25),
        abstract="Russia returns to Iraq.",
    )


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.content)


@pytest.mark.parametrize(
    ("prefix", "lang", "direction"),
    [("", "en", "ltr"), ("/fa", "fa", "rtl"), ("/ar", "ar", "rtl")],
)
def test_reading_pages_exist_in_each_language_with_lang_and_dir(client, piece, prefix, lang, direction):
    for path in ["/", "/articles/", "/archive/", "/authors/", "/keywords/", "/about/", "/search/?q=iraq"]:
        root = page(client, prefix + path)
        assert (root.get("lang"), root.get("dir")) == (lang, direction), prefix + path
        assert root.xpath("//header[@class='site-header']/@lang") == [lang]
    article = page(client, f"{prefix}/articles/{piece.slug}/")
    assert (article.get("lang"), article.get("dir")) == (lang, direction)
    # The piece keeps its own language and direction inside any interface.
    assert article.xpath("//article[@class='article']/@lang") == ["en"]
    assert article.xpath("//article[@class='article']/@dir") == ["ltr"]


def test_english_keeps_its_addresses_and_machine_addresses_have_no_prefix(client, piece):
    assert client.get("/articles/").status_code == 200
    assert client.get("/en/articles/").status_code == 404
    for path in ["/api/", "/oai/?verb=Identify", "/sitemap.xml", "/robots.txt"]:
        assert client.get(path).status_code == 200, path
        assert client.get("/fa" + path).status_code == 404, path
    # Feeds are at their English address and in each language (tests/i18n/test_language_feeds.py).
    assert client.get("/feeds/atom/").status_code == client.get("/fa/feeds/atom/").status_code == 200
    # Links inside a Persian page stay in Persian; machine links do not move.
    root = page(client, "/fa/")
    assert root.xpath("//nav[@class='site-nav']//a/@href") == [
        "/fa/articles/",
        "/fa/archive/",
        "/fa/authors/",
        "/fa/keywords/",
    ]
    assert root.xpath("//head/link[@type='application/atom+xml']/@href") == ["/fa/feeds/atom/"]
    assert root.xpath("//form[@role='search']/@action") == ["/fa/search/"]


def test_switcher_links_the_same_page_in_each_language(client, piece):
    root = page(client, "/fa/articles/?page=1")
    links = root.xpath("//nav[@class='language-switcher']//a")
    assert [(a.get("lang"), a.get("dir"), a.get("href"), a.text) for a in links] == [
        ("en", "ltr", "/articles/?page=1", "English"),
        ("fa", "rtl", "/fa/articles/?page=1", "فارسی"),
        ("ar", "rtl", "/ar/articles/?page=1", "العربيّة"),
    ]
    assert [a.get("aria-current") for a in links] == [None, "true", None]
    slug = piece.slug
    root = page(client, piece.get_absolute_url())
    assert root.xpath("//nav[@class='language-switcher']//a/@href") == [
        f"/articles/{slug}/",
        f"/fa/articles/{slug}/",
        f"/ar/articles/{slug}/",
    ]


def test_hreflang_alternates_and_x_default(client, piece):
    root = page(client, "/ar/keywords/iraq/")
    alternates = {link.get("hreflang"): link.get("href") for link in root.xpath("//head/link[@hreflang]")}
    assert alternates == {
        "en": "http://testserver/keywords/iraq/",
        "fa": "http://testserver/fa/keywords/iraq/",
        "ar": "http://testserver/ar/keywords/iraq/",
        "x-default": "http://testserver/keywords/iraq/",
    }
    assert root.xpath("//head/link[@rel='canonical']/@href") == ["http://testserver/ar/keywords/iraq/"]
    # Pages not for indexing (search) name no alternates.
    assert page(client, "/fa/search/?q=iraq").xpath("//head/link[@hreflang]") == []


@override_settings(ARCHIVE_PAGE_CACHE_SECONDS=300)
def test_page_cache_keeps_one_page_per_language(client, piece):
    english = client.get("/articles/").content.decode()
    persian = client.get("/fa/articles/").content.decode()
    arabic = client.get("/ar/articles/").content.decode()
    assert '<html lang="en" dir="ltr">' in english
    assert '<html lang="fa" dir="rtl">' in persian
    assert '<html lang="ar" dir="rtl">' in arabic
    # Served again from the cache: each language its own.
    assert client.get("/fa/articles/").content.decode() == persian
    assert client.get("/articles/").content.decode() == english
    # A browser asking for Persian still gets English at the English address.
    assert '<html lang="en"' in client.get("/articles/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()


def test_error_pages_speak_the_language_of_their_address(client):
    response = client.get("/fa/articles/no-such-piece/")
    assert response.status_code == 404
    root = html.fromstring(response.content)
    assert (root.get("lang"), root.get("dir")) == ("fa", "rtl")
    response = client.get("/ar/no/such/page/")
    assert response.status_code == 404
    assert html.fromstring(response.content).get("dir") == "rtl"


def test_admin_in_persian_and_arabic(admin_client):
    response = admin_client.get("/fa/admin/")
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in response.content.decode()
    response = admin_client.get("/ar/admin/ingest/upload/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
    assert admin_client.get("/admin/").status_code == 200


def test_the_language_is_the_address_s_and_caches_need_not_vary_by_browser(client, piece):
    for path, language in [("/articles/", "en"), ("/fa/articles/", "fa"), ("/api/", "en")]:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="ar")
        assert response["Content-Language"] == language
        assert "Accept-Language" not in response.get("Vary", "")


def test_autocomplete_links_lead_to_the_reader_s_language(client, piece):
    def urls(**params):
        return [s["url"] for s in client.get("/api/autocomplete/", {"q": "iraq", **params}).json()["results"]]

    assert urls() == ["/keywords/iraq/", f"/articles/{piece.slug}/"]
    assert urls(lang="fa") == ["/fa/keywords/iraq/", f"/fa/articles/{piece.slug}/"]
    assert urls(lang="xx") == urls()
    root = page(client, "/ar/search/?q=iraq")
    assert root.get_element_by_id("search-q").get("data-autocomplete") == "/api/autocomplete/?lang=ar"


def test_admin_pages_link_to_themselves_in_the_other_languages(admin_client):
    root = html.fromstring(admin_client.get("/fa/admin/search/health/").content.decode())
    links = root.xpath("//div[@id='user-tools']/a[@hreflang]")
    assert [(a.get("href"), a.text) for a in links] == [
        ("/admin/search/health/", "English"),
        ("/ar/admin/search/health/", "العربيّة"),
    ]
    assert root.xpath("//h1/text()") == ["سلامت نمایهٔ جست‌وجو"]


def test_error_pages_are_in_the_reader_s_language(client, settings):
    root = html.fromstring(client.get("/fa/articles/no-such-piece/").content.decode())
    assert root.xpath("//h1/text()") == ["در این نشانی مقاله‌ای نیست"]
    root = html.fromstring(client.get("/ar/no/such/page/").content.decode())
    assert root.xpath("//h1/text()") == ["الصفحة غير موجودة"]
    # The 429 page speaks its address's language.
    settings.ARCHIVE_RATE_LIMITS = {**settings.ARCHIVE_RATE_LIMITS, "search": {"per_minute": 1, "burst": 1}}
    caches["ratelimit"].clear()
    client.get("/fa/")  # the thread's last language is Persian
    assert client.get("/ar/search/?q=a").status_code == 200
    response = client.get("/ar/search/?q=b")
    assert response.status_code == 429
    root = html.fromstring(response.content.decode())
    assert (root.get("lang"), root.get("dir"), root.xpath("//h1/text()")) == (
        "ar",
        "rtl",
        ["عمليات بحث كثيرة جدًا"],
    )


def test_a_page_that_does_not_exist_offers_each_language_s_home(client):
    root = html.fromstring(client.get("/fa/no/such/page/?q=x").content.decode())
    assert root.xpath("//nav[@class='language-switcher']//a/@href") == ["/", "/fa/", "/ar/"]
