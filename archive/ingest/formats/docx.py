"""Word documents (.docx), read with python-docx.

Paragraph styles give title, subtitle and headings; the runs set as superscript are the marks
of a byline ("Frederik Aust¹", "¹ University of Cologne"). The title page of a manuscript is
read the way the PDF reader reads page one (archive.ingest.frontmatter): the byline under the
title split into people, the affiliation paragraphs matched to them by their marks, the notes
before the abstract (author note, correspondence, word count) left out, abstract and keywords
from their labels, and the body from the introduction or the first heading after the abstract.
The core properties (title, author, keywords, created) fill what the text does not say.
"""

import html
import io
import re
import zipfile
from dataclasses import dataclass

import docx
from docx.opc.exceptions import PackageNotFoundError

from archive.ingest.dates import parse_date
from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.frontmatter import (
    ABSTRACT_LABEL,
    AFFILIATION_WORDS,
    KEYWORDS_LABEL,
    MARK_CHARS,
    NOT_AFFILIATION,
    Joined,
    affiliations_of,
    assign_affiliations,
    byline_of,
    take_labelled,
)
from archive.ingest.metadata import byline_names, finish, split_keywords
from archive.ingest.pdf_layout import SUP_END, SUP_START
from archive.ingest.repair import detect_language, normalise_text

_GENERATED_AUTHOR = re.compile(
    r"^(python-docx|author|user|admin|administrator|unknown|owner|microsoft.*)$", re.I
)
_LABEL_LINE = re.compile(r"^[A-Z][\w ()/-]{2,40}:(\s|$)")
_NOTE_HEADING = re.compile(
    r"^(author'?s?'? notes?|author summary|meta|highlights|significance|word count)\b", re.I
)


@dataclass
class _Para:
    text: str
    marked: str
    tag: str  # title, subtitle, h1..h6, li, p
    rtl: bool = False
    raw: str = ""  # the text as written, its wide gaps kept
    style: str = ""  # the paragraph style's name, lower case


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


def _marked(paragraph):
    parts = []
    for run in paragraph.runs:
        text = run.text
        if not text:
            continue
        if run.font.superscript:
            parts.append(f"{SUP_START}{text}{SUP_END}")
        else:
            parts.append(text)
    return normalise_text("".join(parts) or paragraph.text)


def _paragraphs(document):
    out = []
    for paragraph in document.paragraphs:
        text = " ".join(normalise_text(paragraph.text).split())
        if not text:
            continue
        marked = " ".join(_marked(paragraph).split(" "))
        rtl = sum("\u0600" <= ch <= "\u06ff" for ch in text) > len(text) / 3
        style = paragraph.style.name if paragraph.style is not None else ""
        para = _Para(text=text, marked=marked.strip(), tag=_tag(style), rtl=rtl, raw=paragraph.text)
        para.style = (style or "").lower()
        out.append(para)
    return out


def _norm(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text).casefold().split())


def _title_index(paras, props_title):
    """Where the title is: a Title-styled paragraph, the paragraph the /Title property names, or
    the first paragraph when it reads like one."""
    for i, para in enumerate(paras[:8]):
        if para.tag == "title":
            return i
    wanted = _norm(props_title or "")
    if wanted:
        for i, para in enumerate(paras[:8]):
            if _norm(para.text) == wanted:
                return i
    # A section label ("Abstract", "Introduction") opening the text is no title: the document then
    # states its title only in its properties.
    first = paras[0] if paras else None
    if (
        first
        and len(first.text) <= 250
        and not first.text.endswith(".")
        and not _SECTION_LABEL.match(first.text)
    ):
        return 0
    return None


_SECTION_LABEL = re.compile(
    r"^(abstract|summary|introduction|background|keywords?|contents|table of contents)\s*:?$", re.I
)
_AUTHORS_HEADING = re.compile(r"^(authors?|author information|autoren|auteurs)$", re.I)
_ORCID = re.compile(r"\b\d{4}-\d{4}-\d{4}-\d{3}[\dX]\b")
_GENERATED_ON = re.compile(r"\b(generated|compiled|built|rendered|updated)\b.*\bon\b", re.I)


def _authors_section(paras, start, draft):
    """An "Authors" heading over one paragraph per person: name, ORCID iD, account handles (one
    word each) and affiliations, gaps between them, then "· Funded by ..." (as Manubot writes a
    manuscript). The notes before the heading ("This manuscript was automatically generated ...
    on November 30, 2021.") give the date and are not the body. Returns where the section ends,
    or None when there is no such section."""
    heading = next(
        (i for i in range(start, min(start + 4, len(paras)))
         if paras[i].tag.startswith("h") and _AUTHORS_HEADING.match(paras[i].text)),
        None,
    )  # fmt: skip
    if heading is None:
        return None
    authors, end = [], heading + 1
    while end < len(paras) and not paras[end].tag.startswith("h") and _ORCID.search(paras[end].raw):
        parts = [" ".join(p.split()).strip(" \u00b7") for p in re.split(r"\s{2,}", paras[end].raw.strip())]
        parts = [p for p in parts if p]
        words = [p for p in parts[1:] if " " in p and not _ORCID.fullmatch(p)]
        affiliation = words[-1] if words else ""
        affiliation = re.split(r"\s+\u00b7\s+(?=funded by|supported by)", affiliation, flags=re.I)[0]
        # The name without its marks ("Pedro Braga \u2709\u2020": correspondence, equal contribution).
        name = re.sub(r"[\s" + re.escape(MARK_CHARS) + r"]+$", "", parts[0])
        authors.append(DraftAuthor(name=name, affiliation=affiliation.strip()))
        end += 1
    if not authors:
        return None
    draft.authors = authors
    for para in paras[start:heading]:
        if _GENERATED_ON.search(para.text) and len(para.text) < 300:
            draft.date = draft.date or parse_date(para.text.split(" on ", 1)[-1])
    return end


def _front(paras, start, draft):
    """The byline and affiliation paragraphs after the title; returns where they end."""
    names, i = [], start
    # Up to five byline paragraphs, or any number in an author style, one person each ("Author").
    while i < len(paras) and (i < start + 5 or (names and "author" in paras[i].style)):
        para = paras[i]
        if _LABEL_LINE.match(para.text) and not names and not byline_of(para):
            i += 1  # "Short Title: ..." before the byline
            continue
        found = byline_of(para)
        if not found:
            break
        names.extend(found)
        i += 1
    if not names:
        return start
    block = []
    while i < len(paras) and len(block) < 16:
        para = paras[i]
        if para.tag.startswith("h") or ABSTRACT_LABEL.match(para.text) or KEYWORDS_LABEL.match(para.text):
            break
        if _NOTE_HEADING.match(para.text):
            break
        date = parse_date(para.text) if len(para.text) <= 60 else None
        if date:
            draft.date = draft.date or date
            i += 1
            continue
        marked = para.marked.startswith(SUP_START) or re.match(r"^\d{1,2}\s*\S", para.text)
        short = len(para.text) < 200 and not para.text.endswith(".")  # an address line
        if not (marked or short or AFFILIATION_WORDS.search(para.text) or NOT_AFFILIATION.search(para.text)):
            break
        block.append(para)
        i += 1
    draft.authors = assign_affiliations(names, affiliations_of(block))
    return i


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

    props = document.core_properties
    paras = _paragraphs(document)
    draft = Draft()
    title_at = _title_index(paras, props.title)
    start = 0
    if title_at is not None:
        draft.title = paras[title_at].text
        start = title_at + 1
        if start < len(paras) and paras[start].tag == "subtitle":
            draft.subtitle = paras[start].text
            start += 1
    body_from = _authors_section(paras, start, draft)
    if body_from is None:
        body_from = _front(paras, start, draft)
    rest = paras[body_from:]
    # The notes of a title page (author note, correspondence, word count) when an abstract follows.
    blocks = [
        ("h" if p.tag.startswith("h") or p.tag in {"title", "subtitle"} else p.tag, p.text) for p in rest
    ]
    blocks = take_labelled(blocks, draft, front_before_abstract=True)
    blocks = _drop_title_page_lines(blocks, draft)

    if document.tables:
        draft.warn(f"The document has {len(document.tables)} table(s); tables are not imported.")
    if not draft.title and (props.title or "").strip():
        draft.title = props.title.strip()
    author = (props.author or "").strip()
    if not draft.authors and author and not _GENERATED_AUTHOR.match(author):
        draft.authors = [DraftAuthor(name=name) for name in _property_names(author)]
    if not draft.keywords and (props.keywords or "").strip():
        draft.keywords = split_keywords(props.keywords)
    if not draft.date:
        draft.date = _date_paragraph(paras[: max(body_from, 1) + 6])

    draft.body = [text for _, text in blocks]
    draft.body_html = "\n".join(_html(tag, text) for tag, text in blocks)
    draft.language = detect_language(" ".join([draft.title, draft.abstract, *draft.body[:40]]))
    draft.kind = "paper" if draft.abstract and draft.keywords else "commentary"
    finish(draft)
    return draft


def _property_names(author):
    """The people the author property names: a plain list ("A; B"), or a byline as typed on a title
    page, with marks and degrees ("Aaron Conway PhD1,2,3,✉, and Katina Corones-Watkins PhD4")."""
    names = byline_names(author)
    if names:
        return names
    return [name for name, _ in byline_of(Joined(author))]


def _drop_title_page_lines(blocks, draft):
    """Leading "Word count: ..."-style label lines and the title repeated over the text."""
    title = _norm(draft.title)
    out = list(blocks)
    while out and (
        (_LABEL_LINE.match(out[0][1]) and len(out[0][1]) < 80)
        or (title and _norm(out[0][1]) == title)
        or _NOTE_HEADING.match(out[0][1])
    ):
        if _NOTE_HEADING.match(out[0][1]) and out[0][0] == "h":
            out.pop(0)
            while out and out[0][0] != "h":
                out.pop(0)
            continue
        out.pop(0)
    return out


def _date_paragraph(paras):
    """A date written as a paragraph of its own on the title page ("Date: July 28, 2014")."""
    for para in paras:
        if len(para.text) <= 60:
            date = parse_date(para.text)
            if date:
                return date
    return None


def _html(tag, text):
    escaped = html.escape(text, quote=False)
    if tag == "h":
        return f"<h2>{escaped}</h2>"
    if tag.startswith("h"):
        return f"<{tag}>{escaped}</{tag}>"
    return f"<p>{escaped}</p>"
