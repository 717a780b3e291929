"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Chromium comes from Debian (`apt-get install chromium fonts-noto-core`; `.ci/run` installs both).
Without /usr/bin/chromium these tests skip, except under CI=true, where they fail.

The pages only read, so the content (the demo, `manage.py load_demo`, plus the right-to-left and
multi-author pieces it lacks) is loaded once for the whole package and served by one live server
(pytest-django's `live_server` would empty the database after every test); the database and the
index are emptied again after the last browser test.
"""

import datetime
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from archive.articles.html import clean_body_html
from archive.articles.models import Article
from archive.articles.services import article_set_authors, article_set_translations, author_get_or_create
from tests.conftest import create_article

CHROMIUM = Path(os.environ.get("ARCHIVE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SAMPLE = ROOT / "tests" / "data" / "reading" / "sample.json"

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}

# The live server listens on 127.0.0.1 (an ephemeral port unless this names one).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="session")
def _async_unsafe_allowed():
    """Playwright's sync API keeps an event loop in the test thread, which makes Django refuse
    ORM calls there. The tests and the live server never share a connection across threads."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser(_async_unsafe_allowed):
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install it with "
            "`apt-get install -y chromium fonts-noto-core` to run the browser tests."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " CI must run them.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, content):
    """open_page(path, viewport=PHONE, **context_options) -> a Playwright page at that path."""
    contexts = []

    def open_(path, *, viewport=DESKTOP, expect_status=200, **options):
        # bypass_csp lets the tests inject axe-core under the site's strict Content-Security-Policy.
        options.setdefault("bypass_csp", True)
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(content.url + path)
        assert response is not None
        assert response.status == expect_status, f"{path}: HTTP {response.status}"
        return page

    yield open_
    for context in contexts:
        context.close()


def load_sample(make, *, languages=None):
    """The sample pieces of tests/data/reading/ (see its SOURCE.md), or those in `languages`."""
    for item in json.loads(SAMPLE.read_text(encoding="utf-8")):
        if languages and item["language"] not in languages:
            continue
        if "body_html" in item:
            body = clean_body_html(item["body_html"])
        else:
            body = clean_body_html("".join(f"<p>{p}</p>" for p in item.get("body_paragraphs", [])))
        source = item.get("source", {})
        make(
            item["title"],
            date=datetime.date.fromisoformat(item["date"]),
            kind=item["kind"],
            language=item["language"],
            authors=[tuple(author) for author in item["authors"]],
            keywords=item["keywords"],
            abstract=item.get("abstract", ""),
            body=body,
            source_name=source.get("name", ""),
            source_volume=source.get("volume", ""),
            source_issue=source.get("issue", ""),
            source_pages=source.get("pages", ""),
            doi=source.get("doi", ""),
            source_url=source.get("url", ""),
        )


SEED_TITLE = "Iraq and Russia: Motivations for Interaction in New Conditions"
SEED_PERSIAN_TITLE = "عراق و روسیه: انگیزه‌های تعامل (عنوان فارسی)"


def load_content():
    """The demo content, plus what it lacks for these tests: Persian and Arabic pieces, a
    commentary with two authors, and pieces the public must never see."""
    call_command("load_demo", verbosity=0)
    with transaction.atomic():  # one commit, so one index update
        load_sample(create_article, languages={"fa", "ar"})
        commentary = Article.objects.filter(kind="commentary", language="en").order_by("date").first()
        authors = [*commentary.ordered_authors, author_get_or_create(name="Maryam Karimi")[0]]
        article_set_authors(article=commentary, authors=authors)  # fictional co-author, see SOURCE.md
        # A Persian title on an English piece (issue 17: Persian hits and lists show it first); the
        # demo links the same piece with its Persian and Arabic sample translations ("Also in").
        seed = Article.objects.get(title=SEED_TITLE)
        article_set_translations(article=seed, translations=[{"language": "fa", "title": SEED_PERSIAN_TITLE}])
        create_article("A draft nobody may see", status="draft")
        create_article("A piece from the future", date=datetime.date.today() + datetime.timedelta(days=30))


@pytest.fixture(scope="package")
def archive_site(django_db_setup, django_db_blocker, _async_unsafe_allowed):
    """The content in the database and the index, served on 127.0.0.1 (DJANGO_LIVE_TEST_SERVER_ADDRESS
    may name a port) for the whole package; emptied afterwards."""
    from pytest_django.live_server_helper import LiveServer

    from archive.search import indexing
    from archive.search.backends import backend
    from archive.search.backends.whoosh import store

    def empty_index():
        with store.write_lock(wait=True):
            store.clear()
        backend().forget()

    with django_db_blocker.unblock():
        empty_index()
        try:
            load_content()
            indexing.process_queue(wait=True)
            server = LiveServer(os.environ["DJANGO_LIVE_TEST_SERVER_ADDRESS"])
            server._live_server_modified_settings.enable()
            try:
                yield SimpleNamespace(url=server.url)
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            empty_index()


@pytest.fixture
def content(browser, archive_site):
    """The site with its content (the browser first, so a missing Chromium skips before loading)."""
    return archive_site


@pytest.fixture(scope="package")
def editors(archive_site, django_db_blocker):
    """Signed-in sessions for the admin pages: `superuser` (every permission) and `clerk` (staff
    without any, who gets 403 pages), and one upload waiting to be checked (`pending`, its id).
    Emptied with the rest of the content."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    with django_db_blocker.unblock():
        users = get_user_model().objects
        sessions = {}
        for name, user in [
            ("superuser", users.create_superuser("editor", "editor@example.org", None)),
            ("clerk", users.create_user("clerk", is_staff=True)),
        ]:
            client = Client()
            client.force_login(user)
            sessions[name] = client.cookies["sessionid"].value
        client = Client()
        client.cookies["sessionid"] = sessions["superuser"]
        with (ROOT / "tests" / "data" / "article.html").open("rb") as file:
            response = client.post("/admin/ingest/upload/", {"files": file})
        pending = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    return SimpleNamespace(sessions=sessions, pending=pending)


def signed_in(browser, content, editors, who="superuser", **options):
    """A browser context whose requests carry `who`'s session cookie."""
    options.setdefault("bypass_csp", True)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": editors.sessions[who], "url": content.url}])
    return context


def screenshot(page, name, *, full_page=True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page, *, rules=None):
    """Runs axe-core (vendored) on the page, WCAG 2.2 A/AA and best practice, or only `rules`;
    returns its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    result = page.evaluate(
        "async (runOnly) => await axe.run(document, {runOnly, resultTypes: ['violations']})",
        run_only,
    )
    return result["violations"]


def describe(violations):
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return "\n".join(lines)
