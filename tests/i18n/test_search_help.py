"""The Persian and Arabic "How to search" explain letter variants, the zero-width non-joiner,
diacritics and digits with examples; every example they give works on the demo content (the
seed commentary and the sample translations of fixtures/demo_translations.json)."""

import json
import re

import pytest
from django.conf import settings
from lxml import html

from archive.ingest.importer import import_paths
from archive.search.service import SearchRequest, run_search

pytestmark = pytest.mark.django_db
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture
def demo(search_index, tmp_path):
    fixtures = settings.BASE_DIR / "fixtures"
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(json.loads((fixtures / "demo.json").read_text(encoding="utf-8"))[:1]))
    import_paths([str(seed), str(fixtures / "demo_translations.json")])
    search_index.update()


def titles(query):
    return {hit.title for hit in run_search(SearchRequest(q=query), per_page=50).hits}


def examples(client, code):
    root = html.fromstring(client.get(f"/{code}/search/").content)
    return [c.text_content() for c in root.xpath("//details[@class='search-help']//code")]


@pytest.mark.parametrize("code", ["fa", "ar"])
def test_every_persian_and_arabic_example_of_the_help_finds_demo_pieces(client, demo, code):
    found = {query: titles(query) for query in examples(client, code) if ARABIC_SCRIPT.search(query)}
    assert len(found) >= 12
    assert [query for query, hits in found.items() if not hits] == []


def test_letter_variants_zwnj_diacritics_and_digits_find_the_same_pieces(demo):
    iran = titles("ایران")
    assert len(iran) == 4
    assert titles("ايران") == titles("إِيرَان") == titles("إيران") == iran  # ي/ی, hamza, harakat
    assert (
        titles("پیامرسانها")
        == titles("پیام\u200cرسان\u200cها")
        == {"در ایران، پیام‌رسان‌های مورد تأیید حکومت نشانهٔ تازهٔ ملی‌سازی اینترنت‌اند"}
    )
    assert titles("الايرانيه") == titles("الإيرانية")  # hamza and teh marbuta
    assert (
        titles("العِرَاق")
        == titles("العـراق")
        == titles("العراق")
        == {"العراق وروسيا: دوافع التعاون في ظروف جديدة"}
    )
    assert (
        titles("۲۰۰۳")
        == titles("٢٠٠٣")
        == titles("2003")
        == {
            "Iraq and Russia: Motivations for Interaction in New Conditions",
            "عراق و روسیه: انگیزه‌های تعامل در شرایط تازه",
            "العراق وروسيا: دوافع التعاون في ظروف جديدة",
        }
    )
