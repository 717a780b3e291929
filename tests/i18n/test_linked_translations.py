"""Two pieces that are the same text in two languages, linked by an editor: each page says "Also
in" with a link to the other (hreflang on the link, an alternate in the head), OAI-PMH's Dublin
Core gives each a dc:relation to the other, the API and JSON-LD name it, the link holds both ways,
and a draft is never linked to the public."""

import datetime
import json

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import override_settings
from lxml import etree, html

from archive.articles.models import Article
from archive.articles.services import article_set_linked_translations

pytestmark = pytest.mark.django_db

PERSIAN = "عراق و روسیه: انگیزه‌های تعامل"


@pytest.fixture
def pair(make_article):
    english = make_article("Iraq and Russia", date=datetime.date(2012, 10, 25), abstract="Russia returns.")
    persian = make_article(PERSIAN, date=datetime.date(2012, 10, 26), language="fa", slug="iraq-russia-fa")
    article_set_linked_translations(article=english, others=[persian])
    return english, persian


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.content.decode())


def test_a_link_holds_both_ways_and_touches_both_pieces(make_article):
    english = make_article("Iraq and Russia")
    persian = make_article(PERSIAN, language="fa")
    before = {a.pk: a.updated_at for a in Article.objects.all()}
    article_set_linked_translations(article=english, others=[persian])
    assert list(persian.linked_translations.all()) == [english]
    assert list(english.linked_translations.all()) == [persian]
    after = {a.pk: a.updated_at for a in Article.objects.all()}
    assert after[english.pk] > before[english.pk] and after[persian.pk] > before[persian.pk]
    article_set_linked_translations(article=persian, others=[])
    assert list(english.linked_translations.all()) == []


def test_a_piece_is_not_linked_to_itself_or_to_one_in_its_own_language(make_article):
    english = make_article("Iraq and Russia")
    other = make_article("Iraq and Russia, again")
    with pytest.raises(ValidationError):
        article_set_linked_translations(article=english, others=[english])
    with pytest.raises(ValidationError):
        article_set_linked_translations(article=english, others=[other])
    assert list(english.linked_translations.all()) == []


PERSIAN_PIECE = "/articles/iraq-russia-fa/"
ENGLISH_PIECE = "/articles/iraq-and-russia/"


@pytest.mark.parametrize(
    ("url", "label", "href", "hreflang", "alternate"),
    [
        (ENGLISH_PIECE, "Also in: فارسی", PERSIAN_PIECE, "fa", "/fa" + PERSIAN_PIECE),
        ("/fa" + ENGLISH_PIECE, "همچنین به زبان: فارسی", "/fa" + PERSIAN_PIECE, "fa", "/fa" + PERSIAN_PIECE),
        ("/fa" + PERSIAN_PIECE, "همچنین به زبان: English", "/fa" + ENGLISH_PIECE, "en", ENGLISH_PIECE),
        ("/ar" + PERSIAN_PIECE, "متوفر أيضًا باللغة: English", "/ar" + ENGLISH_PIECE, "en", ENGLISH_PIECE),
    ],
)
def test_each_page_says_also_in_and_links_the_other(client, pair, url, label, href, hreflang, alternate):
    tree = page(client, url)
    (also,) = tree.xpath("//p[@class='article__also-in']")
    assert " ".join(also.text_content().split()) == label
    (link,) = also.xpath("a")
    assert (link.get("href"), link.get("hreflang"), link.get("lang")) == (href, hreflang, hreflang)
    assert link.get("dir") == ("rtl" if hreflang == "fa" else "ltr")
    links = tree.xpath("//head/link[@rel='alternate'][@hreflang]")
    alternates = {e.get("hreflang"): e.get("href") for e in links}
    assert alternates[hreflang] == "http://testserver" + alternate
    assert len(tree.xpath(f"//head/link[@rel='alternate'][@hreflang='{hreflang}']")) == 1


def test_a_linked_piece_in_a_language_the_interface_does_not_speak_is_added(client, pair, make_article):
    english, _persian = pair
    french = make_article("L'Irak et la Russie", language="fr")
    article_set_linked_translations(article=english, others=[*english.linked_translations.all(), french])
    tree = page(client, "/articles/iraq-and-russia/")
    names = [a.text for a in tree.xpath("//p[@class='article__also-in']/a")]
    assert names == ["فارسی", "français"]  # by language code
    alternates = tree.xpath("//head/link[@rel='alternate'][@hreflang]/@hreflang")
    assert alternates == ["en", "fa", "ar", "x-default", "fr"]


def test_a_draft_is_not_linked_to_the_public(client, make_article):
    english = make_article("Iraq and Russia")
    draft = make_article(PERSIAN, language="fa", status="draft")
    article_set_linked_translations(article=english, others=[draft])
    tree = page(client, "/articles/iraq-and-russia/")
    assert tree.xpath("//p[@class='article__also-in']") == []
    assert client.get("/api/articles/iraq-and-russia/").json()["also_in"] == []


def test_oai_dublin_core_relates_each_to_the_other(client, pair):
    persian = pair[1]
    response = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    root = etree.fromstring(response.content)
    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    relations = {
        record.findtext(".//dc:title", namespaces=ns): [e.text for e in record.iterfind(".//dc:relation", ns)]
        for record in root.iterfind(".//{http://www.openarchives.org/OAI/2.0/}record")
    }
    assert relations == {
        "Iraq and Russia": [f"http://testserver/articles/{persian.slug}/"],
        PERSIAN: ["http://testserver/articles/iraq-and-russia/"],
    }


def test_api_and_json_ld_name_the_other(client, pair):
    persian = pair[1]
    data = client.get(f"/api/articles/{persian.slug}/").json()
    assert data["also_in"] == [
        {
            "language": "en",
            "title": "Iraq and Russia",
            "url": "http://testserver/articles/iraq-and-russia/",
            "api_url": "http://testserver/api/articles/iraq-and-russia/",
        }
    ]
    tree = page(client, "/articles/iraq-and-russia/")
    (ld,) = tree.xpath("//script[@type='application/ld+json']/text()")
    assert json.loads(ld)["workTranslation"] == [
        {"@id": f"http://testserver/articles/{persian.slug}/", "name": PERSIAN, "inLanguage": "fa"}
    ]


def test_an_editor_links_them_in_the_admin(client, editor, make_article):
    from tests.articles.test_admin import article_data

    english = make_article("Iraq and Russia", date=datetime.date(2012, 10, 25))
    persian = make_article(PERSIAN, language="fa")
    client.force_login(editor)
    change = f"/admin/articles/article/{english.pk}/change/"
    fields = {"title": english.title, "slug": english.slug, "status": "published", "date": "2012-10-25"}
    data = article_data(**fields, linked_translations=[persian.pk])
    data["authorships-TOTAL_FORMS"] = "0"
    response = client.post(change, data)
    assert response.status_code == 302
    assert list(persian.linked_translations.all()) == [english]
    # One in the piece's own language is refused, named on the field.
    other = make_article("Iraq and Russia, again")
    response = client.post(change, article_data(**fields, linked_translations=[other.pk]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["linked_translations"] == [
        "“Iraq and Russia, again” is in the same language as this piece."
    ]
    assert list(english.linked_translations.all()) == [persian]


@pytest.mark.django_db(transaction=True)
@override_settings(ARCHIVE_PAGE_CACHE_SECONDS=300)
def test_linking_retires_both_cached_pages(client, make_article):
    caches["pages"].clear()
    english = make_article("Iraq and Russia")
    persian = make_article(PERSIAN, language="fa", slug="iraq-russia-fa")
    assert "article__also-in" not in client.get(ENGLISH_PIECE).content.decode()
    assert "article__also-in" not in client.get(PERSIAN_PIECE).content.decode()
    article_set_linked_translations(article=english, others=[persian])
    assert "article__also-in" in client.get(ENGLISH_PIECE).content.decode()
    assert "article__also-in" in client.get(PERSIAN_PIECE).content.decode()
    caches["pages"].clear()
