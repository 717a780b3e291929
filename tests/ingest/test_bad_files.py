"""Bad files: a clear message each, nothing created, the other files still imported."""

import pytest

from archive.articles.models import Article
from archive.ingest.draft import ExtractionError
from archive.ingest.extract import extract_file
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
