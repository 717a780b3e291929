"""OCR of scanned PDFs (no text layer): pages rendered with pypdfium2, read by Debian's tesseract.

    result = read_scanned_pdf(data, filename="scan.pdf", page_count=12)
    result.pages        # one list of text lines per page, in reading order
    result.languages    # the tesseract data used, e.g. ["fas"]
    result.title_lines  # the lines at the top of page one set larger than the text (the title)

The PDF extractor calls this from its no-text branch; what comes back goes through the same
repair and reading as a text layer. Like all extraction it runs in the sandbox child
(archive.ingest.sandbox): the time limit of a scanned PDF is its page count times
`ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE`, at most `ARCHIVE_INGEST_OCR_SECONDS`.

The language follows the script: tesseract's script detection (osd) on the first page tells Latin
from Arabic script, and for Arabic script a pass with Persian and Arabic data together tells the
two apart by the letters only one of them uses (without osd data, a pass with every installed
language of the three decides); then every page is read with that language's data alone (faster
and more accurate than the combined models). Where tesseract or a language's data is missing,
`OcrUnavailable` says exactly that and how to install it.

Measured on the 2-core machine (`bench/ingest_reading.py`): see docs/ingest.md.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache

from archive.ingest.draft import ExtractionError
from archive.ingest.progress import report_progress
from archive.ingest.repair import detect_language

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fas tesseract-ocr-ara"
# ISO 639-1 (the archive's language codes) -> tesseract's traineddata names.
TESSERACT_LANGUAGES = {"en": "eng", "fa": "fas", "ar": "ara"}
LANGUAGE_NAMES = {"eng": "English", "fas": "Persian", "ara": "Arabic"}
DPI = 300  # tesseract reads body text best at 300 dpi
FIRST_PASS_DPI = 150  # enough to tell the script


class OcrUnavailable(ExtractionError):
    """Tesseract, or the data for a language, is not installed on this machine."""


@dataclass
class OcrResult:
    pages: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    language: str = ""  # the archive's code (en, fa, ar) the script pointed to
    title_lines: list = field(default_factory=list)


def tesseract_path():
    """The tesseract executable (`ARCHIVE_TESSERACT`, else the one on PATH), or None."""
    named = os.environ.get("ARCHIVE_TESSERACT")
    if named:
        return named if os.path.isfile(named) and os.access(named, os.X_OK) else None
    return shutil.which("tesseract")


@cache
def installed_languages(path):
    """The traineddata tesseract at `path` has (`tesseract --list-langs`)."""
    try:
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return frozenset()
    lines = (listed.stdout or listed.stderr).splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def check_tesseract(filename, languages=()):
    """The tesseract executable, or OcrUnavailable naming what is missing and how to install it."""
    path = tesseract_path()
    if not path:
        raise OcrUnavailable(
            f"{filename} has no text layer (a scan?) and needs OCR, but tesseract is not installed "
            f"on this server. Install it with `{INSTALL}` and upload the file again."
        )
    missing = [lang for lang in languages if lang not in installed_languages(path)]
    if missing:
        names = ", ".join(f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})" for lang in missing)
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise OcrUnavailable(
            f"{filename} needs OCR in {names}, but tesseract has no data for it on this server. "
            f"Install it with `apt-get install {packages}` (all three: `{INSTALL}`) and upload the file "
            "again."
        )
    return path


def _tesseract(path, png, languages, *, tsv=False):
    """Text of one page image (with `tsv`, tesseract's table of words and their boxes). One
    thread: on a shared 2-core machine tesseract's OpenMP threads make it slower, not faster."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    completed = subprocess.run(
        [path, "stdin", "stdout", "-l", "+".join(languages), "--psm", "3", *(["tsv"] if tsv else [])],
        input=png,
        capture_output=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError(f"OCR failed ({message[-1] if message else completed.returncode}).")
    return completed.stdout.decode("utf-8", "replace")


def render_page(document, index, *, dpi):
    """Page `index` of a pypdfium2 document as PNG bytes, in grey."""
    import io

    page = document[index]
    try:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        page.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def open_pdf(data, filename):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise ExtractionError(f"{filename} is a damaged PDF that cannot be rendered ({error}).") from error


def choose_language(text):
    """The tesseract data for the script of `text` (a first pass): eng, fas or ara."""
    return TESSERACT_LANGUAGES.get(detect_language(text, default="en"), "eng")


def _script(path, png):
    """ "Latin", "Arabic" ... from tesseract's script detection (osd data), or "" when it cannot tell."""
    completed = subprocess.run(
        [path, "stdin", "stdout", "--psm", "0", "-l", "osd"],
        input=png,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        check=False,
    )
    for line in completed.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Script:"):
            return line.partition(":")[2].strip()
    return ""


def detect_page_language(path, png, filename):
    """The tesseract data to read a scan with, from its first page: the script (osd), then, for
    Arabic script, Persian or Arabic by their own letters (a pass with both)."""
    installed = installed_languages(path)
    script = _script(path, png) if "osd" in installed else ""
    if script == "Latin":
        return "eng"
    if script == "Arabic":
        check_tesseract(filename, ["fas", "ara"])  # telling the two apart needs both
        return choose_language(_tesseract(path, png, ["fas", "ara"]))
    # No osd data, or too little text for it: a pass with every language we read.
    first_pass = [lang for lang in ("eng", "fas", "ara") if lang in installed]
    if not first_pass:
        check_tesseract(filename, ["eng"])
    return choose_language(_tesseract(path, png, first_pass))


def read_scanned_pdf(data, *, filename, page_count=None):
    """Every page of a PDF without a text layer, read by OCR (see the module docstring)."""
    path = check_tesseract(filename)
    document = open_pdf(data, filename)
    try:
        count = len(document) if page_count is None else min(page_count, len(document))
        if count == 0:
            raise ExtractionError(f"{filename} has no pages.")
        report_progress(0, count, "ocr")
        language = detect_page_language(path, render_page(document, 0, dpi=FIRST_PASS_DPI), filename)
        check_tesseract(filename, [language])
        pages, title = [], []
        for index in range(count):
            lines = _lines(_tesseract(path, render_page(document, index, dpi=DPI), [language], tsv=True))
            if index == 0:
                title = _title_lines(lines)
            pages.append([text for text, _height in lines])
            report_progress(index + 1, count, "ocr")
    finally:
        document.close()
    code = {v: k for k, v in TESSERACT_LANGUAGES.items()}[language]
    return OcrResult(pages=pages, languages=[language], language=code, title_lines=title)


def _lines(tsv):
    """[(text, height in pixels)] of a page from tesseract's TSV, in reading order, with ("", 0)
    between paragraphs (as its plain-text output has a blank line)."""
    lines, current, last_paragraph = [], {}, None
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        paragraph, line = (cells[1], cells[2], cells[3]), (cells[1], cells[2], cells[3], cells[4])
        if line not in current:
            if last_paragraph is not None and paragraph != last_paragraph:
                lines.append(("", 0))
            last_paragraph = paragraph
            current = {line: len(lines)}
            lines.append(("", 0))
        text, height = lines[current[line]]
        lines[current[line]] = (f"{text} {cells[11].strip()}".strip(), max(height, int(cells[9])))
    return lines


# A scan's title is set larger than its text: lines at the top of page one this much taller than
# the page's usual line (word boxes include ascenders, so body lines vary by about 20%).
TITLE_HEIGHT_RATIO = 1.4


def _title_lines(lines):
    """The leading lines of page one set larger than most of its lines (at most four)."""
    heights = sorted(height for text, height in lines if text)
    if len(heights) < 3:
        return []
    usual = heights[len(heights) // 2]
    title = []
    for text, height in lines:
        if not text and not title:
            continue
        if not text or height < TITLE_HEIGHT_RATIO * usual or len(title) == 4:
            break
        title.append(text)
    return title if any(ch.isalpha() for line in title for ch in line) else []
