"""Bad files: a clear message each, nothing created, the other files still imported."""

import io
import json
import stat
import zipfile

import pytest
from django.core.management import call_command

from archive.articles.models import Article
from archive.ingest.draft import ExtractionError
from archive.ingest.extract import extract_file
from archive.ingest.files import zip_entry_count
from archive.ingest.importer import import_paths
from tests.ingest.conftest import read, zip_bytes

pytestmark = pytest.mark.django_db


def failure(data, filename):
    with pytest.raises(ExtractionError) as caught:
        extract_file(data, filename=filename)
    return str(caught.value)


def test_empty_file():
    assert failure(b"", "empty.pdf") == "empty.pdf is empty."
    assert failure(b"  \n\n ", "blank.txt") == "blank.txt is empty."


def test_corrupt_pdf():
    data = read("wrapped.pdf")[:1500]
    message = failure(data, "broken.pdf")
    assert message.startswith("broken.pdf is a damaged PDF that cannot be read")


def test_corrupt_docx():
    message = failure(read("article.docx")[:3000], "broken.docx")
    assert message.startswith("broken.docx is a damaged ZIP file")


def test_encrypted_pdf():
    assert failure(read("encrypted.pdf"), "locked.pdf") == (
        "locked.pdf is encrypted (password-protected): save an unprotected copy and upload that."
    )


def test_encrypted_docx_is_an_ole_container():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    assert failure(data, "locked.docx") == (
        "locked.docx is an encrypted (password-protected) or old-format Word file, not a DOCX: "
        "remove the password or save it as .docx."
    )


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
            "photo.pdf",
            "photo.pdf is named .pdf but its contents are a PNG image, not a PDF.",
        ),
        (
            b"%PDF-1.4\n...",
            "paper.docx",
            "paper.docx is named .docx but its contents are a PDF, not a Word document.",
        ),
        (
            b"MZ\x90\x00" + b"\x00" * 100,
            "notes.txt",
            "notes.txt is named .txt but its contents are a program, not plain text.",
        ),
        (
            b"PK\x03\x04" + b"\x00" * 100,
            "page.html",
            "page.html is named .html but its contents are a ZIP archive, not plain text.",
        ),
    ],
)
def test_wrong_type_behind_a_right_extension(data, filename, message):
    assert failure(data, filename) == message


def test_zip_that_is_not_a_word_document():
    data = zip_bytes([("hello.txt", b"hello")])
    assert (
        failure(data, "fake.docx")
        == "fake.docx is a ZIP file but not a Word document (no word/document.xml)."
    )


def test_too_large(small_limits):
    data = b"word " * 300_000
    assert (
        failure(data, "huge.txt")
        == "huge.txt is 1.4 MB; the limit is 1.0 MB (ARCHIVE_INGEST_MAX_FILE_BYTES)."
    )


def test_pdf_decompression_bomb_stops_at_pypdf_limit(pdf_bomb, settings):
    settings.ARCHIVE_INGEST_MAX_FILE_BYTES = 20 * 1024 * 1024
    assert len(pdf_bomb) < 1024 * 1024
    assert failure(pdf_bomb, "bomb.pdf") == (
        "bomb.pdf expands beyond the allowed size when decompressed (a decompression bomb?)."
    )


def test_docx_decompression_bomb_refused_before_opening(docx_bomb, small_limits):
    assert len(docx_bomb) < 1024 * 1024
    assert failure(docx_bomb, "bomb.docx") == (
        "bomb.docx would expand to 16.0 MB when decompressed; the limit is 8.0 MB (a decompression bomb?)."
    )


def test_memory_limit_stops_the_extraction_process(settings):
    # So little address space that the child cannot even load its libraries: the import says so.
    settings.ARCHIVE_INGEST_MEMORY_BYTES = 32 * 1024 * 1024
    message = failure(read("wrapped.pdf"), "wrapped.pdf")
    assert message == (
        "Reading wrapped.pdf needed more than 32 MB of memory (ARCHIVE_INGEST_MEMORY_BYTES) and was stopped: "
        "the file is probably a decompression bomb."
    )


def test_time_limit_stops_the_extraction_process(settings):
    # No time at all: the child is stopped before it has read anything.
    settings.ARCHIVE_INGEST_SECONDS = 0
    assert failure(read("wrapped.pdf"), "wrapped.pdf") == (
        "Reading wrapped.pdf took longer than 0 s (ARCHIVE_INGEST_SECONDS); it was stopped."
    )


def test_bad_files_create_nothing_and_the_good_ones_still_import(tmp_path, small_limits, docx_bomb):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "a_empty.txt").write_bytes(b"")
    (folder / "b_photo.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (folder / "c_locked.pdf").write_bytes(read("encrypted.pdf"))
    (folder / "d_bomb.docx").write_bytes(docx_bomb)
    (folder / "e_good.docx").write_bytes(read("article.docx"))
    (folder / "f_many.zip").write_bytes(zip_bytes([(f"n{i}.txt", b"x") for i in range(25)]))
    (folder / "g_big.zip").write_bytes(zip_bytes([("big.txt", b" " * (9 * 1024 * 1024))]))
    results = import_paths([folder])
    assert [(r.source.split("/")[-1], r.status) for r in results] == [
        ("a_empty.txt", "failed"),
        ("b_photo.pdf", "failed"),
        ("c_locked.pdf", "failed"),
        ("d_bomb.docx", "failed"),
        ("e_good.docx", "created"),
        ("f_many.zip", "failed"),
        ("g_big.zip", "failed"),
    ]
    assert results[5].error == "f_many.zip holds 25 files; the limit is 20."
    assert results[6].error == (
        "g_big.zip would expand to 9.0 MB when decompressed; the limit is 8.0 MB (a decompression bomb?)."
    )
    assert list(Article.objects.values_list("title", flat=True)) == ["Oman's Quiet Mediation"]


def many_entries_zip(path, count):
    """A zip of `count` one-byte text files (stored): about 10 MB for 100,000."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"p{n}.txt", b"x")
    return path


def symlink_zip(path):
    """A zip with a real text file and a symbolic link entry pointing at /etc/passwd."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("piece.txt", "A real piece\n\nIts body, long enough to be read as one.\n")
        link = zipfile.ZipInfo("notes/passwd.txt")
        link.create_system = 3  # Unix: the mode bits in external_attr count
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


@pytest.mark.slow
def test_a_zip_of_100000_entries_is_refused_from_its_end_record(tmp_path):
    """The count comes from the end of the file, before any entry is parsed (bench/zip_refusal.py
    measures how long that takes: milliseconds, where parsing the entries took most of a second)."""
    path = many_entries_zip(tmp_path / "many.zip", 100_000)
    data = path.read_bytes()
    assert zip_entry_count(data) == 100_000
    report = import_report(path)
    assert report == [
        {
            "source": str(path),
            "status": "failed",
            "fields": {},
            "warnings": [],
            "error": "many.zip holds 100,000 files; the limit is 1,000.",
        }
    ]
    assert Article.objects.count() == 0


def test_a_zip_holding_a_symbolic_link_is_refused_and_imports_nothing(tmp_path):
    path = symlink_zip(tmp_path / "links.zip")
    report = import_report(path)
    assert [(entry["status"], entry["error"]) for entry in report] == [
        (
            "failed",
            "links.zip holds a symbolic link (notes/passwd.txt); links are not imported: "
            "zip the files themselves.",
        )
    ]
    assert Article.objects.count() == 0
    # The same refusal for a DOCX (a zip too), through the upload's reader.
    docx = zipfile.ZipFile(io.BytesIO(read("article.docx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in docx.infolist():
            archive.writestr(info, docx.read(info))
        link = zipfile.ZipInfo("word/media/image1.png")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/shadow")
    assert failure(out.getvalue(), "linked.docx") == (
        "linked.docx holds a symbolic link (word/media/image1.png); links are not imported: "
        "zip the files themselves."
    )


def import_report(path):
    out = io.StringIO()
    call_command("import_articles", str(path), "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())
