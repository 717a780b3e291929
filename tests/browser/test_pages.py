"""Error pages and the admin pages the archive owns, as people meet them: at a phone width and a
desktop width, checked for sideways scrolling and landmarks, checked by axe-core (no violation
of any impact), and photographed into artifacts/screenshots/."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from archive.articles.models import Article
from tests.browser.conftest import DESKTOP, PHONE, axe_violations, describe, screenshot, signed_in
from tests.browser.test_reading import page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = (("360", PHONE), ("1280", DESKTOP))

OVERFLOW = """() => ({
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  widest: [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5).map((el) => el.tagName + '#' + el.id + '.' + el.className),
  h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
})"""


def check_error_page(page, name, label, *, status, response, heading):
    problems = []
    if response.status != status:
        problems.append(f"HTTP {response.status}, not {status}")
    if page.locator("h1").inner_text() != heading:
        problems.append(f"h1 is {page.locator('h1').inner_text()!r}, not {heading!r}")
    if not page.locator(".error-page__ways a[href='/']").count():
        problems.append("no way home")
    problems += page_problems(page)
    screenshot(page, f"{name}-{label}")
    return [f"{name} at {label}px: {problem}" for problem in problems]


def test_error_pages_are_pages_of_the_site(content, browser, settings):
    """404 (an unknown address, a missing article), 400 (a host we do not serve), 403 (a refused
    form), 500 (a failing view) and 429: each with its status, the site's header, search box and
    footer, a way home, no sideways scrolling and no axe-core violation."""
    slug = Article.objects.published().filter(language="en").order_by("-date").first().slug
    settings.ROOT_URLCONF = "tests.error_urls"  # adds /test-only/fail/
    local = content.url.replace("127.0.0.1", "localhost")
    problems = []
    for label, viewport in WIDTHS:
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        for name, url, status, heading in [
            ("error-404", content.url + "/no/such/page/", 404, "Page not found"),
            ("error-404-article", content.url + f"/articles/{slug[:-3]}/", 404, "No article at this address"),
            ("error-500", content.url + "/test-only/fail/", 500, "Something went wrong on our side"),
        ]:
            response = page.goto(url)
            problems += check_error_page(page, name, label, status=status, response=response, heading=heading)
            if name == "error-404-article" and not page.locator(".error-page__closest li").count():
                problems.append(f"{name} at {label}px offers no close titles")

        settings.ALLOWED_HOSTS = ["127.0.0.1"]  # "localhost" is then a host we do not serve
        response = page.goto(local + "/articles/")
        problems += check_error_page(
            page, "error-400", label, status=400, response=response, heading="Bad request"
        )
        settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

        page.goto(content.url + reverse("admin:login"))
        context.clear_cookies()  # the form's CSRF cookie is gone: Django refuses the form
        page.locator("#id_username").fill("editor")
        page.locator("#id_password").fill("not the password")
        with page.expect_navigation() as navigation:
            page.locator("input[type=submit]").click()
        problems += check_error_page(
            page,
            "error-403",
            label,
            status=403,
            response=navigation.value,
            heading="The form could not be sent",
        )

        settings.ARCHIVE_RATE_LIMITS = {"search": {"per_minute": 1, "burst": 1}}
        caches["ratelimit"].clear()
        page.goto(content.url + "/search/?q=iraq")
        response = page.goto(content.url + "/search/?q=iran")
        problems += check_error_page(
            page, "error-429", label, status=429, response=response, heading="Too many searches"
        )
        settings.ARCHIVE_RATE_LIMITS = {"search": {"per_minute": 0, "burst": 1}}
        context.close()
    assert not problems, "\n".join(problems)


def test_error_pages_keep_contrast_in_the_dark(content, open_page):
    page = open_page("/no/such/page/", viewport=DESKTOP, color_scheme="dark", expect_status=404)
    violations = axe_violations(page, rules=["color-contrast", "link-in-text-block"])
    assert not violations, describe(violations)
    screenshot(page, "error-404-1280-dark", full_page=False)


def admin_paths(editors):
    """The admin pages the archive draws or changes (templates/admin/, templates/ingest/admin/)."""
    article = Article.objects.published().order_by("-date").first()
    return {
        "admin-index": reverse("admin:index"),
        "admin-articles": reverse("admin:articles_article_changelist"),
        "admin-authors": reverse("admin:articles_author_changelist"),
        "admin-upload": reverse("ingest:upload"),
        "admin-pending": reverse("ingest:pending"),
        "admin-check": reverse("ingest:review", args=[editors.pending]),
        "admin-health": reverse("search_admin:health"),
        "admin-preview": reverse("admin:articles_article_preview", args=[article.pk]),
    }


def admin_problems(page, name):
    facts = page.evaluate(OVERFLOW)
    problems = []
    if facts["overflow"] > 0:
        problems.append(f"scrolls sideways by {facts['overflow']}px: {facts['widest']}")
    if len(facts["h1"]) != 1:
        problems.append(f"has h1 elements {facts['h1']}")
    violations = axe_violations(page)
    if violations:
        problems.append("axe-core:\n" + describe(violations))
    return problems


def test_admin_pages_we_own_work_on_a_phone_and_pass_axe(content, browser, editors):
    """The sign-in page, the index with its Search module, the article and author lists, upload,
    uploads to check, the check screen, index health, the merge confirmation and the preview:
    no sideways scrolling at 360px, one h1, no axe-core violation of any impact."""
    problems = []
    for label, viewport in WIDTHS:
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        page.goto(content.url + reverse("admin:login"))
        screenshot(page, f"admin-login-{label}")
        problems += [f"admin-login at {label}px {p}" for p in admin_problems(page, "admin-login")]
        context.close()

        context = signed_in(browser, content, editors, viewport=viewport)
        page = context.new_page()
        for name, path in admin_paths(editors).items():
            response = page.goto(content.url + path)
            if response.status != 200:
                problems.append(f"{name} at {label}px: HTTP {response.status}")
                continue
            screenshot(page, f"{name}-{label}")
            found = page_problems(page) if name == "admin-preview" else admin_problems(page, name)
            problems += [f"{name} at {label}px {problem}" for problem in found]

        # The merge confirmation: two authors chosen on the list, "Merge selected authors…".
        page.goto(content.url + reverse("admin:articles_author_changelist"))
        page.locator("input.action-select").nth(0).check()
        page.locator("input.action-select").nth(1).check()
        page.locator("select[name=action]").select_option("merge_selected")
        with page.expect_navigation():
            page.locator("button[name=index]").click()
        assert page.locator("form input[name=keep]").count() == 2
        screenshot(page, f"admin-merge-{label}")
        problems += [f"admin-merge at {label}px {p}" for p in admin_problems(page, "admin-merge")]
        context.close()
    assert not problems, "\n".join(problems)


def test_editors_without_permission_get_the_403_page(content, browser, editors):
    context = signed_in(browser, content, editors, who="clerk", viewport=PHONE)
    page = context.new_page()
    response = page.goto(content.url + reverse("ingest:upload"))
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Permission denied"
    problems = page_problems(page)
    screenshot(page, "error-403-permission-360")
    context.close()
    assert not problems, "\n".join(problems)
