"""Titles and abstracts in other languages in the citation exports and the JSON API, each with
its language, in each format's own way; no existing key or field is renamed (PRODUCT.md)."""

import json

import pytest

from tests.i18n.conftest import ARABIC_TITLE, PERSIAN_ABSTRACT, PERSIAN_TITLE

pytestmark = pytest.mark.django_db


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


def test_ris_gives_translated_titles_as_tt_and_names_their_languages_in_notes(client, piece):
    lines = export(client, piece, "ris").split("\r\n")
    assert "TI  - Iraq and Russia: Motivations for Interaction in New Conditions" in lines
    assert "AB  - Russia returns to Iraq." in lines
    assert lines[lines.index("LA  - en") + 1 :] == [
        f"TT  - {ARABIC_TITLE}",
        f"TT  - {PERSIAN_TITLE}",
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
