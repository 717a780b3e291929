"""The search tests' shelves: one well-known set of pieces per concept, shared by every module that
asserts over it (as wagtail's backend tests share one fixture).

- `oil_shelf`: six pieces on oil (four public, a draft and a future one) with every filter and
  facet in use; also the engine-neutral suite's fixture (tests/search/test_engines.py).
- `iraq_shelf`: four pieces on Iraq and Russia, one of them an OCR'd abstract that spells it
  "Irag", and a hidden draft: words, phrases, operators, fields, typos, snippets, the pages.
- `rtl_shelf`: real Persian and Arabic texts (tests/data/search/corpus_sample.json).
"""

import datetime
import json

import pytest
from django.utils import timezone


def make_oil_shelf(make_article):
    """Six pieces on oil: four public, a draft and a future one. Shared by the built-in engine's
    tests and the stock-Whoosh (generic Haystack path) tests, so both assert over one fixture."""
    make_article(
        "Oil and Iran",
        date=datetime.date(2018, 1, 5),
        kind="paper",
        authors=["Ann Lee"],
        keywords=["Energy", "Iran"],
        abstract="Sanctions & the <oil> trade.",
    )
    make_article(
        "Oil and Iraq",
        date=datetime.date(2019, 2, 6),
        kind="commentary",
        authors=["Ann Lee", "Bo Chen"],
        keywords=["Energy"],
        body="<p>Iraq exports oil through the Gulf.</p>",
        source_name="Gulf Review",
    )
    make_article(
        "Oil markets",
        date=datetime.date(2019, 7, 7),
        kind="commentary",
        authors=["Bo Chen"],
        keywords=["Markets"],
    )
    make_article(
        "نفت ایران",
        date=datetime.date(2020, 3, 8),
        kind="report",
        language="fa",
        authors=["Ann Lee"],
        keywords=["Iran"],
        body="<p>oil</p>",
    )
    make_article("Oil draft", status="draft", authors=["Ann Lee"], keywords=["Energy"])
    make_article(
        "Oil tomorrow",
        date=timezone.localdate() + datetime.timedelta(days=1),
        authors=["Ann Lee"],
        keywords=["Energy"],
    )


@pytest.fixture
def oil_shelf(make_article, search_index):
    make_oil_shelf(make_article)
    search_index.update()
    return search_index


@pytest.fixture
def iraq_shelf(make_article, search_index):
    make_article(
        "Iraq and Russia: Motivations for Interaction",
        body="<p>Russia opposed the military attack against Iraq in 2003.</p>",
        authors=["Ali Akbar Asadi"],
        keywords=["Iraq", "Russia"],
        date=datetime.date(2012, 10, 25),
    )
    make_article(
        "Energy markets after sanctions",
        body="<p>Oil exports and the motivation of buyers; Iraq is mentioned once.</p>",
        authors=["Maryam Karimi"],
        keywords=["Energy"],
        date=datetime.date(2019, 3, 1),
        kind="paper",
    )
    with open("tests/data/search/seed_004_excerpt.txt", encoding="utf-8") as handle:
        make_article(
            "Alignment in the neoclassical realism programme",
            body=f"<p>{handle.read()}</p>",
            authors=["Someone Else"],
            keywords=["Alignment"],
            date=datetime.date(2021, 6, 1),
            kind="paper",
        )
    make_article(
        "Malcolm X and the press",
        body="<p>A profile of a civil rights leader.</p>",
        authors=["J Doe"],
        date=datetime.date(2015, 2, 2),
        kind="review",
    )
    make_article("Hidden draft about Iraq", status="draft")
    search_index.update()
    return search_index


with open("tests/data/search/corpus_sample.json", encoding="utf-8") as handle:
    RTL_SAMPLE = json.load(handle)


@pytest.fixture
def rtl_shelf(make_article, search_index):
    for item in RTL_SAMPLE:
        make_article(
            item["title"],
            body=f"<p>{item['text']}</p>",
            language=item["language"],
            authors=[item["author"]] if item.get("author") else [],
        )
    search_index.update()
    return search_index
