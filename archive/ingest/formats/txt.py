"""Plain text (.txt): a web page or OCR output saved as text."""

from archive.ingest.draft import Draft
from archive.ingest.formats.common import decode_text
from archive.ingest.metadata import Block, read_blocks
from archive.ingest.repair import blocks_of_lines, normalise_text


def extract(data, *, filename=""):
    text = normalise_text(decode_text(data, filename=filename))
    draft = Draft()
    blocks = [Block(lines=lines, wrapped=True) for lines in blocks_of_lines(text)]
    return read_blocks(blocks, draft)
