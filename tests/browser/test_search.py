"""The search page as people use it: typing with autocomplete, filtering by facets and by the
year histogram, reading right-to-left results."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE, axe_violations, describe, screenshot

# django_db: the database is set up for these tests and each runs in a transaction that reads only
# the content loaded once for the package (conftest.archive_site).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def hit_titles(page):
    return page.locator(".search-hit .article-item__title").all_inner_texts()


def test_pick_an_autocomplete_suggestion_by_keyboard(content, open_page):
    page = open_page(reverse("home"), viewport=PHONE)
    box = page.locator("#site-search")
    box.click()
    box.press_sequentially("Ira", delay=40)
    options = page.locator(".search-box [role=option]")
    options.first.wait_for(state="visible")
    labels = options.locator(".autocomplete__label").all_inner_texts()
    assert "Iraq" in labels, labels
    assert box.get_attribute("aria-expanded") == "true"
    screenshot(page, "autocomplete-360", full_page=False)

    # Down arrow walks the list; the input tells assistive technology which option is active.
    index = labels.index("Iraq")
    for _ in range(index + 1):
        box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"[id='{active}']").get_attribute("aria-selected") == "true"
    assert page.locator(f"[id='{active}'] .autocomplete__label").inner_text() == "Iraq"
    with page.expect_navigation():
        box.press("Enter")
    assert urlsplit(page.url).path == reverse("keywords:detail", args=["iraq"])
    assert page.locator("h1").inner_text() == "Keyword: Iraq"


def test_open_autocomplete_list_passes_axe(content, open_page):
    page = open_page(reverse("home"), viewport=PHONE)
    page.locator("#site-search").press_sequentially("Ira", delay=40)
    page.locator(".search-box [role=option]").first.wait_for(state="visible")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_pick_an_autocomplete_suggestion_with_the_pointer(content, open_page):
    page = open_page(reverse("home"), viewport=DESKTOP)
    page.locator("#site-search").press_sequentially("Ira", delay=40)
    option = page.locator(".search-box [role=option]", has_text="Iraq").first
    option.wait_for(state="visible")
    with page.expect_navigation():
        option.click()
    assert urlsplit(page.url).path == reverse("keywords:detail", args=["iraq"])


def api(page, query):
    """The same search as JSON (the Fixed-points API), to check the page against."""
    response = page.request.get(page.url.split("/search/")[0] + "/api/search/?" + query)
    assert response.ok
    return response.json()


def test_filter_by_a_year_from_the_histogram_then_by_a_facet(content, open_page):
    page = open_page(reverse("search:results") + "?q=government", viewport=DESKTOP)
    everything = api(page, "q=government")
    assert everything["count"] >= 20
    chart = page.locator("figure.chart")
    assert chart.locator("svg[role=group]").is_visible()
    bars = dict(
        zip(
            chart.locator(".chart__label").all_text_contents(),
            map(int, chart.locator(".chart__value").all_text_contents()),
            strict=True,
        )
    )
    by_year = {str(item["value"]): item["count"] for item in everything["facets"]["year"]}
    assert {year: n for year, n in bars.items() if n} == by_year
    assert sum(bars.values()) == everything["count"]
    screenshot(page, "search-histogram-1280")

    # Clicking the busiest year's bar filters by that year.
    year, count = max(by_year.items(), key=lambda item: (item[1], item[0]))
    label = f"{year}, {count} piece{'s' if count != 1 else ''}"
    with page.expect_navigation():
        chart.locator(f"a.chart__link[aria-label='{label}']").click()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["government"], "year": [year]}
    plural = "s" if count != 1 else ""
    assert page.locator(".search-count").inner_text() == f"{count} result{plural} for “government”."
    dates = page.locator(".search-hit time").evaluate_all("els => els.map((el) => el.dateTime)")
    assert dates and all(date.startswith(year) for date in dates)

    # Then the first author facet narrows further, keeping the year.
    in_year = api(page, f"q=government&year={year}")
    author = in_year["facets"]["author"][0]
    page.locator(".facet--author summary").click()  # the filter groups open on demand
    with page.expect_navigation():
        page.locator(".facet--author a", has_text=author["label"]).first.click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["government"], "year": [year], "author": [author["value"]]}
    narrowed = api(page, f"q=government&year={year}&author={author['value']}")
    assert narrowed["count"] == author["count"]
    assert hit_titles(page) == [hit["title"] for hit in narrowed["results"]]
    assert page.locator(".facet--author .facet__item--selected").count() == 1

    # The selected year's bar, clicked again, lifts the year filter.
    with page.expect_navigation():
        page.locator("a.chart__link").first.click()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["government"], "author": [author["value"]]}


def test_year_bars_are_reachable_by_keyboard(content, open_page):
    page = open_page(reverse("search:results") + "?q=government", viewport=DESKTOP)
    link = page.locator("a.chart__link").first
    year = link.get_attribute("aria-label").split(",")[0]
    link.focus()
    assert link.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parse_qs(urlsplit(page.url).query)["year"] == [year]
    assert hit_titles(page) == [hit["title"] for hit in api(page, f"q=government&year={year}")["results"]]


def test_persian_results_read_right_to_left(content, open_page):
    page = open_page(reverse("search:results") + "?q=دارو", viewport=PHONE)
    hit = page.locator(".search-hit")
    assert hit.count() == 1
    assert hit.evaluate("el => getComputedStyle(el).direction") == "rtl"
    snippet = hit.locator(".search-hit__snippet")
    assert snippet.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert re.search(r"<mark>دارو</mark>", snippet.inner_html())
    screenshot(page, "search-rtl-360")
