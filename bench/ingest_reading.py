"""How long uploads take to read: a long text PDF from upload to check screen, and OCR per page.

    .venv/bin/python bench/ingest_reading.py                 # 117-page PDF, 3-page scans
    .venv/bin/python bench/ingest_reading.py --pages 117 --scan-pages 5 --out /tmp/ingest-bench
    .venv/bin/python bench/ingest_reading.py --files tests/data/ingest_real/scan-*.pdf  # real scans

Everything runs in a scratch folder (SQLite database, media) with the production code paths:
- **upload**: what the upload request does (`jobs.uploads_create`: check the bytes, store, queue),
  timed; the request returns after this.
- **upload to check**: from the upload to the moment the check screen can show the form: the
  reader (`jobs.read_queued`, what `manage.py read_uploads` runs) reads the file in the sandbox;
  then the check screen itself is rendered (Django's test client, a staff user).
- **OCR**: scanned PDFs made here (a text PDF's pages rendered to images and wrapped in a PDF
  again, no text layer; full pages of English, Persian and Arabic text), read by `extract_file`:
  seconds per page, first-pass language detection included.

The PDFs are made with fpdf2 and uharfbuzz (requirements-test.txt). Prints a table, then one
JSON object on the last line. Figures on a shared machine are noisy: run it on a quiet one.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT / "tests" / "data"


def setup_django(workdir):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["ARCHIVE_INDEX_DIR"] = str(workdir / "index")
    os.environ["ARCHIVE_MEDIA_DIR"] = str(workdir / "media")
    os.environ["ARCHIVE_INGEST_READER"] = "command"  # the bench plays the reader, and times it
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def english_paragraphs():
    words = (SEED / "seed_000.txt").read_text(encoding="utf-8").split()
    return [" ".join(words[i : i + 90]) for i in range(0, 540, 90)]


def persian_paragraphs():
    words = (SEED / "persian.txt").read_text(encoding="utf-8").split() * 20
    return [" ".join(words[i : i + 90]) for i in range(0, 540, 90)]


def arabic_paragraphs():
    words = (SEED / "arabic.txt").read_text(encoding="utf-8").split() * 20
    return [" ".join(words[i : i + 90]) for i in range(0, 540, 90)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=117, help="pages of the long text PDF")
    parser.add_argument("--scan-pages", type=int, default=3, help="pages of each scanned PDF")
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument(
        "--files", type=Path, nargs="*", default=[], help="also time these files (e.g. real scans), per page"
    )
    args = parser.parse_args()
    workdir = args.out or Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    setup_django(workdir)

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from archive.ingest import jobs
    from archive.ingest.extract import extract_file
    from archive.ingest.models import PendingUpload
    from tests.ingest.conftest import scanned_pdf, text_pdf

    figures = {}
    long_pdf = text_pdf(english_paragraphs(), pages=args.pages)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password-123")
    started = time.perf_counter()
    queued, refused = jobs.uploads_create(files=[SimpleUploadedFile("long.pdf", long_pdf)], user=user)
    figures["upload_request_s"] = round(time.perf_counter() - started, 3)
    assert not refused, refused
    read_started = time.perf_counter()
    jobs.read_queued()
    figures["read_s"] = round(time.perf_counter() - read_started, 2)
    client = Client()
    client.force_login(user)
    render_started = time.perf_counter()
    page = client.get(reverse("ingest:review", kwargs={"pk": queued[0].pk}))
    pending = PendingUpload.objects.get(pk=queued[0].pk)
    assert page.status_code == 200 and b'name="title"' in page.content, (pending.state, pending.error)
    figures["check_screen_s"] = round(time.perf_counter() - render_started, 3)
    figures["upload_to_check_s"] = round(time.perf_counter() - started, 2)
    figures["long_pdf_pages"] = pending.progress_total
    figures["long_pdf_mb"] = round(len(long_pdf) / 1048576, 2)
    print(f"long PDF, {pending.progress_total} pages, {figures['long_pdf_mb']} MB ({pending.state})")
    print(f"  upload request (check, store, queue)  {figures['upload_request_s']:8.3f} s")
    print(f"  read in the background                {figures['read_s']:8.2f} s")
    print(f"  check screen rendered                 {figures['check_screen_s']:8.3f} s")
    print(f"  upload to check screen                {figures['upload_to_check_s']:8.2f} s")

    for language, paragraphs, rtl in (
        ("en", english_paragraphs(), False),
        ("fa", persian_paragraphs(), True),
        ("ar", arabic_paragraphs(), True),
    ):
        scan = scanned_pdf(paragraphs, rtl=rtl, pages=args.scan_pages)
        started = time.perf_counter()
        draft = extract_file(scan, filename=f"scan-{language}.pdf")
        seconds = time.perf_counter() - started
        per_page = seconds / args.scan_pages
        words = len(" ".join(draft.body).split())
        figures[f"ocr_{language}_s_per_page"] = round(per_page, 2)
        print(
            f"OCR {language}: {args.scan_pages} pages in {seconds:.1f} s = {per_page:.2f} s a page "
            f"({draft.ocr_languages}, language {draft.language}, {words} words)"
        )
    for path in args.files:
        started = time.perf_counter()
        draft = extract_file(path.read_bytes(), filename=path.name)
        seconds = time.perf_counter() - started
        pages = max(draft.page_count, 1)
        figures[f"file_{path.name}_s_per_page"] = round(seconds / pages, 2)
        how = f"OCR {draft.ocr_languages}" if draft.text_from_ocr else "text layer"
        print(f"{path.name}: {pages} pages in {seconds:.1f} s = {seconds / pages:.2f} s a page ({how})")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
