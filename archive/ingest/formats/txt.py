"""Plain text (.txt): a web page or OCR output saved as text."""

from archive.ingest.draft import Draft
from archive.ingest.formats.common import decode_text
from archive.ingest.metadata import Block, read_blocks
from archive.ingest.repair import blocks_of_lines, drop_page_furniture, normalise_text


def extract(data, *, filename=""):
    text = normalise_text(decode_text(data, filename=filename))
    draft = Draft()
    if "\f" in text:
        # Pages separated by form feeds (pdftotext output): running headers and page numbers go.
        pages = [page.split("\n") for page in text.split("\f")]
        pages, dropped = drop_page_furniture(pages)
        text = "\n".join("\n".join(page) for page in pages)
        if dropped:
            draft.warn(f"Dropped {dropped} lines of page furniture (running headers, footers, page numbers).")
    blocks = [Block(lines=lines, wrapped=True) for lines in blocks_of_lines(text)]
    return read_blocks(blocks, draft)
