"""A reader of uploads killed halfway (its process, as a machine restart or a recycled worker
would) loses nothing: the upload is read again by the next reader. Real processes against a
scratch site (tests/hardening/scratch.py): `manage.py read_uploads`, SIGKILL, then again."""

import json
import os
import shutil
import signal
import time

import pytest

from tests.hardening.scratch import WORKER
from tests.ingest.conftest import scanned_pdf
from tests.ingest.test_ocr import ENGLISH

pytestmark = pytest.mark.slow


def uploads(site):
    return json.loads(site.manage("-m", WORKER, "uploads").stdout.strip().splitlines()[-1])


def test_a_killed_reader_loses_no_upload(scratch_site, tmp_path):
    if not shutil.which("tesseract"):
        pytest.skip("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)")
    site = scratch_site
    site.env.update({"ARCHIVE_INGEST_READER": "command", "ARCHIVE_INGEST_STALE_SECONDS": "3"})
    scan = tmp_path / "long-scan.pdf"
    scan.write_bytes(scanned_pdf(ENGLISH, pages=8))
    site.manage("-m", WORKER, "queue_upload", str(scan))
    assert [(u["filename"], u["state"]) for u in uploads(site)] == [("long-scan.pdf", "queued")]

    reader = site.spawn("read_uploads")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        (upload,) = uploads(site)
        if upload["progress_stage"] == "ocr" and upload["progress_done"] >= 1:
            break
        assert reader.poll() is None, reader.communicate()
        time.sleep(0.5)
    else:
        pytest.fail(f"the reader never got into the OCR: {uploads(site)}")
    os.kill(reader.pid, signal.SIGKILL)
    reader.wait()
    (upload,) = uploads(site)
    assert (upload["state"], upload["attempts"]) == ("reading", 1)
    assert 1 <= upload["progress_done"] < upload["progress_total"] == 8

    time.sleep(4)  # no heartbeat for longer than ARCHIVE_INGEST_STALE_SECONDS: the reader is gone
    result = site.manage("read_uploads", timeout=300)
    assert result.stdout.strip() == "read 1 upload."
    (upload,) = uploads(site)
    assert (upload["state"], upload["attempts"], upload["progress_done"], upload["progress_total"]) == (
        "ready",
        2,
        8,
        8,
    )
