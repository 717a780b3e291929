"""Demo content: fixtures/demo.json is valid archive JSON, and load_demo fills only an empty database."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from archive.articles.models import Article
from archive.ingest.archive_json import clean_item

pytestmark = pytest.mark.django_db
DEMO = settings.BASE_DIR / "fixtures" / "demo.json"
TRANSLATIONS = settings.BASE_DIR / "fixtures" / "demo_translations.json"


def load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_demo_json_is_valid_and_holds_the_seeds_as_an_editor_entered_them():
    items = json.loads(DEMO.read_text(encoding="utf-8"))
    assert len(items) == 198
    for n, item in enumerate(items, 1):
        clean_item(item, item=n)
    seed_000, seed_004 = items[0], items[1]
    assert seed_000["title"] == "Iraq and Russia: Motivations for Interaction in New Conditions"
    assert seed_000["date"] == "2012-10-25"
    assert seed_000["authors"] == [
        {
            "name": "Ali Akbar Asadi",
            "affiliation": "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues",
        }
    ]
    assert len(seed_000["keywords"]) == 9
    assert len(seed_000["body"].split("\n\n")) == 5
    assert "Key Words" not in seed_000["body"] and "طراحی" not in seed_000["body"]
    assert seed_004["kind"] == "paper"
    assert seed_004["keywords"] == [
        "Alignment",
        "Iraq",
        "ISIS",
        "Russia",
        "The Arab Uprisings",
        "The Regional Order of West Asia",
    ]
    assert seed_004["abstract"].startswith("The 1970s coincided")
    global_voices = items[2:]
    assert {i["source"]["name"] for i in global_voices} == {"Global Voices"}
    assert all(i["source"]["url"].startswith("https://globalvoices.org/") for i in global_voices)
    assert all(len(i["authors"]) == 1 for i in global_voices)
    assert not any("<script" in i["body"] or "comments" in i for i in global_voices)


def test_load_demo_only_into_an_empty_database(tmp_path, make_article):
    small = tmp_path / "demo.json"
    items = json.loads(DEMO.read_text(encoding="utf-8"))[:3]
    small.write_text(json.dumps(items), encoding="utf-8")
    assert load("--path", small) == f"Demo content from {small}: created 3, updated 0, unchanged 0, failed 0."
    assert Article.objects.count() == 3
    assert load("--path", small) == "The database already has 3 articles; demo content not loaded."
    assert (
        load("--path", small, "--force")
        == f"Demo content from {small}: created 0, updated 0, unchanged 3, failed 0."
    )


@pytest.mark.slow
def test_load_the_whole_demo():
    assert load().splitlines() == [
        f"Demo content from {DEMO} and {TRANSLATIONS}: created 204, updated 0, unchanged 0, failed 0.",
        'Linked 9 pieces with their sample translations ("Also in").',
    ]
    assert Article.objects.published().count() == 204
    assert Article.objects.filter(language="fa").count() == Article.objects.filter(language="ar").count() == 3
    # Each sample translation is linked with its English original and the other translation.
    seed = Article.objects.get(title="Iraq and Russia: Motivations for Interaction in New Conditions")
    assert sorted(p.language for p in seed.linked_translations.all()) == ["ar", "fa"]
    for piece in Article.objects.filter(language__in=["fa", "ar"]):
        others = sorted({"en", "fa", "ar"} - {piece.language})
        assert sorted(p.language for p in piece.linked_translations.all()) == others


def test_sample_translations_are_valid_and_say_what_they_are():
    items = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    assert [(i["language"], i["date"]) for i in items] == [
        ("fa", "2012-10-25"),
        ("ar", "2012-10-25"),
        ("fa", "2021-03-09"),
        ("ar", "2021-03-09"),
        ("fa", "2018-10-24"),
        ("ar", "2018-10-24"),
    ]
    for n, item in enumerate(items, 1):
        clean_item(item, item=n)
        assert item["title"] and item["abstract"]
        # Each names itself a sample translation and names its original.
        assert "ترجمهٔ نمونه" in item["body"] or "ترجمة نموذجية" in item["body"]
        assert "Iraq and Russia" in item["body"] or "https://globalvoices.org/" in item["body"]
