"""Every kind of reading page, opened the way people open it: at a phone width and a desktop
width, checked for horizontal overflow, checked by axe-core, and photographed."""

import pytest
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from archive.articles.models import Article, Author, Keyword
from tests.browser.conftest import DESKTOP, PHONE, axe_violations, describe, screenshot

# django_db: the database is set up for these tests and each runs in a transaction that reads only
# the content loaded once for the package (conftest.archive_site).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def search_url(query):
    try:
        return reverse("search:results") + f"?q={query}"
    except NoReverseMatch:
        return None


def page_paths():
    """Paths of one page of each kind, found from the content so any demo set works."""
    public = Article.objects.published()
    english = public.filter(language="en").annotate(n=Count("authorships")).order_by("-n", "-date").first()
    rtl = public.filter(language__in=["fa", "ar"]).order_by("language").first()
    sectioned = public.filter(body__contains="<h4").order_by("-date").first()  # headings below h2
    author = (
        Author.objects.filter(authorships__article__in=public)
        .annotate(n=Count("authorships"))
        .order_by("-n", "name")
        .first()
    )
    keyword = Keyword.objects.filter(articles__in=public).annotate(n=Count("articles")).order_by("-n").first()
    return {
        "home": reverse("home"),
        "list": reverse("articles:list"),
        "archive": reverse("archive:index"),
        "archive-year": reverse("archive:year", args=[english.date.year]),
        "article": english.get_absolute_url(),
        "article-rtl": rtl.get_absolute_url(),
        "article-sections": sectioned.get_absolute_url(),
        "list-2": reverse("articles:list") + "?page=2",
        "author": author.get_absolute_url(),
        "authors": reverse("authors:list"),
        "keyword": keyword.get_absolute_url(),
        "keywords": reverse("keywords:list"),
        "about": reverse("about"),
        "search": search_url("Iraq"),
    }


PAGES = [
    "home",
    "list",
    "archive",
    "archive-year",
    "article",
    "article-rtl",
    "article-sections",
    "list-2",
    "author",
    "authors",
    "keyword",
    "keywords",
    "about",
    "search",
]

PAGE_FACTS = """() => {
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter((h) => h.getClientRects().length)
    .map((h) => Number(h.tagName[1]));
  const skipped = [];
  headings.forEach((level, i) => {
    if (i && level > headings[i - 1] + 1) skipped.push([headings[i - 1], level]);
  });
  return {
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    widest: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5).map((el) => el.tagName + '.' + el.className),
    h1: document.querySelectorAll('h1').length,
    firstHeading: headings[0],
    skipped,
    main: document.querySelectorAll('main').length,
    banner: document.querySelectorAll('body > header').length,
    contentinfo: document.querySelectorAll('body > footer').length,
    nav: document.querySelectorAll('nav[aria-label]').length,
    searchBox: !!document.querySelector('form[role=search] input[name=q]'),
    inlineStyles: [...document.querySelectorAll('[style]')]
      .filter((el) => el.getAttribute('style').trim()).map((el) => el.outerHTML.slice(0, 300)),
    inlineScripts: [...document.scripts].filter((s) => !s.src && s.type !== 'application/ld+json').length,
    handlers: [...document.querySelectorAll('*')].filter((el) =>
      [...el.attributes].some((a) => a.name.startsWith('on'))).length,
  };
}"""


def page_problems(page, *, axe=True):
    """What is wrong with the open page, as sentences (empty when nothing is)."""
    facts = page.evaluate(PAGE_FACTS)
    problems = []
    if facts["overflow"] > 0:
        problems.append(f"scrolls sideways by {facts['overflow']}px: {facts['widest']}")
    if facts["h1"] != 1 or facts["firstHeading"] != 1:
        problems.append(f"has {facts['h1']} h1 elements; first heading is h{facts['firstHeading']}")
    if facts["skipped"]:
        problems.append(f"skips heading levels {facts['skipped']}")
    if (facts["main"], facts["banner"], facts["contentinfo"]) != (1, 1, 1):
        problems.append("lacks one main, one banner header and one contentinfo footer")
    if not facts["nav"] or not facts["searchBox"]:
        problems.append("lacks the labelled main navigation or the search box")
    if facts["inlineStyles"] or facts["inlineScripts"] or facts["handlers"]:
        problems.append(f"breaks the CSP: inline styles {facts['inlineStyles']}, scripts, handlers")
    violations = axe_violations(page) if axe else []
    if violations:
        problems.append("axe-core:\n" + describe(violations))
    return problems


def test_every_page_reads_well_on_a_phone_and_a_desktop(content, browser):
    """Each kind of page at 360px and 1280px: no sideways scrolling, one h1 and no skipped heading
    levels, landmarks, the search box, nothing the CSP would block, and no axe-core violation of
    any impact. Screenshots go to artifacts/screenshots/."""
    paths = {name: path for name, path in page_paths().items() if path}
    problems = []
    for label, viewport in (("360", PHONE), ("1280", DESKTOP)):
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        for name, path in paths.items():
            response = page.goto(content.url + path)
            if response.status != 200:
                problems.append(f"{name} at {label}px: HTTP {response.status}")
                continue
            screenshot(page, f"{name}-{label}")
            found = page_problems(page)
            problems += [f"{name} at {label}px {problem}" for problem in found]
        context.close()
    assert set(paths) >= set(PAGES) - {"search"}
    assert not problems, "\n".join(problems)


def test_persian_and_arabic_pieces_read_right_to_left(content, open_page):
    paths = page_paths()
    page = open_page(paths["article-rtl"], viewport=PHONE)
    article = page.locator("article.article")
    assert article.get_attribute("dir") == "rtl"
    assert article.get_attribute("lang") in {"fa", "ar"}
    assert article.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator(".article__body p").first.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator(".article__title").evaluate("el => getComputedStyle(el).textAlign") in {
        "start",
        "right",
    }
    # The title's right edge sits at the column's right edge.
    box_title = page.locator(".article__title").bounding_box()
    box_article = article.bounding_box()
    assert abs((box_title["x"] + box_title["width"]) - (box_article["x"] + box_article["width"])) < 2
    # The English interface stays English and left-to-right around the piece.
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "ltr"
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.locator("header.site-header").get_attribute("lang") == "en"
    # A font that has Arabic script is the one used.
    family = page.locator(".article__body p").first.evaluate("el => getComputedStyle(el).fontFamily")
    assert "Naskh" in family or "Arabic" in family or "Vazirmatn" in family

    # In lists, each item, its title and its summary carry the piece's lang and dir.
    for language in ("fa", "ar"):
        piece = Article.objects.published().filter(language=language).first()
        page = open_page(reverse("archive:month", args=[piece.date.year, piece.date.month]), viewport=PHONE)
        item = page.locator(f"li.article-item[lang={language}]")
        assert item.count() == 1
        assert item.get_attribute("dir") == "rtl"
        assert item.locator(".article-item__title").get_attribute("dir") == "rtl"
        assert item.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page = open_page(reverse("articles:list"), viewport=PHONE)
    english = page.locator("li.article-item[lang=en]").first
    assert english.evaluate("el => getComputedStyle(el).direction") == "ltr"


def test_keyboard_focus_is_always_visible(content, open_page):
    page = open_page(page_paths()["article"], viewport=DESKTOP)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24, "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # Every one of the first stops in the page shows a focus ring of at least 2px.
    page.reload()
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => { const el = document.activeElement, s = getComputedStyle(el);
                return [el.tagName + ':' + (el.textContent || el.name || '').trim().slice(0, 30),
                        s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
        )
        seen.append(ring[0])
        assert ring[1] != "none" and ring[2] >= 2, f"no visible focus on {ring[0]}"
    assert any("Articles" in stop for stop in seen) and any("INPUT" in stop for stop in seen)


def test_dark_scheme_keeps_contrast(content, open_page):
    paths = page_paths()
    for name in ("home", "article-rtl", "author"):
        page = open_page(paths[name], viewport=DESKTOP, color_scheme="dark")
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 21, 23)", "the dark palette follows prefers-color-scheme"
        violations = axe_violations(page, rules=["color-contrast", "link-in-text-block"])
        assert not violations, f"{name} (dark):\n{describe(violations)}"
        screenshot(page, f"{name}-1280-dark", full_page=False)


def test_article_prints_without_the_site_chrome(content, open_page):
    page = open_page(page_paths()["article"], viewport=DESKTOP)
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.site-header', '.site-footer', '.skip-link', '.more-by']
            .map((s) => document.querySelector(s))
            .filter(Boolean).map((el) => getComputedStyle(el).display)"""
    )
    assert hidden and set(hidden) == {"none"}
    assert page.locator(".article__title").is_visible()
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    screenshot(page, "article-print")


def test_pages_work_without_javascript(content, open_page):
    paths = page_paths()
    page = open_page(paths["home"], viewport=PHONE, java_script_enabled=False)
    page.locator(".article-item__title a").first.click()
    assert page.locator("article.article h1").is_visible()
    page = open_page(paths["author"], viewport=PHONE, java_script_enabled=False)
    assert page.locator("figure.chart svg[role=img]").is_visible()
    page.locator("figure.chart summary").click()
    assert page.locator("figure.chart table").is_visible()


def test_author_and_keyword_pages_chart_pieces_per_year(content, open_page):
    paths = page_paths()
    for name in ("author", "keyword"):
        page = open_page(paths[name], viewport=PHONE)
        chart = page.locator("figure.chart")
        svg = chart.locator("svg[role=img]")
        assert svg.is_visible()
        ids = svg.get_attribute("aria-labelledby"), svg.get_attribute("aria-describedby")
        assert [page.locator(f"[id='{i}']").evaluate("el => el.tagName") for i in ids] == ["title", "desc"]
        count = int(page.locator(".page-header .count").inner_text().split()[0])
        values = [int(v) for v in chart.locator(".chart__value").all_text_contents()]
        assert sum(values) == count, "the bars add up to the pieces listed"
        rows = chart.locator("tbody tr")
        assert sum(int(t) for t in rows.locator("td").all_text_contents()) == count


def test_pages_load_under_the_strict_content_security_policy(content, browser):
    """With the site's CSP enforced (no bypass), nothing on the pages is refused: no inline
    style or script, no outside font, image or stylesheet; the autocomplete script runs."""
    refused = []
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.on("console", lambda message: refused.append(message.text))
    paths = page_paths()
    for name in ("article-rtl", "author", "search"):
        if paths[name]:
            page.goto(content.url + paths[name])
    box = page.locator("input[type=search][name=q]")  # the search page's own box: the one box there
    assert box.count() == 1
    box.fill("")
    box.press_sequentially("Ira", delay=30)
    page.locator("[role=option]").first.wait_for(state="visible", timeout=5000)
    # The stylesheet applied: the body has the archive's background, not the browser's white.
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(251, 250, 247)"
    context.close()
    assert [text for text in refused if "Content Security Policy" in text] == []
