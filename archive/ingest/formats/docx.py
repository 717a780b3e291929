"""Word documents (.docx), read with python-docx: paragraph styles give title, subtitle and
headings; the core properties fill what the text does not say."""

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError

from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.metadata import Block, byline_names, read_blocks, split_keywords
from archive.ingest.repair import normalise_text

_GENERATED_AUTHOR = re.compile(r"^(python-docx|author|user|admin|administrator|unknown)$", re.I)


def _tag(style_name):
    name = (style_name or "").lower()
    if name == "title":
        return "title"
    if name == "subtitle":
        return "subtitle"
    if match := re.match(r"heading (\d)", name):
        return f"h{min(int(match[1]), 6)}"
    if name.startswith("list"):
        return "li"
    return "p"


def extract(data, *, filename="file.docx"):
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ExtractionError(
            f"{filename} is a damaged Word document that cannot be read ({error})."
        ) from error
    except Exception as error:  # lxml and zipfile raise many kinds on broken parts
        raise ExtractionError(
            f"{filename} is a damaged Word document that cannot be read ({error})."
        ) from error

    blocks = []
    for paragraph in document.paragraphs:
        text = normalise_text(paragraph.text)
        lines = [line for line in text.split("\n") if line.strip()]
        if lines:
            blocks.append(Block(lines=lines, tag=_tag(paragraph.style.name if paragraph.style else "")))
    if document.tables:
        blocks_warning = f"The document has {len(document.tables)} table(s); tables are not imported."
    else:
        blocks_warning = ""
    draft = Draft()
    read_blocks(blocks, draft)
    if blocks_warning:
        draft.warn(blocks_warning)

    props = document.core_properties
    if not draft.title and (props.title or "").strip():
        draft.title = props.title.strip()
        draft.warnings = [w for w in draft.warnings if not w.startswith("No title")]
    author = (props.author or "").strip()
    if not draft.authors and author and not _GENERATED_AUTHOR.match(author) and byline_names(author):
        draft.authors = [DraftAuthor(name=name) for name in byline_names(author)]
        draft.warnings = [w for w in draft.warnings if w != "No author found."]
    if not draft.keywords and (props.keywords or "").strip():
        draft.keywords = split_keywords(props.keywords)
    return draft
