# ruff: noqa: E501  (exact expected texts read better unbroken)
"""Uploads read in the background (archive.ingest.jobs), the summary, and the check screen's
choices. The reader is run here as `manage.py read_uploads` runs it (ARCHIVE_INGEST_READER=command);
tests/hardening/test_upload_reader.py kills real reader processes."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from archive.articles.models import Article, Author
from archive.ingest import jobs
from archive.ingest.models import PendingUpload
from tests.ingest.conftest import read, text_pdf

pytestmark = pytest.mark.django_db

State = PendingUpload.State


@pytest.fixture
def editor(client, settings):
    settings.ARCHIVE_INGEST_READER = "command"
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-1")
    client.force_login(user)
    return client


def upload(client, *files, read=False):
    response = client.post(reverse("ingest:upload"), {"files": [SimpleUploadedFile(n, d) for n, d in files]})
    if read:
        jobs.read_queued()
    return response


def test_an_upload_waits_for_the_reader_and_the_page_shows_progress(editor):
    response = upload(editor, ("wrapped.pdf", read("wrapped.pdf")))
    pending = PendingUpload.objects.get()
    assert response["Location"] == reverse("ingest:review", kwargs={"pk": pending.pk})
    assert (pending.state, pending.attempts) == (State.QUEUED, 0)
    page = editor.get(response["Location"]).content.decode()
    assert "is being read" in page
    assert f'data-upload="{pending.pk}"' in page and "Waiting to be read" in page
    status = editor.get(reverse("ingest:status"), {"ids": str(pending.pk)}).json()
    assert status == {
        "uploads": [
            {
                "id": pending.pk,
                "state": "queued",
                "done": 0,
                "total": 0,
                "stage": "",
                "finished": False,
                "label": "Waiting to be read",
            }
        ]
    }
    call_command("read_uploads", verbosity=0)
    pending.refresh_from_db()
    assert (pending.state, pending.attempts, pending.progress_done, pending.progress_total) == (
        State.READY,
        1,
        3,
        3,
    )
    assert pending.progress_stage == "text"
    assert pending.draft["title"] == "Water Diplomacy in the Tigris-Euphrates Basin"
    assert pending.read_seconds is not None and pending.read_seconds >= 0
    status = editor.get(reverse("ingest:status"), {"ids": str(pending.pk)}).json()["uploads"][0]
    assert (status["state"], status["finished"], status["label"]) == ("ready", True, "Read")
    page = editor.get(response["Location"]).content.decode()
    assert 'name="title"' in page and "The original" in page


def test_two_readers_never_read_one_upload(editor):
    upload(editor, ("article.md", read("article.md")))
    first = jobs.claim_next()
    assert first is not None and first.state == State.READING
    assert jobs.claim_next() is None


def test_a_reading_left_half_done_is_read_again(editor):
    upload(editor, ("article.md", read("article.md")))
    pending = PendingUpload.objects.get()
    # A reader claimed it, then its process died: no heartbeat for ten minutes.
    PendingUpload.objects.filter(pk=pending.pk).update(
        state=State.READING, attempts=1, heartbeat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert jobs.reader_is_beating() is False
    assert jobs.work_waiting() is True
    assert jobs.read_queued() == 1
    pending.refresh_from_db()
    assert (pending.state, pending.attempts) == (State.READY, 2)
    assert pending.draft["title"] == "Electricity Imports and Iraq's Summer"


def test_a_reading_that_keeps_stopping_fails_with_a_message(editor):
    upload(editor, ("article.md", read("article.md")))
    PendingUpload.objects.update(
        state=State.READING, attempts=2, heartbeat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert jobs.read_queued() == 0
    pending = PendingUpload.objects.get()
    assert pending.state == State.FAILED
    assert pending.error == (
        "Reading stopped 2 times without finishing (the server or its reader was restarted, or the file is too "
        "hard to read). Upload it again, or import it with manage.py import_articles to see the error."
    )
    page = editor.get(reverse("ingest:pending")).content.decode()
    assert "Could not be read (1)" in page and pending.error in page


def test_a_reading_that_beats_is_left_alone(editor):
    upload(editor, ("article.md", read("article.md")))
    PendingUpload.objects.update(state=State.READING, attempts=1, heartbeat_at=timezone.now())
    assert jobs.reader_is_beating() is True
    assert jobs.read_queued() == 0
    assert PendingUpload.objects.get().state == State.READING


def test_the_summary_sorts_uploads_by_what_they_need(editor, make_article):
    make_article("Oman's Quiet Mediation", authors=["Layla Hassan"], date=datetime.date(2021, 3, 3))
    response = upload(
        editor,
        ("wrapped.pdf", read("wrapped.pdf")),
        ("seed_004.txt", read("seed_004.txt")),
        ("article.docx", read("article.docx")),
        ("locked.pdf", read("encrypted.pdf")),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    )
    assert response["Location"] == reverse("ingest:pending")
    assert PendingUpload.objects.count() == 4  # the PNG is refused before it is stored
    page = editor.get(reverse("ingest:pending")).content.decode()
    assert "Being read (4)" in page
    jobs.read_queued()
    page = editor.get(reverse("ingest:pending")).content.decode()
    headings = re.findall(r'<h2 id="group-\w+">([^<]+)</h2>', page)
    assert headings == [
        "Read: ready to check (1)",
        "Needs attention (1)",
        "Likely duplicates (1)",
        "Could not be read (1)",
    ]
    assert "locked.pdf is encrypted (password-protected): save an unprotected copy and upload that." in page
    assert "Title is missing: the file has no title line. Type the title in." in page
    for pending in PendingUpload.objects.filter(state=State.READY):
        assert f'href="{pending.get_absolute_url()}"' in page


def test_each_missing_field_is_named_once_next_to_it(editor):
    upload(editor, ("seed_004.txt", read("seed_004.txt")), read=True)
    pending = PendingUpload.objects.get()
    page = editor.get(reverse("ingest:review", kwargs={"pk": pending.pk})).content.decode()
    assert page.count("Title is missing") == 1
    assert page.count("No title found") == 0
    assert page.count("Date is missing") + page.count("No publication date found") <= 1
    # The note sits in the title's own row.
    row = re.search(r'<div class="form-row check-field check-missing">(.*?)</div>', page, re.S).group(1)
    assert 'for="id_title"' in row and "Title is missing" in row


def test_authors_are_rows_linked_to_existing_authors(editor, make_article):
    make_article("Earlier", authors=[("Layla Hassan", "Senior Fellow")])
    known = Author.objects.get(name="Layla Hassan")
    upload(editor, ("article.docx", read("article.docx")), read=True)
    pending = PendingUpload.objects.get()
    page = editor.get(reverse("ingest:review", kwargs={"pk": pending.pk})).content.decode()
    assert re.search(r'name="author-0-name" value="Layla Hassan"', page)
    assert re.search(
        rf'<option value="{known.pk}" selected>Link to Layla Hassan \(Senior Fellow\)</option>', page
    )
    assert re.search(r'name="author-1-name" value="Peter van der Berg"', page)
    form = {
        "title": "Oman's Quiet Mediation",
        "date": "2021-03-03",
        "kind": "commentary",
        "language": "en",
        "status": "draft",
        "authors": "",
        "authors_initial": "",
        "author-TOTAL_FORMS": "3",
        "author-INITIAL_FORMS": "0",
        "author-MIN_NUM_FORMS": "0",
        "author-MAX_NUM_FORMS": "100",
        "author-0-name": "Layla Hassan",
        "author-0-affiliation": "",
        "author-0-match": str(known.pk),
        "author-1-name": "Layla Hassan",  # a namesake: the editor says it is someone else
        "author-1-affiliation": "Reporter",
        "author-1-match": "new",
        "author-2-name": "Mina Tehrani",
        "author-2-match": "new",
        "author-2-DELETE": "on",
        "target": "new",
    }
    response = editor.post(reverse("ingest:review", kwargs={"pk": pending.pk}), form)
    assert response.status_code == 302, response.context["form"].errors
    article = Article.objects.get(title="Oman's Quiet Mediation")
    byline = article.ordered_authors
    assert [(a.pk == known.pk, a.name, a.affiliation) for a in byline] == [
        (True, "Layla Hassan", "Senior Fellow"),
        (False, "Layla Hassan", "Reporter"),
    ]
    assert Author.objects.filter(name="Layla Hassan").count() == 2
    assert article.original_filename == "article.docx"


def test_the_editor_chooses_to_update_a_likely_duplicate(editor, make_article):
    existing = make_article(
        "Oman's Quiet Mediation", authors=["Layla Hassan"], date=datetime.date(2020, 1, 1)
    )
    upload(editor, ("article.docx", read("article.docx")), read=True)
    pending = PendingUpload.objects.get()
    page = editor.get(reverse("ingest:review", kwargs={"pk": pending.pk})).content.decode()
    assert re.findall(r'<input type="radio" name="target"[^>]*>', page) == [
        '<input type="radio" name="target" value="new" id="id_target_0" checked>',
        f'<input type="radio" name="target" value="{existing.pk}" id="id_target_1">',
    ]
    assert f'value="{existing.pk}"' in page
    data = {
        "title": "Oman's Quiet Mediation",
        "authors": "Layla Hassan",
        "date": "2021-03-03",
        "kind": "commentary",
        "language": "en",
        "status": "published",
        "body": "Oman has long acted as a discreet channel.\n\nIt talks to everyone.",
        "target": str(existing.pk),
    }
    response = editor.post(reverse("ingest:review", kwargs={"pk": pending.pk}), data)
    assert response["Location"] == reverse("admin:articles_article_change", args=[existing.pk])
    existing.refresh_from_db()
    assert Article.objects.count() == 1
    assert existing.date == datetime.date(2021, 3, 3)
    assert existing.body == "<p>Oman has long acted as a discreet channel.</p>\n<p>It talks to everyone.</p>"


def test_pdf_pages_are_images_for_staff_only(editor, client):
    upload(editor, ("wrapped.pdf", read("wrapped.pdf")))
    jobs.read_queued()
    pending = PendingUpload.objects.get()
    page = editor.get(reverse("ingest:review", kwargs={"pk": pending.pk})).content.decode()
    for n in (1, 2, 3):
        assert f'src="{reverse("ingest:page", kwargs={"pk": pending.pk, "number": n})}"' in page
    image = editor.get(reverse("ingest:page", kwargs={"pk": pending.pk, "number": 1}))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    again = editor.get(reverse("ingest:page", kwargs={"pk": pending.pk, "number": 1}))
    assert again.content == image.content  # kept, not rendered again
    assert editor.get(reverse("ingest:page", kwargs={"pk": pending.pk, "number": 4})).status_code == 404
    client.logout()
    assert client.get(reverse("ingest:page", kwargs={"pk": pending.pk, "number": 1})).status_code == 302


def test_a_text_original_is_shown_as_read(editor):
    upload(editor, ("article.html", read("article.html")))
    jobs.read_queued()
    pending = PendingUpload.objects.get()
    page = editor.get(reverse("ingest:review", kwargs={"pk": pending.pk})).content.decode()
    text = re.search(r'<div class="check-original-text"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "Sanctions and the Caspian Caviar Trade" in text
    assert "<script" not in text and "onclick" not in text


def test_a_long_pdf_reports_its_pages(editor):
    pages = [f"Section {n}. " + "The basin's water is shared by three states. " * 40 for n in range(1, 13)]
    upload(editor, ("long.pdf", text_pdf(pages, pages=1)))
    seen = []
    pending = jobs.claim_next()
    original = jobs.extract_file

    def spy(*args, on_progress=None, **kwargs):
        def record(done, total, stage):
            seen.append((done, total, stage))
            on_progress(done, total, stage)

        return original(*args, on_progress=record, **kwargs)

    jobs.extract_file = spy
    try:
        jobs.read_upload(pending)
    finally:
        jobs.extract_file = original
    pending.refresh_from_db()
    assert pending.state == State.READY
    total = pending.progress_total
    # Pages are passed on as they are read (several at a time when they come fast), the last one last.
    assert total > 1 and seen[-1] == (total, total, "text")
    assert [done for done, _, _ in seen] == sorted({done for done, _, _ in seen})
    assert json.loads(json.dumps(pending.draft))["page_count"] == total
