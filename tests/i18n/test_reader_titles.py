"""Search hits and lists in the reader's language: in the Persian or Arabic interface a piece with
a title in that language shows it first, in that language's lang and dir, with the original
after it, isolated; the English interface shows the original as before."""

import pytest
from lxml import html

from tests.i18n.conftest import ARABIC_TITLE, PERSIAN_TITLE

pytestmark = pytest.mark.django_db

ORIGINAL = "Iraq and Russia: Motivations for Interaction in New Conditions"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return html.fromstring(response.content.decode())


def shown(item):
    """(title, its lang, its dir, the original title under it or None) of a list item or hit."""
    title = item.xpath(".//*[contains(@class, 'article-item__title')]")[0]
    original = item.xpath(".//p[@class='article-item__original-title']/bdi")
    return (
        title.text_content(),
        title.get("lang"),
        title.get("dir"),
        (original[0].text, original[0].get("lang")) if original else None,
    )


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("/fa", (PERSIAN_TITLE, "fa", "rtl", (ORIGINAL, "en"))),
        ("/ar", (ARABIC_TITLE, "ar", "rtl", (ORIGINAL, "en"))),
        ("", (ORIGINAL, "en", "ltr", None)),
    ],
)
def test_a_search_hit_shows_the_title_in_the_reader_s_language_first(client, piece, prefix, expected):
    tree = page(client, f"{prefix}/search/", q="russia iraq")
    (hit,) = tree.xpath("//li[contains(@class, 'search-hit')]")
    assert hit.get("lang") == "en"  # the piece's own language, around its snippet
    assert shown(hit) == expected
    assert hit.xpath(".//h3/a/@href") == [f"{prefix}/articles/{piece.slug}/"]
    if prefix:
        label = hit.xpath(".//p[@class='article-item__original-title']/span")[0]
        assert (label.get("lang"), label.get("dir")) == (prefix[1:], "rtl")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("/fa", (PERSIAN_TITLE, "fa", "rtl", (ORIGINAL, None))),
        ("/ar", (ARABIC_TITLE, "ar", "rtl", (ORIGINAL, None))),
        ("", (ORIGINAL, "en", "ltr", None)),
    ],
)
@pytest.mark.parametrize("url", ["/articles/", "/", "/authors/ali-akbar-asadi/", "/archive/2012/"])
def test_lists_show_the_title_in_the_reader_s_language_first(
    client, piece, make_article, prefix, expected, url
):
    make_article("Another piece", authors=["Ali Akbar Asadi"], date=piece.date)
    tree = page(client, f"{prefix}{url}")
    items = {item.xpath(".//a/@href")[0]: item for item in tree.xpath("//li[@class='article-item']")}
    assert len(items) == 2
    item = items[f"{prefix}/articles/{piece.slug}/"]
    assert item.get("lang") == "en"  # the original inside keeps the piece's language
    assert shown(item) == expected
    other = next(i for href, i in items.items() if "another-piece" in href)
    assert shown(other) == ("Another piece", "en", "ltr", None)


def test_a_piece_in_the_reader_s_language_is_shown_as_it_is(client, make_article):
    from archive.articles.services import article_set_translations

    article = make_article("ایران و عراق", language="fa")
    article_set_translations(article=article, translations=[{"language": "en", "title": "Iran and Iraq"}])
    (item,) = page(client, "/fa/articles/").xpath("//li[@class='article-item']")
    assert shown(item) == ("ایران و عراق", "fa", "rtl", None)
    (item,) = page(client, "/articles/").xpath("//li[@class='article-item']")
    assert shown(item) == ("Iran and Iraq", "en", "ltr", ("ایران و عراق", None))
