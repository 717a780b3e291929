"""The original beside the check form: a PDF's pages as images, other files' text as read.

Both run in the sandbox child (archive.ingest.worker), never in the web process: rendering and
parsing an uploaded file is the same risk as extracting it. No Django here.
"""

import io

from archive.ingest.draft import ExtractionError
from archive.ingest.formats.common import decode_text

MAX_TEXT = 200_000  # characters of a text original shown beside the form
MAX_WIDTH = 1600


def original_text(data, *, fmt, filename):
    """The text of a text, Markdown, HTML or Word original as the reader saw it ("" for a PDF,
    whose pages are shown as images instead)."""
    if fmt in {"txt", "md"}:
        text = decode_text(data, filename=filename)
    elif fmt == "html":
        text = _html_text(decode_text(data, filename=filename))
    elif fmt == "docx":
        text = _docx_text(data)
    else:
        return ""
    return text[:MAX_TEXT]


def _html_text(markup):
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(markup)
    except (ValueError, TypeError):
        return markup
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    blocks = []
    for element in tree.iter(
        "title", "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td"
    ):
        text = " ".join(element.text_content().split())
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _docx_text(data):
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())


def render_pdf_page(data, *, filename, number, width):
    """Page `number` (from 1) of a PDF as a PNG `width` pixels wide."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise ExtractionError(f"{filename} cannot be rendered ({error}).") from error
    try:
        if not 1 <= number <= len(document):
            raise ExtractionError(f"{filename} has no page {number}.")
        page = document[number - 1]
        scale = min(MAX_WIDTH, max(200, width)) / page.get_width()
        image = page.render(scale=scale).to_pil()
        page.close()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
