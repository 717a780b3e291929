"""The search page as people use it: typing with autocomplete, filtering by facets and by the
year histogram, reading right-to-left results."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from archive.articles.models import Article
from tests.browser.conftest import DESKTOP, PHONE, axe_violations, describe, screenshot

pytestmark = pytest.mark.browser


def hit_titles(page):
    return page.locator(".search-hit .article-item__title").all_inner_texts()


def test_pick_an_autocomplete_suggestion_by_keyboard(content, open_page):
    page = open_page(reverse("home"), viewport=PHONE)
    box = page.locator("#site-search")
    box.click()
    box.press_sequentially("Ira", delay=40)
    options = page.locator(".search-box [role=option]")
    options.first.wait_for(state="visible")
    labels = options.locator("a").all_inner_texts()
    assert "Iraq" in labels, labels
    assert box.get_attribute("aria-expanded") == "true"
    screenshot(page, "autocomplete-360", full_page=False)

    # Down arrow walks the list; the input tells assistive technology which option is active.
    index = labels.index("Iraq")
    for _ in range(index + 1):
        box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"[id='{active}']").get_attribute("aria-selected") == "true"
    assert page.locator(f"[id='{active}'] a").inner_text() == "Iraq"
    with page.expect_navigation():
        box.press("Enter")
    assert urlsplit(page.url).path == reverse("keywords:detail", args=["iraq"])
    assert page.locator("h1").inner_text() == "Keyword: Iraq"


@pytest.mark.xfail(
    reason="static/js/autocomplete.js (archive.search) puts a link inside each role=option, which "
    "axe reports as nested-interactive (serious); the option itself should carry the text",
    strict=False,
)
def test_open_autocomplete_list_passes_axe(content, open_page):
    page = open_page(reverse("home"), viewport=PHONE)
    page.locator("#site-search").press_sequentially("Ira", delay=40)
    page.locator(".search-box [role=option]").first.wait_for(state="visible")
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, describe(serious)


def test_filter_by_a_year_from_the_histogram_then_by_a_facet(content, open_page):
    everywhere = {a.title for a in Article.objects.published().filter(body__icontains="government")}
    page = open_page(reverse("search:results") + "?q=government", viewport=DESKTOP)
    assert set(hit_titles(page)) == everywhere and len(everywhere) == 5
    chart = page.locator("figure.chart")
    assert chart.locator("svg[role=group]").is_visible()
    bars = dict(
        zip(
            chart.locator(".chart__label").all_text_contents(),
            chart.locator(".chart__value").all_text_contents(),
            strict=True,
        )
    )
    assert {year: n for year, n in bars.items() if n != "0"} == {
        "2012": "1",
        "2018": "1",
        "2019": "2",
        "2022": "1",
    }
    screenshot(page, "search-histogram-1280")

    # Clicking the 2019 bar filters by that year.
    with page.expect_navigation():
        chart.locator("a.chart__link[aria-label='2019, 2 pieces']").click()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["government"], "year": ["2019"]}
    in_2019 = {
        a.title for a in Article.objects.published().filter(body__icontains="government", date__year=2019)
    }
    assert set(hit_titles(page)) == in_2019 and len(in_2019) == 2
    assert page.locator(".search-count").inner_text() == "2 results for “government”."

    # Then an author facet narrows further, keeping the year.
    author = page.locator(".facet--author a", has_text="Mong Palatino")
    with page.expect_navigation():
        author.click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["government"], "year": ["2019"], "author": ["mong-palatino"]}
    assert hit_titles(page) == ["A snapshot of climate strikes across Southeast Asia"]
    assert page.locator(".facet--author .facet__item--selected").count() == 1

    # The selected year's bar, clicked again, lifts the year filter.
    with page.expect_navigation():
        page.locator("a.chart__link").first.click()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["government"], "author": ["mong-palatino"]}
    assert len(hit_titles(page)) == 3


def test_year_bars_are_reachable_by_keyboard(content, open_page):
    page = open_page(reverse("search:results") + "?q=government", viewport=DESKTOP)
    link = page.locator("a.chart__link[aria-label='2018, 1 piece']")
    link.focus()
    ring = link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert ring != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parse_qs(urlsplit(page.url).query)["year"] == ["2018"]
    expected = Article.objects.published().get(date__year=2018, body__icontains="government").title
    assert expected.startswith("Singapore Authorities Ban Documentary")
    assert hit_titles(page) == [expected]


def test_persian_results_read_right_to_left(content, open_page):
    page = open_page(reverse("search:results") + "?q=دارو", viewport=PHONE)
    hit = page.locator(".search-hit")
    assert hit.count() == 1
    assert hit.evaluate("el => getComputedStyle(el).direction") == "rtl"
    snippet = hit.locator(".search-hit__snippet")
    assert snippet.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert re.search(r"<mark>دارو</mark>", snippet.inner_html())
    screenshot(page, "search-rtl-360")
