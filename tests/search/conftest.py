"""Fixtures of the search tests."""

import datetime

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
