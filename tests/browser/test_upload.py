# ruff: noqa: E501  (exact expected texts and page scripts read better unbroken)
"""The admin upload as an editor uses it, in Chromium at 360px and 1280px: upload several files,
watch them being read, land on the summary, open a check screen, save. axe-core on every page
(no serious or critical violation), no sideways scrolling, nothing the strict CSP would block,
screenshots in artifacts/screenshots/.

Uploads are read by `read_queued()`, the code `manage.py read_uploads` runs, called from the test
once the progress page is open (ARCHIVE_INGEST_READER=command: nothing else reads), so the page
is seen waiting and then following the reading by itself.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model

from archive.articles.models import Article
from archive.articles.services import article_create
from archive.ingest import jobs
from archive.ingest.models import PendingUpload
from tests.browser.conftest import DESKTOP, PHONE, axe_violations, describe, screenshot
from tests.ingest.conftest import DATA, scanned_pdf
from tests.ingest.test_ocr import ENGLISH

# Transactional: the live server (another connection on PostgreSQL) must see what the test writes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-for-uploads-7"

PAGE_FACTS = """() => ({
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  widest: [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5).map((el) => el.tagName + '.' + el.className + '#' + el.id),
  inlineStyles: [...document.querySelectorAll('[style]')].filter((el) => el.getAttribute('style').trim()).length,
  inlineScripts: [...document.scripts].filter((s) => !s.src && s.type !== 'application/json').length,
  handlers: [...document.querySelectorAll('*')].filter((el) =>
    [...el.attributes].some((a) => a.name.startsWith('on'))).length,
})"""


def problems_of(page, name):
    facts = page.evaluate(PAGE_FACTS)
    problems = []
    if facts["overflow"] > 0:
        problems.append(f"{name} scrolls sideways by {facts['overflow']}px: {facts['widest']}")
    if facts["inlineStyles"] or facts["inlineScripts"] or facts["handlers"]:
        problems.append(f"{name} breaks the CSP: {facts}")
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    if serious:
        problems.append(f"{name} axe-core:\n" + describe(serious))
    return problems


@pytest.fixture
def editor_login(content, django_db_blocker, settings):
    settings.ARCHIVE_INGEST_READER = "command"
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_superuser("uploader", "uploader@example.org", PASSWORD)
        # Uploads other tests rely on (tests/browser/conftest.py `editors`) are left alone.
        others = set(PendingUpload.objects.values_list("pk", flat=True))
    yield content
    with django_db_blocker.unblock():
        for pending in PendingUpload.objects.exclude(pk__in=others):
            pending.file.delete(save=False)
        PendingUpload.objects.exclude(pk__in=others).delete()
        Article.objects.filter(title__in=["Water Diplomacy in the Tigris Basin"]).delete()
        user.delete()


def log_in(page, url):
    page.goto(url + "/admin/login/?next=/admin/ingest/upload/")
    page.fill("#id_username", "uploader")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/ingest/upload/")


@pytest.mark.parametrize(("label", "viewport"), [("360", PHONE), ("1280", DESKTOP)])
def test_upload_progress_summary_check_save(
    editor_login, browser, django_db_blocker, tmp_path, label, viewport
):
    site = editor_login
    first_round = label == "360"
    if not first_round:  # a piece with the same title and first author, another date: flagged
        with django_db_blocker.unblock():
            earlier = article_create(
                title="Water Diplomacy in the Tigris Basin",
                date=datetime.date(2001, 1, 1),
                authors=["Sara Karimi"],
                status="draft",
            )
    with django_db_blocker.unblock():
        # Uploads other tests left to check (tests/browser/conftest.py `editors`) show here too.
        before = set(PendingUpload.objects.values_list("pk", flat=True))
        ready_before = PendingUpload.objects.filter(state=PendingUpload.State.READY).count()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf(ENGLISH))
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = []
    log_in(page, site.url)
    problems += problems_of(page, f"upload at {label}px")
    screenshot(page, f"ingest-upload-{label}")

    # Upload three files: a scan (OCR), a text PDF and a web page.
    page.set_input_files("#id_files", [str(scan), str(DATA / "wrapped.pdf"), str(DATA / "article.html")])
    page.click("input[type=submit][value='Upload and read']")
    page.wait_for_url("**/admin/ingest/pending/")
    assert page.locator("#group-reading").inner_text() == "Being read (3)"
    assert page.locator(".ingest-progress").count() == 3
    problems += problems_of(page, f"progress at {label}px")
    screenshot(page, f"ingest-progress-{label}")

    # The reader reads them; the page follows by itself (static/js/ingest.js) and shows the summary.
    with django_db_blocker.unblock():
        assert jobs.read_queued() == 3
    page.locator("#group-reading").wait_for(state="detached")
    groups = page.locator(".ingest-group h2").all_inner_texts()
    ready = f"Read: ready to check ({2 + ready_before})"
    if first_round:
        assert groups == [ready, "Needs attention (1)"]
    else:
        assert groups == [ready, "Likely duplicates (1)"]
    problems += problems_of(page, f"summary at {label}px")
    screenshot(page, f"ingest-summary-{label}")

    # The check screen of the scan: the page image beside the form, the OCR notice.
    page.get_by_role("link", name="Water Diplomacy in the Tigris Basin").first.click()
    page.wait_for_selector(".check-pages img")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.check-pages img')].every((i) => i.naturalWidth > 0)"
    )
    assert page.locator(".check-ocr").inner_text().startswith("The text was read by OCR (eng)")
    assert page.input_value("#id_title") == "Water Diplomacy in the Tigris Basin"
    assert page.input_value("#id_author-0-name") == "Sara Karimi"
    assert "Tigris and Euphrates" in page.locator(".check-body-read").inner_text()
    if not first_round:
        assert page.locator(".check-duplicates").inner_text() == (
            "Likely duplicate: Water Diplomacy in the Tigris Basin (2001-01-01) has the same title and first "
            "author, but another date (2001-01-01). Saving creates a new article unless you choose to update it below."
        )
        assert page.locator("input[name=target]:checked").input_value() == "new"
    # Each missing field is named once, next to it.
    assert page.locator(".check-note").all_inner_texts() == [
        "Date is missing: no publication date was found (set to today)."
    ]
    # The body's edit mode opens from the keyboard.
    page.locator(".check-body-edit summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#id_body").is_visible()
    problems += problems_of(page, f"check screen at {label}px")
    screenshot(page, f"ingest-check-{label}")

    page.fill("#id_date", "2019-06-14")
    page.click("input[type=submit][value='Save article']")
    page.wait_for_url("**/admin/articles/article/*/change/")
    assert "Water Diplomacy in the Tigris Basin" in page.locator(".messagelist").inner_text()
    with django_db_blocker.unblock():
        article = Article.objects.filter(title="Water Diplomacy in the Tigris Basin").latest("id")
        if not first_round:
            assert article.pk != earlier.pk
            assert Article.objects.filter(title="Water Diplomacy in the Tigris Basin").count() == 2
        assert article.text_from_ocr is True
        assert [a.name for a in article.ordered_authors] == ["Sara Karimi"]
        assert article.date.isoformat() == "2019-06-14"
        assert PendingUpload.objects.exclude(pk__in=before).count() == 2
        PendingUpload.objects.exclude(pk__in=before).delete()
    context.close()
    assert not problems, "\n".join(problems)
