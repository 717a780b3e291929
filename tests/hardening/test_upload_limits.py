"""Upload limits end to end through the admin upload: a file over the size limit, too many files,
decompression bombs. Each gets a sentence naming the limit and nothing is saved; a file ingest
allows is never refused earlier by Django's request limits."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.ingest.models import PendingUpload
from tests.ingest.conftest import zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, editor):
    client.force_login(editor)
    return client


def media_files():
    root = Path(django_settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def upload(client, files):
    before = media_files()
    response = client.post(reverse("ingest:upload"), {"files": files}, follow=True)
    assert PendingUpload.objects.count() == 0
    assert media_files() == before, "a refused upload left a file behind"
    return response


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_file_over_the_size_limit_is_named_and_nothing_is_saved(staff, settings):
    settings.ARCHIVE_INGEST_MAX_FILE_BYTES = 1024 * 1024
    response = upload(staff, [SimpleUploadedFile("huge.txt", b"word " * 300_000)])
    assert response.status_code == 200
    assert messages_of(response) == [
        "huge.txt is 1.4 MB; the limit is 1.0 MB (ARCHIVE_INGEST_MAX_FILE_BYTES)."
    ]


def test_too_many_files_get_a_page_naming_the_limit(staff):
    limit = django_settings.DATA_UPLOAD_MAX_NUMBER_FILES
    files = [SimpleUploadedFile(f"piece-{n}.txt", b"A title\n\nA body.") for n in range(limit + 1)]
    response = upload(staff, files)
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1>Request too large</h1>" in page
    assert (
        f"This request sent more than {limit} files; the limit is {limit} files at once "
        "(DATA_UPLOAD_MAX_NUMBER_FILES). Upload them in smaller groups, or import a folder or zip with "
        "manage.py import_articles. Nothing was saved."
    ) in page


def test_decompression_bombs_are_refused_before_they_expand(staff, settings):
    settings.ARCHIVE_INGEST_MAX_DOCX_BYTES = 8 * 1024 * 1024
    document = b"<w:document><w:body>" + b" " * (16 * 1024 * 1024) + b"</w:body></w:document>"
    bomb = zip_bytes([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", document)])
    assert len(bomb) < 100_000
    many = zip_bytes([(f"{n}.txt", b"x") for n in range(5)])
    response = upload(staff, [SimpleUploadedFile("bomb.docx", bomb), SimpleUploadedFile("batch.zip", many)])
    assert response.status_code == 200
    assert messages_of(response) == [
        "bomb.docx would expand to 16.0 MB when decompressed; the limit is 8.0 MB (a decompression bomb?).",
        "batch.zip is a ZIP file of many pieces, not one piece.",
    ]


def test_a_file_ingest_allows_is_not_refused_by_the_request_limits(staff, settings):
    """Larger than DATA_UPLOAD_MAX_MEMORY_SIZE (form text only) and under ingest's file limit: it
    reaches ingest, which reads it (here: a zip that is not a Word document)."""
    size = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024
    assert size < settings.ARCHIVE_INGEST_MAX_FILE_BYTES
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("notes.bin", b"\x01" * (size - 200))
    response = upload(staff, [SimpleUploadedFile("big.docx", out.getvalue())])
    assert response.status_code == 200
    assert messages_of(response) == ["big.docx is a ZIP file but not a Word document (no word/document.xml)."]


def test_request_limits_agree_with_the_ingest_limits():
    # Files are streamed to disk and not counted by DATA_UPLOAD_MAX_MEMORY_SIZE; ingest's limit
    # per file is the only size limit on them in Django.
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE < django_settings.ARCHIVE_INGEST_MAX_FILE_BYTES
    assert django_settings.FILE_UPLOAD_HANDLERS[-1].endswith("TemporaryFileUploadHandler")
    # A body at the sanitiser's cap in Persian (2 bytes a letter, percent-encoded: 6) fits a form.
    from archive.articles.html import MAX_HTML_CHARS

    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= MAX_HTML_CHARS * 6 + 1024 * 1024


def test_form_text_over_the_limit_gets_a_page_naming_it(staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = staff.post(reverse("ingest:upload"), {"note": "x" * 2000})
    assert response.status_code == 413
    assert (
        "The form&#x27;s text is larger than 1,000 bytes (uploaded files are not counted; "
        "DATA_UPLOAD_MAX_MEMORY_SIZE). Nothing was saved."
    ) in response.content.decode()
