"""Titles and abstracts in other languages in the citation exports and the JSON API, each with
its language, in each format's own way; no existing key or field is renamed (PRODUCT.md)."""

import json

import bibtexparser
import pytest
import rispy

from tests.i18n.conftest import ARABIC_TITLE, PERSIAN_ABSTRACT, PERSIAN_TITLE

pytestmark = pytest.mark.django_db

ORIGINAL = "Iraq and Russia: Motivations for Interaction in New Conditions"


def export(client, piece, fmt):
    response = client.get(f"/export/articles/{piece.slug}/{fmt}/")
    assert response.status_code == 200
    return response.content.decode()


def test_bibtex_has_a_field_per_language_after_the_original(client, piece):
    lines = export(client, piece, "bibtex").splitlines()
    assert "  title = {Iraq and Russia: Motivations for Interaction in New Conditions}," in lines
    assert "  abstract = {Russia returns to Iraq.}," in lines
    assert "  language = {en}," in lines
    assert lines[-4:] == [
        f"  title_ar = {{{ARABIC_TITLE}}},",
        f"  title_fa = {{{PERSIAN_TITLE}}},",
        f"  abstract_fa = {{{PERSIAN_ABSTRACT}}},",
        "}",
    ]


def test_ris_gives_a_translated_title_as_tt_and_names_every_language_in_notes(client, piece):
    lines = export(client, piece, "ris").split("\r\n")
    assert "TI  - Iraq and Russia: Motivations for Interaction in New Conditions" in lines
    assert "AB  - Russia returns to Iraq." in lines
    assert lines[lines.index("LA  - en") + 1 :] == [
        f"TT  - {ARABIC_TITLE}",
        f"N1  - Title (ar): {ARABIC_TITLE}",
        f"N1  - Title (fa): {PERSIAN_TITLE}",
        f"N1  - Abstract (fa): {PERSIAN_ABSTRACT}",
        "ER  -",
        "",
    ]


def test_csl_json_uses_csl_m_multilingual_keys(client, piece):
    (item,) = json.loads(export(client, piece, "csl-json"))
    assert item["title"] == "Iraq and Russia: Motivations for Interaction in New Conditions"
    assert item["abstract"] == "Russia returns to Iraq."
    assert item["language"] == "en"
    assert item["multi"] == {
        "main": {"title": "en"},
        "_keys": {
            "title": {"ar": ARABIC_TITLE, "fa": PERSIAN_TITLE},
            "abstract": {"fa": PERSIAN_ABSTRACT},
        },
    }


def test_ris_tt_is_the_english_title_when_there_is_one(client, make_article):
    from archive.articles.services import article_set_translations

    article = make_article(PERSIAN_TITLE, language="fa")
    article_set_translations(
        article=article,
        translations=[{"language": "ar", "title": ARABIC_TITLE}, {"language": "en", "title": ORIGINAL}],
    )
    lines = export(client, article, "ris").split("\r\n")
    assert [line for line in lines if line.startswith("TT")] == [f"TT  - {ORIGINAL}"]


def test_a_piece_without_translations_exports_as_before(client, make_article):
    article = make_article("Plain piece", abstract="Only English.")
    assert "title_" not in export(client, article, "bibtex")
    assert "TT  -" not in export(client, article, "ris")
    assert "multi" not in json.loads(export(client, article, "csl-json"))[0]


def test_api_article_and_list_carry_translations_beside_the_unchanged_keys(client, piece):
    expected = [
        {"language": "ar", "title": ARABIC_TITLE, "abstract": ""},
        {"language": "fa", "title": PERSIAN_TITLE, "abstract": PERSIAN_ABSTRACT},
    ]
    detail = client.get(f"/api/articles/{piece.slug}/").json()
    assert detail["title"] == piece.title
    assert detail["abstract"] == "Russia returns to Iraq."
    assert detail["language"] == "en"
    assert detail["translations"] == expected
    assert detail["also_in"] == []
    (summary,) = client.get("/api/articles/").json()["results"]
    assert (summary["title"], summary["language"]) == (piece.title, "en")
    assert summary["translations"] == expected


def test_api_search_hits_carry_the_titles_in_other_languages(client, piece):
    data = client.get("/api/search/", {"q": "انگیزه‌های تعامل"}).json()
    assert data["count"] == 1
    (hit,) = data["results"]
    assert hit["title"] == piece.title
    assert hit["language"] == "en"
    assert hit["translations"] == [
        {"language": "ar", "title": ARABIC_TITLE},
        {"language": "fa", "title": PERSIAN_TITLE},
    ]


def test_citation_managers_read_them(client, piece):
    """rispy and bibtexparser, as a reference manager would."""
    (record,) = rispy.loads(export(client, piece, "ris"))
    assert record["title"] == ORIGINAL
    assert record["translated_title"] == ARABIC_TITLE  # one TT: the first by language code
    assert record["notes"][-1] == f"Abstract (fa): {PERSIAN_ABSTRACT}"
    (entry,) = bibtexparser.parse_string(export(client, piece, "bibtex")).entries
    assert entry["title"] == ORIGINAL
    assert (entry["title_fa"], entry["abstract_fa"], entry["title_ar"]) == (
        PERSIAN_TITLE,
        PERSIAN_ABSTRACT,
        ARABIC_TITLE,
    )
