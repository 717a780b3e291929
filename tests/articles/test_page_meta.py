"""What every public page says about itself: a meta description, Open Graph title, description,
type and address, and a canonical link (list pages with their page number); right for every
visitor when the page comes from the page cache."""

import datetime
import re
from html import unescape

import pytest
from django.core.cache import caches
from django.test import Client

from archive.articles.text import html_opening, meta_description

SITE_LINE = "Analysis, commentary and papers, searchable in full."


def head(response):
    assert response.status_code == 200
    html = response.content.decode()
    return html[: html.index("</head>")]


def meta(html):
    """{name or property: content} of the page's description, Open Graph and canonical tags."""
    found = {}
    for name, content in re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', html):
        if not name.startswith(("description", "og:", "article:")):
            continue
        assert name not in found, f"{name} twice"
        found[name] = unescape(content)
    canonical = re.findall(r'<link rel="canonical" href="([^"]*)">', html)
    assert len(canonical) <= 1
    if canonical:
        found["canonical"] = canonical[0]
    return found


# --- the description of an article ---


def test_a_short_text_is_the_description_whole():
    assert meta_description("  A short   abstract.\n") == "A short abstract."


def test_a_long_text_is_cut_at_the_last_sentence_end_before_about_155_characters():
    text = (
        "Russia and Iran have long shared interests in the Caucasus. Yet their cooperation has "
        "limits, as Dr. Asadi argues in this paper on the U.S. role in the region. A third sentence "
        "takes the text well past the limit of a description."
    )
    assert meta_description(text) == (
        "Russia and Iran have long shared interests in the Caucasus. Yet their cooperation has "
        "limits, as Dr. Asadi argues in this paper on the U.S. role in the region."
    )


def test_a_first_sentence_too_long_is_cut_between_words_with_an_ellipsis():
    text = "word " * 60
    cut = meta_description(text)
    assert cut.endswith("word…") and len(cut) <= 156


def test_a_sentence_too_short_alone_is_not_the_description():
    text = "Iran. " + "This second sentence runs on and on without a stop for a very long while " * 4
    cut = meta_description(text)
    assert cut.endswith("…") and len(cut) > 100


def test_persian_sentences_end_at_the_persian_question_mark_too():
    first = (
        "آیا ایران و روسیه در قفقاز منافع مشترکی دارند و این منافع تا کجا پیش می‌رود و چه محدودیت‌هایی دارد؟"
    )
    text = first + " " + "این جمله دوم بسیار طولانی است و ادامه دارد " * 5
    assert meta_description(text) == first


def test_the_opening_of_body_html_is_its_text():
    assert html_opening("<p>One &amp; two.</p><p>Three</p>").split() == ["One", "&", "two.", "Three"]


# --- the tags of each page ---


@pytest.fixture
def pieces(make_article):
    asadi = ("Ali Akbar Asadi", "PhD Candidate, University of Allameh Tabatabaei")
    first = make_article(
        "Iraq and Russia: Motivations for Interaction",
        authors=[asadi],
        keywords=["Iraq"],
        date=datetime.date(2012, 10, 25),
        abstract="Iraq and Russia have found new reasons to work together. This paper asks why.",
    )
    second = make_article(
        "Water in the Tigris basin",
        authors=[asadi, "Nadia Kerman"],
        keywords=["Iraq", "Water"],
        date=datetime.date(2013, 3, 1),
        body="<p>Dams upstream change everything downstream. The rest follows.</p>",
    )
    return first, second


@pytest.mark.django_db
def test_an_article_page_describes_the_piece(client, pieces):
    first, second = pieces
    tags = meta(head(client.get(first.get_absolute_url())))
    url = f"http://testserver/articles/{first.slug}/"
    assert tags == {
        "description": "Iraq and Russia have found new reasons to work together. This paper asks why.",
        "og:site_name": "The Archive",
        "og:title": "Iraq and Russia: Motivations for Interaction",
        "og:description": "Iraq and Russia have found new reasons to work together. This paper asks why.",
        "og:type": "article",
        "og:url": url,
        "article:published_time": "2012-10-25",
        "canonical": url,
    }
    # Without an abstract, the opening of the body.
    tags = meta(head(client.get(second.get_absolute_url())))
    assert tags["description"] == "Dams upstream change everything downstream. The rest follows."


@pytest.mark.django_db
def test_author_and_keyword_pages_give_their_counts(client, pieces):
    tags = meta(head(client.get("/authors/ali-akbar-asadi/")))
    assert tags["description"] == (
        "Ali Akbar Asadi, PhD Candidate, University of Allameh Tabatabaei: 2 pieces in The Archive."
    )
    assert (tags["og:type"], tags["og:title"]) == ("profile", "Ali Akbar Asadi")
    assert tags["canonical"] == "http://testserver/authors/ali-akbar-asadi/"
    tags = meta(head(client.get("/authors/nadia-kerman/")))
    assert tags["description"] == "Nadia Kerman: 1 piece in The Archive."
    tags = meta(head(client.get("/keywords/water/")))
    assert tags["description"] == "1 piece on “Water” in The Archive."
    assert meta(head(client.get("/keywords/iraq/")))["description"] == "2 pieces on “Iraq” in The Archive."


@pytest.mark.django_db
def test_list_pages_carry_the_site_line_and_their_page_number(client, make_article):
    for day in range(1, 26):  # 25 pieces: two pages of 20
        make_article(f"Piece {day}", date=datetime.date(2020, 5, day))
    tags = meta(head(client.get("/articles/")))
    assert tags["description"] == f"All 25 articles in The Archive, newest first. {SITE_LINE}"
    assert tags["canonical"] == tags["og:url"] == "http://testserver/articles/"
    tags = meta(head(client.get("/articles/?utm_source=feed&page=2")))
    assert tags["description"] == f"All 25 articles in The Archive, newest first. {SITE_LINE} Page 2 of 2."
    assert tags["canonical"] == tags["og:url"] == "http://testserver/articles/?page=2"
    tags = meta(head(client.get("/articles/?page=1")))
    assert tags["canonical"] == "http://testserver/articles/"
    tags = meta(head(client.get("/archive/2020/5/?page=2")))
    assert tags["description"] == f"25 pieces from May 2020 in The Archive. {SITE_LINE} Page 2 of 2."
    assert tags["canonical"] == "http://testserver/archive/2020/5/?page=2"
    assert meta(head(client.get("/")))["description"] == SITE_LINE


@pytest.mark.django_db
def test_every_public_page_has_one_description_and_its_open_graph_tags(client, pieces):
    first, _ = pieces
    for path in [
        "/",
        "/about/",
        "/articles/",
        first.get_absolute_url(),
        "/archive/",
        "/archive/2012/",
        "/archive/2012/10/",
        "/authors/",
        "/authors/ali-akbar-asadi/",
        "/keywords/",
        "/keywords/iraq/",
    ]:
        tags = meta(head(client.get(path)))
        assert tags["description"] and tags["description"] == tags["og:description"], path
        assert tags["og:title"] and tags["og:type"] in {"website", "article", "profile"}, path
        assert tags["canonical"] == tags["og:url"] == f"http://testserver{path}", path


@pytest.mark.django_db
def test_search_pages_stay_out_of_the_index(client, search_index, pieces):
    html = head(client.get("/search/?q=iraq"))
    assert '<meta name="robots" content="noindex">' in html
    tags = meta(html)
    assert "canonical" not in tags and "og:url" not in tags
    assert tags["description"] == SITE_LINE


@pytest.mark.django_db(transaction=True)
def test_cached_pages_name_the_address_each_visitor_asked_for(settings, pieces):
    """The page cache keys pages by scheme and host: a page cached for one host never tells a
    visitor of another host (or of https) that its address is the first one's."""
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 300
    settings.ALLOWED_HOSTS = ["archive.example.org", "mirror.example.org"]
    caches["pages"].clear()
    try:
        seen = {}
        for _ in range(2):  # the second round comes from the cache
            for host, secure in [("archive.example.org", True), ("mirror.example.org", False)]:
                response = Client().get("/articles/?page=1", HTTP_HOST=host, secure=secure)
                seen.setdefault(host, set()).add(meta(head(response))["canonical"])
        assert seen == {
            "archive.example.org": {"https://archive.example.org/articles/"},
            "mirror.example.org": {"http://mirror.example.org/articles/"},
        }
    finally:
        caches["pages"].clear()
