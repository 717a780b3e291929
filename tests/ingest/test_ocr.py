"""Scanned PDFs (no text layer) read by OCR with Debian's tesseract (issue 16).

The scans are made at test time: a text PDF's pages rendered to images and wrapped in a PDF
again, so there is no text layer to fall back on. Without tesseract these tests skip, except
under CI=true (.ci/run installs tesseract-ocr with English, Persian and Arabic data).
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from archive.articles.models import Article
from archive.ingest.draft import ExtractionError
from archive.ingest.extract import extract_file
from archive.ingest.importer import import_paths
from tests.ingest.conftest import scanned_pdf

TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")

ENGLISH = [
    "Water Diplomacy in the Tigris Basin",
    "By Sara Karimi",
    "The Tigris and Euphrates rise in eastern Turkey and cross Syria and Iraq before they meet "
    "in the Shatt al-Arab. Dams built upstream have reduced the flow that reaches the lower basin.",
]
PERSIAN = [
    "نقش آب در روابط ایران و عراق",
    "سارا کریمی",
    "رودخانه‌های دجله و فرات از ترکیه سرچشمه می‌گیرند و پس از گذر از سوریه و عراق به اروندرود می‌رسند.",
]
ARABIC = [
    "السياسة المائية في حوض دجلة والفرات",
    "تنبع مياه دجلة والفرات من تركيا وتمر عبر سوريا والعراق قبل أن تلتقي في شط العرب. "
    "وقد أدت السدود إلى تقليل كمية المياه التي تصل إلى الحوض الأدنى.",
]


@pytest.fixture(autouse=True)
def _tesseract():
    if not shutil.which("tesseract"):
        message = (
            "tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-eng "
            "tesseract-ocr-fas tesseract-ocr-ara"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must run the OCR tests)", pytrace=False)
        pytest.skip(message)


def test_the_scan_has_no_text_layer():
    data = scanned_pdf(ENGLISH)
    assert [page.extract_text().strip() for page in PdfReader(io.BytesIO(data)).pages] == [""]


def test_an_english_scan_is_read_by_ocr():
    draft = extract_file(scanned_pdf(ENGLISH), filename="scan.pdf")
    assert draft.text_from_ocr is True
    assert draft.ocr_languages == ["eng"]
    assert draft.language == "en"
    assert draft.title == "Water Diplomacy in the Tigris Basin"
    assert [a.name for a in draft.authors] == ["Sara Karimi"]
    body = " ".join(draft.body)
    for word in ("Tigris", "Euphrates", "Turkey", "Syria", "Iraq", "Shatt", "upstream", "basin"):
        assert word in body
    assert "The text was read by OCR (eng): check it against the original." in draft.warnings


def test_a_title_set_large_over_two_lines_is_one_title():
    """OCR gives lines without fonts; the title is told by its height (word boxes from tesseract's
    TSV), so a long title that wraps stays whole and the line after it is not a subtitle."""
    title = "Water Diplomacy in the Tigris and Euphrates Basin after the Dams of the Upper Reaches"
    draft = extract_file(scanned_pdf([title, *ENGLISH[1:]], title_size=26), filename="scan.pdf")
    assert draft.title == title
    assert draft.subtitle == ""
    assert [a.name for a in draft.authors] == ["Sara Karimi"]


def test_a_persian_scan_is_read_with_persian_data():
    draft = extract_file(scanned_pdf(PERSIAN, rtl=True), filename="scan-fa.pdf")
    assert (draft.text_from_ocr, draft.ocr_languages, draft.language) == (True, ["fas"], "fa")
    assert draft.title == "نقش آب در روابط ایران و عراق"
    assert [a.name for a in draft.authors] == ["سارا کریمی"]
    words = " ".join(draft.body).split()
    for word in ("دجله", "فرات", "ترکیه", "سوریه", "عراق"):
        assert word in words


def test_an_arabic_scan_is_read_with_arabic_data():
    draft = extract_file(scanned_pdf(ARABIC, rtl=True), filename="scan-ar.pdf")
    assert (draft.text_from_ocr, draft.ocr_languages, draft.language) == (True, ["ara"], "ar")
    assert draft.title == "السياسة المائية في حوض دجلة والفرات"
    words = " ".join(draft.body).split()
    for word in ("دجلة", "والفرات", "تركيا", "سوريا", "والعراق", "المياه", "الحوض"):
        assert word in words


@pytest.mark.django_db
def test_the_saved_article_records_ocr(tmp_path, admin_client):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(ENGLISH))
    (result,) = import_paths([path])
    assert result.status == "created", result.error
    article = Article.objects.get()
    assert article.text_from_ocr is True
    assert article.title == "Water Diplomacy in the Tigris Basin"
    page = admin_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert page.status_code == 200
    assert "Text read by OCR" in page.content.decode()


def test_without_tesseract_the_upload_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("ARCHIVE_TESSERACT", "/nonexistent/tesseract")
    with pytest.raises(ExtractionError) as raised:
        extract_file(scanned_pdf(ENGLISH), filename="scan.pdf")
    assert str(raised.value) == (
        "scan.pdf has no text layer (a scan?) and needs OCR, but tesseract is not installed on this "
        "server. Install it with `apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fas "
        "tesseract-ocr-ara` and upload the file again."
    )


def test_without_persian_data_the_upload_names_it(monkeypatch, tmp_path):
    for name in ("eng", "osd"):
        (tmp_path / f"{name}.traineddata").symlink_to(TESSDATA / f"{name}.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    with pytest.raises(ExtractionError) as raised:
        extract_file(scanned_pdf(PERSIAN, rtl=True), filename="scan-fa.pdf")
    assert str(raised.value) == (
        "scan-fa.pdf needs OCR in Persian (fas), Arabic (ara), but tesseract has no data for it on this "
        "server. Install it with `apt-get install tesseract-ocr-fas tesseract-ocr-ara` (all three: "
        "`apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fas tesseract-ocr-ara`) and upload "
        "the file again."
    )


def test_ocr_has_its_own_time_limit(settings):
    settings.ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE = 0
    settings.ARCHIVE_INGEST_OCR_SECONDS = 1
    with pytest.raises(ExtractionError) as raised:
        extract_file(scanned_pdf(ENGLISH, pages=3), filename="long-scan.pdf")
    assert str(raised.value) == (
        "OCR of long-scan.pdf (3 pages) took longer than 1 s (ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE=0 a page, "
        "at most ARCHIVE_INGEST_OCR_SECONDS=1); it was stopped."
    )
