"""Plain text (.txt): a web page, an OCR output, a memo, an RFC or an e-book saved as text.

What a plain-text file states about itself is read before its text:
- a header of `Field: value` lines (Title, Author, Date, Language, Keywords), as e-mail and
  Project Gutenberg write it; a Gutenberg book is the text between its START and END lines, and
  its body starts at the first chapter;
- an RFC-style title page: a left column (series, number, category) and a right column of
  authors, each followed by their organisation, ending with the date; then the centred title;
- a book without Gutenberg's lines: its title page (title, author, edition) up to the first
  chapter heading that a paragraph follows, then the text from that chapter;
- pages separated by form feeds (pdftotext, RFCs): running heads, footers and page numbers go.

Then the text's own labels (Abstract, Keywords), its section headings (short lines standing
alone between blank lines), and the body from the introduction after the front matter (status
notes, copyright, table of contents). Text without any of these is read by the general rules
of archive.ingest.metadata.
"""

import html
import re

from archive.ingest.dates import parse_date
from archive.ingest.draft import Draft, DraftAuthor
from archive.ingest.formats.common import decode_text
from archive.ingest.frontmatter import take_labelled
from archive.ingest.metadata import Block, byline_names, finish, read_blocks, split_keywords
from archive.ingest.repair import (
    LANGUAGES,
    blocks_of_lines,
    detect_language,
    drop_page_furniture,
    join_lines,
    normalise_text,
)

_FIELD = re.compile(r"^(?P<key>[A-Z][A-Za-z][\w \-]{0,28}):\s+(?P<value>\S.*)$")
_GUTENBERG_START = re.compile(
    r"^\*{3}\s*START OF (THE|THIS) PROJECT GUTENBERG.*$|^\*END\*\s*THE SMALL PRINT.*$", re.I | re.M
)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_CHAPTER_ONE = re.compile(r"^\s*(chapter|book|part|kapitel|chapitre)\s+(1|i|one|first)\b\.?\s*$", re.I)
# Any chapter heading, with or without its title ("CHAPTER I. Down the Rabbit-Hole").
_CHAPTER = re.compile(
    r"^\s*(chapter|book|part|kapitel|chapitre)\s+([\divxlc]+|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\b\.?(\s+\S.{0,70})?$",
    re.I,
)
_RIGHT = re.compile(r"^(?P<left>\S.*?)?\s{3,}(?P<right>\S.*\S|\S)\s*$")
_FRONT = re.compile(
    r"^(status of this memo|copyright notice|table of contents|contents|ietf trust|"
    r"requirements language|conventions used in this document)\b",
    re.I,
)
_TOC_LINE = re.compile(
    r"(\.{4,}|\s\.\s\.\s\.)\s*\d+\s*$|^\s*(chapter|part)\s+[\divxlc]+\.?\s*$|"
    # A list of contents or illustrations set without dots: "Frontispiece        iv".
    r"^\s*\S.{0,70}\S\s{8,}(\d{1,4}|[ivxlc]{1,8})\s*$",
    re.I,
)


_LANGUAGE_NAMES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "persian": "fa",
                   "arabic": "ar", "russian": "ru", "turkish": "tr", "urdu": "ur"}  # fmt: skip


def _fields(lines, draft):
    """A leading block of `Field: value` lines; returns how many lines it took."""
    taken = 0
    seen = 0
    blank = 0
    for line in lines:
        if not line.strip():
            blank += 1
            taken += 1
            if seen and blank > 1:
                break
            continue
        blank = 0
        match = _FIELD.match(line.strip())
        if not match:
            break
        seen += 1
        taken += 1
        _field(match["key"].strip().lower(), match["value"].strip(), draft)
    return taken if seen >= 2 else 0


def _field(key, value, draft):
    """One header field into the draft."""
    if key == "title" and not draft.title:
        draft.title = value
    elif key in {"author", "authors", "by", "written by"} and not draft.authors:
        names = byline_names(value) or [n.strip() for n in re.split(r";| and ", value) if n.strip()]
        draft.authors = [DraftAuthor(name=name) for name in names]
    elif key in {"date", "published", "publication date", "posting date"} and not draft.date:
        draft.date = parse_date(value.split("[")[0])
    elif key == "language":
        code = _LANGUAGE_NAMES.get(value.lower(), value.lower()[:2])
        if code in LANGUAGES:
            draft.language = code
    elif key in {"keywords", "tags", "subject"} and not draft.keywords:
        draft.keywords = split_keywords(value)


def _gutenberg(text, draft):
    """The book between Project Gutenberg's START and END lines, its header read as fields."""
    start = _GUTENBERG_START.search(text)
    if not start:
        return text, False
    # The header's fields may stand between blank lines; a "Release date" is the e-book's, not
    # the work's, and is not read as the publication date.
    for line in text[: start.start()].split("\n"):
        match = _FIELD.match(line.strip())
        if match and match["key"].strip().lower() in {"title", "author", "authors", "language"}:
            _field(match["key"].strip().lower(), match["value"].strip(), draft)
    end = _GUTENBERG_END.search(text, start.end())
    book = text[start.end() : end.start() if end else len(text)]
    lines = book.split("\n")
    if not draft.authors:
        # The book's own title page: "by Jane Austen".
        for line in lines[:80]:
            match = re.match(r"^\s*by\s+(?P<names>[A-Z].{2,80})$", line.strip(), re.I)
            if match and byline_names(match["names"].strip(" .")):
                draft.authors = [DraftAuthor(name=name) for name in byline_names(match["names"].strip(" ."))]
                break
    # The body starts at the first chapter: the last "Chapter I" heading (the others are in the
    # contents) that a paragraph follows.
    starts = [i for i, line in enumerate(lines) if _CHAPTER_ONE.match(line)]
    for i in reversed(starts):
        following = [line for line in lines[i + 1 : i + 8] if line.strip()]
        if following and not _CHAPTER_ONE.match(following[0]) and not _TOC_LINE.search(following[0]):
            return "\n".join(lines[i:]), True
    first = _first_paragraph(lines)
    if first is not None:
        return "\n".join(lines[first:]), True
    return book, True


def _runs(lines):
    """(first index, lines) of each run of non-blank lines."""
    run, start = [], 0
    for index, line in enumerate([*lines, ""]):
        if line.strip():
            if not run:
                start = index
            run.append(line)
        elif run:
            yield start, run
            run = []


def _first_paragraph(lines):
    """Where a book's text starts when no "Chapter I" says so: its first paragraph of prose (three
    or more full lines, or one long line), with the heading lines standing just before it; the
    producer's note, title page and contents before it are not the text."""
    runs = list(_runs(lines))
    for position, (start, run) in enumerate(runs):
        prose = (len(run) >= 3 and sum(len(line.strip()) for line in run) / len(run) >= 45) or (
            len(run) == 1 and len(run[0].strip()) >= 200
        )
        if not prose or any(_TOC_LINE.search(line) for line in run):
            continue
        # "ADVENTURE I. A SCANDAL IN BOHEMIA" / "I." over it are its headings.
        for before_start, before in reversed(runs[max(0, position - 2) : position]):
            if len(before) == 1 and _HEADING_LINE.match(before[0].strip()):
                start = before_start
            else:
                break
        return start
    return None


# A lone line in capitals, or a roman numeral alone: a heading of a book.
_HEADING_LINE = re.compile(r"^([IVXLC]+\.?|(?=.*[A-Z]{3})[^a-z]{3,80})$")


def _book_start(lines):
    """The line of a book's first chapter heading, when a short title page comes before it and a
    paragraph after it; None for other text."""
    for index, line in enumerate(lines[:60]):
        match = _CHAPTER.match(line)
        if not match or match[2].lower() not in {"1", "i", "one"}:
            continue
        following = [ln for ln in lines[index + 1 : index + 8] if ln.strip()]
        front = [ln for ln in lines[:index] if ln.strip()]
        if following and len(following[0]) > 40 and not _CHAPTER.match(following[0]) and 0 < len(front) <= 12:
            return index
        return None
    return None


def _title_page(lines, draft):
    """An RFC-style title page: returns the index after the centred title, or None."""
    head = []
    for index, line in enumerate(lines[:40]):
        if not line.strip():
            if head:
                break
            continue
        head.append((index, line))
    right = [
        (i, m["right"].strip(), (m["left"] or "").strip()) for i, line in head if (m := _RIGHT.match(line))
    ]
    if len(head) < 3 or len(right) < 0.6 * len(head):
        return None
    authors = []
    for _, text, _left in right:
        date = parse_date(text)
        if date:
            draft.date = date
        elif re.match(r"^([A-Z]\.\s*)+[A-Z][\w'\-]+(\s*,?\s*(Ed\.|Editor))?$", text):
            authors.append(DraftAuthor(name=re.sub(r",?\s*(Ed\.|Editor)$", "", text).strip()))
        elif authors and not authors[-1].affiliation:
            authors[-1].affiliation = text  # each author's organisation under the name
        elif byline_names(text) == [text]:
            authors.append(DraftAuthor(name=text))
    draft.authors = authors
    # The title: the next non-blank lines after the head, centred.
    end = head[-1][0] + 1
    title = []
    for index in range(end, min(end + 8, len(lines))):
        line = lines[index]
        if not line.strip():
            if title:
                return index
            continue
        if len(line) - len(line.lstrip()) < 4:
            return index if title else end
        title.append(line.strip())
        draft.title = join_lines(title)
    return end


def _blocks(text):
    """(tag, text) blocks: a lone short line at the left margin between blank lines is a heading
    where the text's paragraphs are indented (or numbered); other blocks are paragraphs."""
    raw_blocks = []
    current = []
    for line in text.split("\n"):
        if line.strip() and line.strip() != "\f":
            current.append(line.rstrip())
        elif current:
            raw_blocks.append(current)
            current = []
    if current:
        raw_blocks.append(current)
    indented = sum(1 for b in raw_blocks if b[0].startswith((" ", "\t"))) > 0.5 * len(raw_blocks)
    out = []
    for block in raw_blocks:
        first = block[0]
        lone = len(block) == 1 and len(first.strip()) <= 80 and not first.strip().endswith((".", ",", ";"))
        numbered = re.match(r"^\d{1,2}(\.\d{1,2})*\.?\s+[A-Z]", first.strip())
        heading = len(block) == 1 and _HEADING_LINE.match(first.strip())
        if heading or (
            lone and ((indented and not first.startswith((" ", "\t"))) or numbered or _CHAPTER.match(first))
        ):
            out.append(("h", " ".join(first.split())))
        elif all(_TOC_LINE.search(line) for line in block[: min(3, len(block))]):
            out.append(("toc", "\n".join(" ".join(line.split()) for line in block)))
        else:
            out.append(("p", join_lines([" ".join(line.split()) for line in block])))
    return out


def extract(data, *, filename=""):
    raw = decode_text(data, filename=filename).replace("\r\n", "\n").replace("\r", "\n")
    draft = Draft()
    raw, book = _gutenberg(raw, draft)
    lines = raw.split("\n")
    taken = 0 if book else _fields(lines, draft)
    lines = lines[taken:]
    title_end = None if book or taken else _title_page(lines, draft)
    structured = book or bool(taken) or title_end is not None
    if title_end:
        lines = lines[title_end:]
    if not structured and (start := _book_start(lines)) is not None:
        front_text = normalise_text("\n".join(lines[:start]))
        front = read_blocks([Block(lines=ls, wrapped=True) for ls in blocks_of_lines(front_text)], Draft())
        draft.title, draft.authors, draft.date = front.title, front.authors, front.date
        lines, structured = lines[start:], True
    text = "\n".join(lines)
    if "\f" in text:
        # Pages separated by form feeds (pdftotext output, RFCs): running heads and page numbers go.
        pages = [page.split("\n") for page in text.split("\f")]
        pages, dropped = drop_page_furniture(pages)
        text = "\n".join("\n".join(page) for page in pages)
        if dropped:
            draft.warn(f"Dropped {dropped} lines of page furniture (running headers, footers, page numbers).")
    if not structured:
        text = normalise_text(text)
        blocks = [Block(lines=lines, wrapped=True) for lines in blocks_of_lines(text)]
        return read_blocks(blocks, draft)

    blocks = [(tag, normalise_text(body)) for tag, body in _blocks(text)]
    blocks = _without_illustrations([(tag, body) for tag, body in blocks if tag != "toc"])
    blocks = _drop_front_sections(blocks)
    blocks = take_labelled(blocks, draft)
    draft.body = [body for _, body in blocks]
    draft.body_html = "\n".join(
        f"<h2>{html.escape(body, quote=False)}</h2>"
        if tag == "h"
        else f"<p>{html.escape(body, quote=False)}</p>"
        for tag, body in blocks
    )
    if not draft.language:
        draft.language = detect_language(" ".join([draft.title, draft.abstract, *draft.body[:40]]))
    draft.kind = draft.kind or ("paper" if draft.abstract else "commentary")
    finish(draft)
    return draft


def _without_illustrations(blocks):
    """Without "[Illustration: …]" notes (Project Gutenberg's mark for a picture), which may run
    over several blocks to their closing bracket."""
    out, inside = [], False
    for tag, body in blocks:
        if not inside and body.startswith("[Illustration"):
            inside = True
        if inside:
            inside = not body.rstrip().endswith("]")
            continue
        out.append((tag, body))
    return out


def _drop_front_sections(blocks):
    """Status notes, copyright notices and contents before the text."""
    out, skipping = [], False
    for tag, body in blocks:
        if _FRONT.match(body) and (tag == "h" or len(body) < 40):
            skipping = True
            continue
        if skipping and tag != "h":
            continue
        skipping = False
        out.append((tag, body))
    return out
