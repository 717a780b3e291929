import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.articles.charts import Bar, bar_chart, year_bars, year_chart


def test_year_bars_fill_the_empty_years_between_with_zero_bars():
    bars = year_bars([(2019, 2, None), (2016, 1, "/s/?year=2016"), (2017, 3, "/s/?year=2017")])
    assert [(bar.label, bar.value, bar.url) for bar in bars] == [
        ("2016", 1, "/s/?year=2016"),
        ("2017", 3, "/s/?year=2017"),
        ("2018", 0, None),
        ("2019", 2, None),
    ]
    assert year_bars([]) == []
    # A very long span is not padded out to hundreds of empty bars.
    assert [bar.label for bar in year_bars([(1900, 1, None), (2020, 1, None)])] == ["1900", "2020"]


def test_chart_is_an_accessible_image_with_value_labels_and_a_table():
    html = str(year_chart([(2012, 1), (2014, 3)], title="Pieces per year", chart_id="c"))
    assert '<svg class="chart__svg" role="img" aria-labelledby="c-title" aria-describedby="c-desc"' in html
    assert '<title id="c-title">Pieces per year</title>' in html
    assert '<desc id="c-desc">4 pieces from 2012 to 2014; the most, 3, in 2014.</desc>' in html
    # Every bar carries its number as text, so the chart reads without colour.
    assert re.findall(r'class="chart__value[^"]*"[^>]*>(\d+)<', html) == ["1", "0", "3"]
    assert re.findall(r'class="chart__label"[^>]*>(\d+)<', html) == ["2012", "2013", "2014"]
    # The text alternative lists the years that have pieces.
    assert re.findall(r'<tr><th scope="row">(\d+)</th><td>(\d+)</td></tr>', html) == [
        ("2012", "1"),
        ("2014", "3"),
    ]
    assert "<a " not in html and "style=" not in html and "<script" not in html
    # The tallest bar fills the plot; the others are in proportion.
    heights = [int(h) for h in re.findall(r'<rect class="chart__bar" [^>]*height="(\d+)"', html)]
    assert heights == [32, 0, 96]


def test_linked_chart_is_a_group_of_named_links_repeated_in_the_table():
    html = str(
        bar_chart(
            [
                Bar("2019", 2, "/search/?q=x&year=2019"),
                Bar("2020", 1, "/search/?q=x&year=2020", current=True),
            ],
            title="Matching pieces per year",
            chart_id="h",
        )
    )
    assert 'role="group" aria-labelledby="h-title"' in html
    assert '<a class="chart__link" href="/search/?q=x&amp;year=2019" aria-label="2019, 2 pieces">' in html
    assert 'aria-label="2020, 1 piece"' in html
    assert '<th scope="row"><a href="/search/?q=x&amp;year=2020">2020</a></th>' in html
    assert 'class="chart__bar chart__bar--current"' in html
    assert html.count("<a ") == 4


def test_chart_escapes_what_it_is_given():
    html = str(bar_chart([Bar("<b>", 1, 'javascript:"x"')], title="<script>", chart_id="e"))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and 'href="javascript:&quot;x&quot;"' in html


def test_no_bars_no_chart():
    assert str(year_chart([])) == ""


def test_rows_may_be_dicts():
    html = str(year_chart([{"year": 2001, "count": 2}, {"value": 2002, "count": 1, "url": "?year=2002"}]))
    assert re.findall(r'class="chart__label"[^>]*>(\d+)<', html) == ["2001", "2002"]
    assert 'href="?year=2002"' in html


@pytest.mark.django_db
def test_author_and_keyword_pages_show_pieces_per_year(client, make_article):
    for year in (2018, 2018, 2020):
        make_article(
            f"Piece {year}", authors=["Ann Author"], keywords=["Iraq"], date=datetime.date(year, 3, 1)
        )
    make_article(
        "Draft", authors=["Ann Author"], keywords=["Iraq"], status="draft", date=datetime.date(2019, 1, 1)
    )
    for url in (reverse("authors:detail", args=["ann-author"]), reverse("keywords:detail", args=["iraq"])):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["per_year"] == [{"year": 2018, "count": 2}, {"year": 2020, "count": 1}]
        html = response.content.decode()
        assert re.findall(r'class="chart__value[^"]*"[^>]*>(\d+)<', html) == ["2", "0", "1"]
    # The page's query count does not grow with the pieces it charts.
    before = len(page_queries(client, url))
    for year in (2010, 2012, 2014):
        make_article(f"Another {year}", keywords=["Iraq"], date=datetime.date(year, 1, 1))
    assert len(page_queries(client, url)) == before


def page_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return captured.captured_queries
