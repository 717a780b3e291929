"""What a file is, checked from its bytes: the name only says what it claims to be.

`check_file(data, filename, limits)` returns the format ("pdf", "docx", "html", "txt", "md",
"json", "csv", "zip") or raises `ExtractionError` with a sentence for the editor: empty, too
large, a type other than its extension says, an encrypted Office file, a zip bomb.
"""

import io
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from archive.ingest.draft import ExtractionError

EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".csv": "csv",
    ".zip": "zip",
}
FILE_FORMATS = {"pdf", "docx", "html", "txt", "md"}
TEXT_FORMATS = {"html", "txt", "md", "json", "csv"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024
    max_zip_entries: int = 1000
    max_zip_bytes: int = 200 * 1024 * 1024
    max_docx_bytes: int = 50 * 1024 * 1024
    memory_bytes: int = 512 * 1024 * 1024
    seconds: int = 30
    # A scan read by OCR: this much per page, at most `ocr_seconds` in all (archive.ingest.ocr).
    ocr_seconds_per_page: int = 30
    ocr_seconds: int = 1800

    @classmethod
    def from_settings(cls):
        from django.conf import settings

        return cls(
            max_file_bytes=settings.ARCHIVE_INGEST_MAX_FILE_BYTES,
            max_zip_entries=settings.ARCHIVE_INGEST_MAX_ZIP_ENTRIES,
            max_zip_bytes=settings.ARCHIVE_INGEST_MAX_ZIP_BYTES,
            max_docx_bytes=settings.ARCHIVE_INGEST_MAX_DOCX_BYTES,
            memory_bytes=settings.ARCHIVE_INGEST_MEMORY_BYTES,
            seconds=settings.ARCHIVE_INGEST_SECONDS,
            ocr_seconds_per_page=settings.ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE,
            ocr_seconds=settings.ARCHIVE_INGEST_OCR_SECONDS,
        )


def _mb(n):
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def sniff(data):
    """The format the bytes are, as far as magic numbers tell."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(_OLE):
        return "ole"
    for magic, kind in ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
                        (b"\x1f\x8b", "gzip"), (b"Rar!", "rar"), (b"7z\xbc\xaf", "7z"),
                        (b"{\\rtf", "rtf"), (b"\x7fELF", "executable"), (b"MZ", "executable")):  # fmt: skip
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


_NAMES = {
    "pdf": "a PDF",
    "zip": "a ZIP archive",
    "ole": "an old-style or encrypted Office file",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "gzip": "a gzip archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "rtf": "an RTF document",
    "executable": "a program",
    "binary": "binary data",
    "text": "plain text",
}


_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")  # PK\5\6 ... entries, directory size, offset
_ZIP64_END_OF_DIRECTORY = struct.Struct("<4sQ2H2L4Q")  # PK\6\6 ... entries, directory size, offset
_ZIP64_LOCATOR_SIZE = 20


def zip_entry_count(data):
    """How many entries the zip holds, from its end records and central directory only (no entry
    is parsed): the larger of the count the end record declares (the zip64 one past 65,535) and
    the central-directory headers found before it. None when there is no end record."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - _END_OF_DIRECTORY.size - 65535))
    if end < 0 or end + _END_OF_DIRECTORY.size > len(data):
        return None
    declared, directory_size = _END_OF_DIRECTORY.unpack_from(data, end)[4:6]
    directory_end = end
    zip64 = end - _ZIP64_LOCATOR_SIZE - _ZIP64_END_OF_DIRECTORY.size
    if zip64 >= 0 and data.startswith(b"PK\x06\x06", zip64):
        fields = _ZIP64_END_OF_DIRECTORY.unpack_from(data, zip64)
        declared, directory_size, directory_end = max(declared, fields[7]), fields[8], zip64
    start = max(0, directory_end - directory_size)
    return max(declared, data.count(b"PK\x01\x02", start, directory_end))


def check_zip(data, *, filename, limits, max_total=None):
    """Entry count and total declared size checked before anything is decompressed.

    The entry count is read from the end of the file before zipfile parses any entry, so a zip of
    100,000 tiny files is refused at once. zipfile stops each entry at its declared size and
    checks its CRC, so the declared sizes bound what reading can produce. A zip holding a symbolic
    link is refused: a link is not a piece, and unpacked elsewhere it would point outside."""
    max_total = max_total or limits.max_zip_bytes
    count = zip_entry_count(data)
    if count is not None and count > limits.max_zip_entries:
        raise ExtractionError(f"{filename} holds {count:,} files; the limit is {limits.max_zip_entries:,}.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ExtractionError(f"{filename} is a damaged ZIP file ({error}).") from error
    if len(infos) > limits.max_zip_entries:
        raise ExtractionError(
            f"{filename} holds {len(infos):,} files; the limit is {limits.max_zip_entries:,}."
        )
    total = sum(info.file_size for info in infos)
    if total > max_total:
        raise ExtractionError(
            f"{filename} would expand to {_mb(total)} when decompressed; the limit is {_mb(max_total)} "
            "(a decompression bomb?)."
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise ExtractionError(f"{filename} is encrypted (password-protected).")
    links = [info.filename for info in infos if stat.S_ISLNK(info.external_attr >> 16)]
    if links:
        more = f" and {len(links) - 1} more" if len(links) > 1 else ""
        raise ExtractionError(
            f"{filename} holds a symbolic link ({links[0]}{more}); links are not imported: "
            "zip the files themselves."
        )
    return archive


def check_file(data, filename, limits):
    """The format of `data`, or ExtractionError saying why it cannot be imported."""
    suffix = PurePath(filename).suffix.lower()
    claimed = EXTENSIONS.get(suffix)
    if claimed is None:
        known = ", ".join(sorted(set(EXTENSIONS)))
        raise ExtractionError(
            f"{filename}: files of type “{suffix or 'none'}” are not imported (known: {known})."
        )
    if len(data) == 0:
        raise ExtractionError(f"{filename} is empty.")
    if len(data) > limits.max_file_bytes:
        raise ExtractionError(
            f"{filename} is {_mb(len(data))}; the limit is {_mb(limits.max_file_bytes)} "
            "(ARCHIVE_INGEST_MAX_FILE_BYTES)."
        )
    actual = sniff(data)
    if claimed == "docx" and actual == "ole":
        raise ExtractionError(
            f"{filename} is an encrypted (password-protected) or old-format Word file, not a DOCX: "
            "remove the password or save it as .docx."
        )
    expected = {"pdf": "pdf", "docx": "zip", "zip": "zip"}.get(claimed, "text")
    if actual != expected:
        raise ExtractionError(
            f"{filename} is named {suffix} but its contents are {_NAMES.get(actual, actual)}, not "
            f"{_NAMES.get(expected, expected) if claimed not in {'docx'} else 'a Word document'}."
        )
    if claimed == "docx":
        archive = check_zip(data, filename=filename, limits=limits, max_total=limits.max_docx_bytes)
        if "word/document.xml" not in archive.namelist():
            raise ExtractionError(f"{filename} is a ZIP file but not a Word document (no word/document.xml).")
    if claimed in TEXT_FORMATS and not data.strip():
        raise ExtractionError(f"{filename} is empty.")
    return claimed
