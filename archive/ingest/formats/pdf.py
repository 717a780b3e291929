"""PDF: the text layer, read with pypdf.

pypdf is maintained, BSD-licensed, pure Python, and caps what each stream may decompress to
(`pypdf.Configuration`), so a small PDF that inflates to gigabytes fails fast instead of eating
memory. (pdfminer.six decompresses without a limit and had CVE-2025-64512, code execution through
pickled CMaps.) Extraction still runs in the sandbox subprocess (archive.ingest.sandbox). A PDF without a text
layer (a scan) is read by OCR (archive.ingest.ocr).
"""

import io
import re

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

from archive.ingest import ocr
from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.metadata import Block, byline_names, parse_date, read_blocks, split_keywords
from archive.ingest.progress import report_progress
from archive.ingest.repair import blocks_of_lines, drop_page_furniture, normalise_text

MAX_PAGES = 2000
_JUNK_TITLE = re.compile(r"^(microsoft word|untitled|document\d*|\S+\.(docx?|pdf|odt|rtf|tex)$)", re.I)


def _reader(data, filename):
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise FileNotDecryptedError("password")
            except (FileNotDecryptedError, DependencyError, NotImplementedError) as error:
                raise ExtractionError(
                    f"{filename} is encrypted (password-protected): save an unprotected copy and upload that."
                ) from error
        return reader, len(reader.pages)
    except LimitReachedError as error:
        raise ExtractionError(
            f"{filename} expands beyond the allowed size when decompressed (a decompression bomb?)."
        ) from error
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise ExtractionError(f"{filename} is a damaged PDF that cannot be read ({error}).") from error


def extract(data, *, filename="file.pdf"):
    reader, page_count = _reader(data, filename)
    if page_count > MAX_PAGES:
        raise ExtractionError(f"{filename} has {page_count} pages; the limit is {MAX_PAGES}.")
    pages = []
    try:
        for number, page in enumerate(reader.pages, 1):
            pages.append(normalise_text(page.extract_text() or "").split("\n"))
            report_progress(number, page_count, "text")
        info = reader.metadata or {}
    except LimitReachedError as error:
        raise ExtractionError(
            f"{filename} expands beyond the allowed size when decompressed (a decompression bomb?)."
        ) from error
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise ExtractionError(f"{filename} is a damaged PDF that cannot be read ({error}).") from error

    draft = Draft(page_count=page_count)
    if not any(line.strip() for page in pages for line in page):
        # No text layer (a scan): read the page images (archive.ingest.ocr).
        scan = ocr.read_scanned_pdf(data, filename=filename, page_count=page_count)
        pages = [normalise_text("\n".join(lines)).split("\n") for lines in scan.pages]
        draft.text_from_ocr, draft.ocr_languages, draft.language = True, scan.languages, scan.language
        draft.warn(f"The text was read by OCR ({', '.join(scan.languages)}): check it against the original.")
    pages, dropped = drop_page_furniture(pages)
    if dropped:
        draft.warn(f"Dropped {dropped} lines of page furniture (running headers, footers, page numbers).")
    text = "\n".join("\n".join(page) for page in pages)
    if not text.strip():
        raise ExtractionError(f"{filename} has no text: not in a text layer, and none that OCR could read.")
    # pypdf gives no blank lines between paragraphs: blocks come from labels and short lines.
    blocks = [Block(lines=lines, wrapped=True) for lines in blocks_of_lines(text)]

    title = str(info.get("/Title") or "").strip()
    if title and not _JUNK_TITLE.match(title):
        draft.title = title
    read_blocks(blocks, draft)
    author = str(info.get("/Author") or "").strip()
    if not draft.authors and author and byline_names(author):
        draft.authors = [DraftAuthor(name=name) for name in byline_names(author)]
        draft.warnings = [w for w in draft.warnings if w != "No author found."]
    keywords = str(info.get("/Keywords") or "").strip()
    if not draft.keywords and keywords:
        draft.keywords = split_keywords(keywords)
    if not draft.date and info.get("/CreationDate"):
        # The file's creation date is a hint, not the publication date: say so.
        raw = str(info.get("/CreationDate"))
        match = re.match(r"D:(\d{4})(\d{2})(\d{2})", raw)
        if match and parse_date(f"{match[1]}-{match[2]}-{match[3]}"):
            draft.warn(
                f"The PDF was created on {match[1]}-{match[2]}-{match[3]}; check the publication date."
            )
    return draft
