"""A piece's title and abstract in another language (ArticleTranslation): shown first to readers
of that language, searched with the piece, kept in step with the index and the page cache, and
carried by OAI-PMH with xml:lang beside the original."""

import pytest
from django.core.cache import caches
from django.test import override_settings
from lxml import etree, html

from archive.articles.services import article_set_translations
from archive.search.service import SearchRequest, run_search
from tests.i18n.conftest import ARABIC_TITLE, PERSIAN_ABSTRACT, PERSIAN_TITLE

pytestmark = pytest.mark.django_db


def titles(query):
    return [hit.title for hit in run_search(SearchRequest(q=query)).hits]


def test_set_translations_replaces_them(piece):
    assert [(t.language, t.title) for t in piece.translations.all()] == [
        ("ar", ARABIC_TITLE),
        ("fa", PERSIAN_TITLE),
    ]
    article_set_translations(article=piece, translations=[{"language": "fa", "title": "عنوان تازه"}])
    assert [(t.language, t.title, t.abstract) for t in piece.translations.all()] == [("fa", "عنوان تازه", "")]


def test_the_reader_s_language_comes_first(client, piece):
    page = html.fromstring(client.get(f"/fa/articles/{piece.slug}/").content.decode())
    h1 = page.xpath("//h1")[0]
    assert (h1.text, h1.get("lang"), h1.get("dir")) == (PERSIAN_TITLE, "fa", "rtl")
    assert page.xpath("//p[@class='article__original-title']/bdi/text()") == [piece.title]
    abstract = page.xpath("//section[@class='article__abstract']")[0]
    assert abstract.xpath("div[@lang='fa']/p/text()") == [PERSIAN_ABSTRACT]
    assert abstract.xpath("p/text()") == ["Russia returns to Iraq."]  # the original's, after it
    assert page.xpath("//section[@class='article__translations']//li/@lang") == ["ar"]
    assert page.xpath("//title/text()")[0].startswith(PERSIAN_TITLE)
    # In English, the original first; the other languages' titles are named as such.
    page = html.fromstring(client.get(f"/articles/{piece.slug}/").content.decode())
    assert page.xpath("//h1/text()") == [piece.title]
    assert page.xpath("//section[@class='article__translations']//li/text()") == [ARABIC_TITLE, PERSIAN_TITLE]


def test_search_finds_the_piece_by_either_title_and_follows_changes(piece, search_index):
    assert titles("انگیزه‌های تعامل") == [piece.title]
    assert titles("دوافع التعاون") == [piece.title]
    assert titles("russia iraq motivations") == [piece.title]
    article_set_translations(article=piece, translations=[])
    search_index.update()
    assert titles("دوافع التعاون") == []
    assert search_index.report()["stale"] == []


@pytest.mark.django_db(transaction=True)
@override_settings(ARCHIVE_PAGE_CACHE_SECONDS=300)
def test_a_changed_translation_retires_the_cached_page(client, make_article):
    caches["pages"].clear()
    article = make_article("Iraq and Russia", abstract="Russia returns to Iraq.")
    article_set_translations(article=article, translations=[{"language": "fa", "title": PERSIAN_TITLE}])
    assert PERSIAN_TITLE in client.get(f"/fa/articles/{article.slug}/").content.decode()
    article_set_translations(article=article, translations=[{"language": "fa", "title": "عنوان تازه"}])
    assert "عنوان تازه" in client.get(f"/fa/articles/{article.slug}/").content.decode()
    caches["pages"].clear()


def test_oai_carries_both_titles_with_xml_lang(client, piece):
    response = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    root = etree.fromstring(response.content)
    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [(e.get(lang), e.text) for e in root.iterfind(".//dc:title", ns)] == [
        ("en", piece.title),
        ("ar", ARABIC_TITLE),
        ("fa", PERSIAN_TITLE),
    ]
    assert [(e.get(lang), e.text) for e in root.iterfind(".//dc:description", ns)] == [
        ("en", "Russia returns to Iraq."),
        ("fa", PERSIAN_ABSTRACT),
    ]
