"""The interface in English, Persian and Arabic, in Chromium: the reading pages, the search (with
results and with none) and the editors' upload and check screens, at a phone and a desktop width,
each page opened once per language and width. Each has the right `dir` on <html>, no sideways
scrolling (in a right-to-left page that is overflow to the left), no axe-core violation (none
serious or critical on the admin's screens), and a screenshot in artifacts/screenshots/
(i18n-<page>-<language>-<width>.png)."""

import pytest
from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import get_language_info

from archive.articles.models import Article, Author, Keyword
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SEED_PERSIAN_TITLE,
    SEED_TITLE,
    axe_violations,
    describe,
    screenshot,
    signed_in,
)
from tests.browser.test_reading import page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LANGUAGES = {code: "rtl" if get_language_info(code)["bidi"] else "ltr" for code, _name in settings.LANGUAGES}
WIDTHS = (("360", PHONE), ("1280", DESKTOP))
SERIOUS = {"serious", "critical"}

FACTS = """() => {
  const width = document.documentElement.clientWidth;
  const outside = [...document.querySelectorAll('body *')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width && (box.right > width + 1 || box.left < -1) && !el.closest('.chart__scroll');
  });
  return {
    lang: document.documentElement.lang,
    dir: document.documentElement.dir,
    direction: getComputedStyle(document.body).direction,
    overflow: document.documentElement.scrollWidth - width,
    outside: outside.slice(0, 5).map((el) => el.tagName + '.' + el.className),
  };
}"""


def reading_paths():
    """One page of each kind the issue names, found from the content (English addresses)."""
    public = Article.objects.published()
    with translation.override("en"):
        author = (
            Author.objects.filter(authorships__article__in=public)
            .annotate(n=Count("authorships"))
            .order_by("-n", "name")
            .first()
        )
        keyword = (
            Keyword.objects.filter(articles__in=public).annotate(n=Count("articles")).order_by("-n").first()
        )
        return {
            "home": reverse("home"),
            "list": reverse("articles:list"),
            "article": public.filter(language="en").order_by("-date").first().get_absolute_url(),
            "article-rtl": public.filter(language="fa").order_by("-date").first().get_absolute_url(),
            "search": reverse("search:results") + "?q=iraq",
            "search-none": reverse("search:results") + "?q=zzxqv+qqvzx",
            "author": author.get_absolute_url(),
            "keyword": keyword.get_absolute_url(),
        }


def in_language(path, code):
    return path if code == "en" else f"/{code}{path}"


def problems_of(page, code, *, site_page=True):
    facts = page.evaluate(FACTS)
    found = []
    if (facts["lang"], facts["dir"], facts["direction"]) != (code, LANGUAGES[code], LANGUAGES[code]):
        found.append(f"<html lang={facts['lang']} dir={facts['dir']}>, body direction {facts['direction']}")
    if facts["overflow"] > 0 or facts["outside"]:
        found.append(f"scrolls sideways by {facts['overflow']}px: {facts['outside']}")
    if site_page:
        # The reading pages' own checks (landmarks, headings, CSP), with axe below.
        found += [p for p in page_problems(page, axe=False) if not p.startswith("scrolls sideways")]
    # The reading pages meet the English pages' bar (no violation of any impact); Django's admin
    # pages, the (none serious or critical).
    violations = [v for v in axe_violations(page) if site_page or v["impact"] in SERIOUS]
    if violations:
        found.append("axe-core:\n" + describe(violations))
    return found


def test_reading_and_search_pages_in_three_languages(content, browser):
    paths = reading_paths()
    problems = []
    for label, viewport in WIDTHS:
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        context.set_default_timeout(10_000)
        page = context.new_page()
        for code in LANGUAGES:
            for name, path in paths.items():
                response = page.goto(content.url + in_language(path, code))
                if response.status != 200:
                    problems.append(f"{name} ({code}) at {label}px: HTTP {response.status}")
                    continue
                screenshot(page, f"i18n-{name}-{code}-{label}")
                problems += [f"{name} ({code}) at {label}px: {p}" for p in problems_of(page, code)]
        context.close()
    assert not problems, "\n".join(problems)


def test_upload_and_check_screens_in_three_languages(content, browser, editors):
    problems = []
    for label, viewport in WIDTHS:
        context = signed_in(browser, content, editors, viewport=viewport)
        page = context.new_page()
        for code in LANGUAGES:
            for name, path in {
                "upload": reverse("ingest:upload"),
                "check": reverse("ingest:review", args=[editors.pending]),
            }.items():
                response = page.goto(content.url + in_language(path, code))
                if response.status != 200:
                    problems.append(f"{name} ({code}) at {label}px: HTTP {response.status}")
                    continue
                screenshot(page, f"i18n-{name}-{code}-{label}")
                found = problems_of(page, code, site_page=False)
                problems += [f"{name} ({code}) at {label}px: {p}" for p in found]
        context.close()
    assert not problems, "\n".join(problems)


def test_the_switcher_leads_to_the_same_page_in_another_language(content, open_page):
    path = reading_paths()["article"]
    page = open_page(path, viewport=PHONE)
    with page.expect_navigation():
        page.locator(".language-switcher a[lang=fa]").click()
    assert page.url == content.url + "/fa" + path
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == [
        "fa",
        "rtl",
    ]
    # The English piece keeps its own language and direction inside the Persian page.
    article = page.locator("article.article")
    assert (article.get_attribute("lang"), article.evaluate("el => getComputedStyle(el).direction")) == (
        "en",
        "ltr",
    )
    # Pagination arrows point the way the page reads.
    page = open_page("/ar/articles/", viewport=PHONE)
    arrow = page.locator(".pagination__link[rel=next] .pagination__arrow")
    assert arrow.evaluate("el => getComputedStyle(el).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    next_box, status_box = (
        page.locator(".pagination__link[rel=next]").bounding_box(),
        page.locator(".pagination__status").bounding_box(),
    )
    assert next_box["x"] < status_box["x"]  # "next" sits to the left in a right-to-left page


def test_a_piece_s_title_in_the_reader_s_language_and_its_other_language_piece(content, open_page):
    """Issue 17: in the Persian interface a hit whose piece has a Persian title shows it first,
    right to left, with the original after it in its own direction; a piece linked to its Persian
    text says "Also in: فارسی" with a right-to-left link, and that piece links back. No sideways
    scrolling, no axe-core violation. (The content holds both: tests/browser/conftest.py; a test
    here may not write, the live server reads committed rows only.)"""
    article = Article.objects.get(title=SEED_TITLE)
    persian_piece = next(other for other in article.also_in if other.language == "fa")
    problems = []
    for label, viewport in WIDTHS:
        page = open_page("/fa/search/?" + urlencode({"q": article.title}), viewport=viewport)
        hit = page.locator("li.search-hit", has_text=SEED_PERSIAN_TITLE).first
        title = hit.locator(".article-item__title")
        assert title.inner_text() == SEED_PERSIAN_TITLE
        assert title.evaluate("el => getComputedStyle(el).direction") == "rtl"
        original = hit.locator(".article-item__original-title bdi")
        assert original.inner_text() == article.title
        assert original.evaluate("el => getComputedStyle(el).direction") == "ltr"
        problems += [f"search at {label}px: {p}" for p in problems_of(page, "fa")]

        page = open_page(in_language(article.get_absolute_url(), "fa"), viewport=viewport)
        link = page.locator(".article__also-in a[hreflang=fa]")
        assert link.inner_text() == "فارسی"
        assert link.evaluate("el => getComputedStyle(el).direction") == "rtl"
        with page.expect_navigation():
            link.click()
        assert page.url == content.url + "/fa" + persian_piece.get_absolute_url()
        back = page.locator(".article__also-in a[hreflang=en]")
        assert back.get_attribute("href") == in_language(article.get_absolute_url(), "fa")
        problems += [f"linked piece at {label}px: {p}" for p in problems_of(page, "fa")]
        screenshot(page, f"i18n-also-in-fa-{label}")
    assert not problems, "\n".join(problems)
