"""Markdown (.md): optional front matter (`key: value` lines between `---`), then the text,
rendered to HTML with Markdown and read like a web page."""

import re

import markdown as markdown_lib

from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.formats.common import decode_text
from archive.ingest.formats.html import html_blocks, parse_html
from archive.ingest.metadata import byline_names, parse_date, read_blocks, split_keywords
from archive.ingest.repair import normalise_text

_FRONT = re.compile(r"\A---\s*\n(?P<head>.*?)\n---\s*\n", re.S)


def _front_matter(head, draft):
    for line in head.splitlines():
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key, value = key.lower(), value.strip("\"'")
        if not value:
            continue
        if key == "title":
            draft.title = value
        elif key == "subtitle":
            draft.subtitle = value
        elif key in {"author", "authors"}:
            names = byline_names(value.strip("[]")) or [n.strip() for n in value.strip("[]").split(";")]
            draft.authors = [DraftAuthor(name=name) for name in names if name]
        elif key == "affiliation" and draft.authors:
            for author in draft.authors:
                author.affiliation = value
        elif key == "date":
            draft.date = parse_date(value)
            if not draft.date:
                draft.warn(f"Could not read the date \u201c{value}\u201d in the front matter.")
        elif key in {"keywords", "tags"}:
            draft.keywords = split_keywords(value.strip("[]"))
        elif key in {"abstract", "summary"}:
            draft.abstract = value
        elif key in {"kind", "language", "doi"}:
            setattr(draft, key, value)
        elif key in {"url", "source_url"}:
            draft.source_url = value
        elif key in {"source", "publication", "journal"}:
            draft.source_name = value


def extract(data, *, filename="file.md"):
    text = normalise_text(decode_text(data, filename=filename))
    if not text.strip():
        raise ExtractionError(f"{filename} is empty.")
    draft = Draft()
    if match := _FRONT.match(text):
        _front_matter(match["head"], draft)
        text = text[match.end() :]
    rendered = markdown_lib.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    root = parse_html(f"<html><body>{rendered}</body></html>", filename=filename)
    blocks = html_blocks(root.find("body"))
    if draft.title:
        blocks = [b for b in blocks if not (b.tag == "h1" and b.text.casefold() == draft.title.casefold())]
    read_blocks(blocks, draft)
    return draft
