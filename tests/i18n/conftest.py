import datetime

import pytest
from django.conf import settings
from django.utils import translation

from archive.articles.services import article_set_translations


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request to /fa/ or /ar/ leaves its language active in the thread (LocaleMiddleware sets
    it per request); the next test starts in English, as every request to an English address does."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


PERSIAN_TITLE = "عراق و روسیه: انگیزه‌های تعامل در شرایط تازه"
PERSIAN_ABSTRACT = "روسیه می‌خواهد دوباره در عراق جای پا باز کند."
ARABIC_TITLE = "العراق وروسيا: دوافع التعاون في ظروف جديدة"


@pytest.fixture
def piece(indexed_article, search_index):
    """An English piece with its title in Persian (and abstract) and in Arabic, indexed."""
    article = indexed_article(
        "Iraq and Russia: Motivations for Interaction in New Conditions",
        authors=["Ali Akbar Asadi"],
        date=datetime.date(2012, 10, 25),
        abstract="Russia returns to Iraq.",
    )
    article_set_translations(
        article=article,
        translations=[
            {"language": "fa", "title": PERSIAN_TITLE, "abstract": PERSIAN_ABSTRACT},
            {"language": "ar", "title": ARABIC_TITLE, "abstract": ""},
            {"language": "en", "title": "Ignored: the piece's own language", "abstract": ""},
        ],
    )
    search_index.update()
    return article
