"""Metadata heuristics: from the blocks of a document to the fields of a draft.

Every format turns its file into `Block`s (a paragraph's lines, a tag hint, and HTML when the
source had markup); `read_blocks` then finds, in this order:
1. site footers (trailing lines in another script, copyright lines),
2. the header: title (and a subtitle under it), a date line, the byline ("By A, B and C") and
   the affiliation line(s) under it, stopping at the first line that reads like body text,
3. labelled sections anywhere: "Abstract"/"Summary", "Keywords"/"Key words"/"Key Words" (commas
   or semicolons), "More by <author>:" lists of other titles,
4. the rest is the body, hard-wrapped lines joined into paragraphs.
"""

import html
import re
from dataclasses import dataclass, field

from archive.ingest.draft import DraftAuthor
from archive.ingest.repair import detect_language, join_lines, script_of, split_wrapped


@dataclass
class Block:
    lines: list[str]
    tag: str = "p"  # p, title, subtitle, h1..h6, li, blockquote, pre
    html: str = ""  # the block's own HTML when the source had markup
    wrapped: bool = False  # lines are hard-wrapped (text from PDF, TXT): join into paragraphs
    meta: dict = field(default_factory=dict)

    @property
    def text(self):
        return join_lines(self.lines)

    def paragraphs(self):
        if "paragraphs" in self.meta:
            return list(self.meta["paragraphs"])
        return split_wrapped(self.lines) if self.wrapped else [self.text]

    def to_html(self):
        if self.html:
            return self.html
        if self.tag in {"h1", "title"}:
            return f"<h2>{html.escape(self.text, quote=False)}</h2>"
        if self.tag in {"h2", "h3", "h4", "h5", "h6"}:
            return f"<{self.tag}>{html.escape(self.text, quote=False)}</{self.tag}>"
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.paragraphs())


# --- Dates ----------------------------------------------------------------------------------

# A date standing alone on a line, in the forms real files use (archive.ingest.dates).
from archive.ingest.dates import parse_date  # noqa: E402

# --- Names ----------------------------------------------------------------------------------

NAME_PARTICLES = {
    "al", "el", "bin", "ibn", "bint", "abu", "van", "von", "der", "den", "de", "del", "della", "da",
    "di", "du", "la", "le", "dos", "das", "y", "ter", "ten", "st", "mc", "mac",
}  # fmt: skip

# Councils, teams and editorial staff: an organisation is no author, wherever a byline, a tag or
# front matter offers it as one ("the Leadership Council", "Editorial Team"). Words that are also
# surnames ("Press", "Board") are left to the formats that know their context.
_ORGANISATION = re.compile(
    r"^the\s|\b(council|committee|foundation|society|association|community|team|staff|editorial|"
    r"editors|newsroom|agency|agencies|redaktion|rédaction)\b",
    re.I,
)


def is_organisation(name):
    """True where a name offered as an author's is an organisation's, an outlet's or a role's."""
    return bool(_ORGANISATION.search(name))


_NOT_NAME_WORDS = {
    "university", "institute", "candidate", "phd", "ph.d.", "professor", "department", "center",
    "centre", "school", "college", "expert", "researcher", "fellow", "analyst", "editor", "director",
    "issues", "studies", "journal", "volume", "abstract", "introduction", "press", "news", "the",
    "keywords", "summary", "contents", "chapter", "section", "page", "report", "review", "ministry",
}  # fmt: skip
_BYLINE = re.compile(r"^(?:by|written by|authors?\s*:|author\s*:)\s*", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\u0648\s)\s*")
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'\u2019.\-]*|[A-Z]\.)$")


# An honorific before a name ("Dr C. Bonan", "Prof. Jane Roe") is no part of it.
_HONORIFIC = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame)\.?\s+(?=\S+\s)", re.I)


def split_author_names(text):
    text = _BYLINE.sub("", " ".join(text.split()))
    parts = (part.strip(" .") for part in _NAME_SPLIT.split(text))
    return [_HONORIFIC.sub("", part) for part in parts if part]


def _is_name(part):
    tokens = part.split()
    if not 1 <= len(tokens) <= 5 or len(part) > 60 or re.search(r"\d", part):
        return False
    if script_of(part) == "arabic":
        return 2 <= len(tokens) <= 5 and not re.search(r"[:\u061f?!.()]", part)
    if len(tokens) < 2:
        return False
    for token in tokens:
        bare = token.lower().strip(".")
        if bare in _NOT_NAME_WORDS:
            return False
        if bare in NAME_PARTICLES or re.match(r"^(al|el)-", bare):
            continue
        if not _NAME_TOKEN.match(token):
            return False
    return True


# "By A and B / Yomiuri Shimbun Staff Writers", "Jane Doe / AP": the writers' role or outlet
# after a slash is no part of the names.
_BYLINE_ROLE = re.compile(r"\s+/\s+[^/]+$")


def byline_names(line):
    """The author names on a byline ("By A, B and C"), or [] when the line is not a byline."""
    if len(line) > 200 or line.endswith((":", "?")):
        return []
    names = split_author_names(line)
    if names and all(_is_name(name) for name in names):
        return names
    if _BYLINE_ROLE.search(line):
        return byline_names(_BYLINE_ROLE.sub("", line))
    return []


_AFFILIATION_WORDS = re.compile(
    r"\b(universit\w*|institut\w*|candidate|ph\.?d|professor|department|cent(er|re)|school|college|"
    r"expert|researcher|fellow|analyst|editor|director|lecturer|student|journalist|faculty|"
    r"foundation|council|ministry|ambassador|diplomat|scholar|author of)\b",
    re.I,
)


# --- Labels ---------------------------------------------------------------------------------

_KEYWORDS = re.compile(
    r"^(?:key\s*-?\s*words?|index\s+terms|tags)\s*[:\uff1a.\-\u2013\u2014]\s*(?P<rest>.*)$", re.I
)
_ABSTRACT = re.compile(r"^(?:abstract|summary)\s*(?:[:.\-\u2013\u2014]\s*(?P<rest>.*))?$", re.I)
_MORE_BY = re.compile(r"^more\s+(?:by|from)\s+(?P<who>.+?)\s*:?\s*$", re.I)
_FOOTER = re.compile(
    r"(\u00a9|\bcopyright\b|all rights reserved|^share (this|on)\b|^print this|^follow us|^subscribe\b|"
    r"^back to top$|^related (articles|posts)\s*:?$)",
    re.I,
)
_LABEL = re.compile(r"^(?:abstract|summary|introduction|keywords?|key words?|contents)\b\s*:?", re.I)
_BULLET = re.compile(r"^[*\u2022\u25aa\u25cf\-\u2013]\s*")


def split_keywords(text):
    text = " ".join(text.split()).strip(" .;,")
    separator = ";" if ";" in text else ","
    keywords, seen = [], set()
    for item in text.split(separator):
        item = item.strip(" .;,\u00a0")
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            keywords.append(item)
    return keywords


def _title_like(line):
    words = line.split()
    return (
        3 <= len(line) <= 250
        and len(words) <= 30
        and not line.endswith((".", ",", ";"))
        and not line[0].islower()
        and not _LABEL.match(line)
        and parse_date(line) is None
    )


def _body_like(line):
    return len(line) > 250 or (len(line.split()) >= 14 and line.endswith((".", "!", "?", "\u201d", '"')))


# --- The reader -----------------------------------------------------------------------------


def _drop_footers(blocks, draft):
    """Trailing blocks in another script than the document's, and copyright-style lines."""
    main = script_of(" ".join(b.text for b in blocks))
    while blocks:
        last = blocks[-1]
        text = last.text
        other_script = main and script_of(text) not in {main, ""} and len(text) < 300
        if other_script or (_FOOTER.search(text) and len(text) < 300):
            draft.warn(f"Dropped a site footer: \u201c{text[:80]}\u201d.")
            blocks = blocks[:-1]
        else:
            break
    return blocks


_SECTION_HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


def _take_header(blocks, draft):
    """Title, subtitle, date, authors and affiliations from the leading lines."""
    names, affiliations = [], []
    author_block = None
    taken = 0  # lines consumed
    for bi, block in enumerate(blocks):
        for li, line in enumerate(block.lines):
            if taken >= 10:
                return blocks[bi:] if li == 0 else _rest(blocks, bi, li)
            if block.tag in {"title", "h1"} and not draft.title:
                draft.title = join_lines(block.lines)
                taken += len(block.lines)
                break
            if block.tag == "subtitle" and draft.title and not draft.subtitle:
                draft.subtitle = join_lines(block.lines)
                taken += len(block.lines)
                break
            if _LABEL.match(line) or _MORE_BY.match(line) or _body_like(line):
                _finish_authors(draft, names, affiliations)
                return _rest(blocks, bi, li)
            date = parse_date(line)
            if date:
                draft.date = draft.date or date
            elif not draft.title and not names and _title_like(line):
                draft.title = line
            elif (
                draft.title
                and not draft.subtitle
                and not names
                and li == 1
                and bi == _block_of_title(blocks, draft)
                and _title_like(line)
                and not byline_names(line)
            ):
                draft.subtitle = line
            elif (
                not names
                and block.tag not in _SECTION_HEADINGS  # a heading ("R-Ladies Global") names no author
                and byline_names(line)
                and (draft.title or _BYLINE.match(line))
            ):
                names = byline_names(line)
                author_block = bi
            elif names and not draft.date and parse_date(line):
                draft.date = parse_date(line)
            elif names and len(line) <= 300 and (bi == author_block or _AFFILIATION_WORDS.search(line)):
                affiliations.append(line.rstrip(" ."))
            else:
                _finish_authors(draft, names, affiliations)
                return _rest(blocks, bi, li)
            taken += 1
    _finish_authors(draft, names, affiliations)
    return []


def _block_of_title(blocks, draft):
    for bi, block in enumerate(blocks):
        if block.lines and block.lines[0] == draft.title:
            return bi
    return -1


def _rest(blocks, bi, li):
    if li == 0:
        return blocks[bi:]
    block = blocks[bi]
    tail = Block(lines=block.lines[li:], tag=block.tag, wrapped=block.wrapped)
    return [tail, *blocks[bi + 1 :]]


def _finish_authors(draft, names, affiliations):
    if draft.authors or not names:
        return
    if len(affiliations) == len(names):
        pairs = zip(names, affiliations, strict=True)
    elif len(affiliations) == 1:
        pairs = ((name, affiliations[0]) for name in names)
    else:
        if affiliations:
            draft.warn(
                f"Found {len(affiliations)} affiliation lines for {len(names)} authors; "
                "check who belongs where."
            )
        pairs = ((name, affiliations[i] if i < len(affiliations) else "") for i, name in enumerate(names))
    draft.authors = [DraftAuthor(name=name, affiliation=affiliation) for name, affiliation in pairs]


def _take_sections(blocks, draft):
    """Abstract, keywords and "More by" lists, wherever they are."""
    body = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        first = block.lines[0] if block.lines else ""
        if match := _KEYWORDS.match(first):
            text = join_lines([match["rest"], *block.lines[1:]])
            if not text and i + 1 < len(blocks):
                i += 1
                text = blocks[i].text
            if not draft.keywords:
                draft.keywords = split_keywords(text)
        elif (match := _ABSTRACT.match(first)) and not draft.abstract:
            if match["rest"]:
                lines = [match["rest"], *block.lines[1:]]
                draft.abstract = "\n\n".join(split_wrapped(lines) if block.wrapped else [join_lines(lines)])
            elif i + 1 < len(blocks):
                i += 1
                paragraphs = blocks[i].paragraphs()
                if blocks[i].meta.get("split") and len(paragraphs) > 1:
                    # Without blank lines the abstract's end is its first paragraph's end.
                    body.append(
                        Block(
                            lines=[],
                            html="\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs[1:]),
                            meta={"paragraphs": paragraphs[1:]},
                        )
                    )
                    paragraphs = paragraphs[:1]
                draft.abstract = "\n\n".join(paragraphs)
        elif match := _MORE_BY.match(first):
            titles = list(block.lines[1:])
            while (
                i + 1 < len(blocks)
                and len(blocks[i + 1].text) < 300
                and not _KEYWORDS.match(blocks[i + 1].lines[0])
            ):
                i += 1
                titles.extend(blocks[i].lines if not blocks[i].wrapped else [blocks[i].text])
            for title in titles:
                title = _BULLET.sub("", title).strip().rstrip(":").strip()
                if title:
                    draft.related_titles.append(title)
        else:
            body.append(block)
        i += 1
    return body


def _is_label_line(line):
    match = _ABSTRACT.match(line)
    return bool(_KEYWORDS.match(line) or _MORE_BY.match(line) or (match and len(line) < 200))


def _split_at_labels(blocks):
    """Hard-wrapped text often has no blank lines (PDF): labelled lines start blocks of their own,
    a keywords line keeps only its continuation lines, and a lone "Abstract" stands alone."""
    out = []
    for block in blocks:
        if not block.wrapped:
            out.append(block)
            continue
        current = []
        lines = block.lines
        i = 0
        while i < len(lines):
            line = lines[i]
            if _is_label_line(line) and current:
                out.append(Block(lines=current, tag=block.tag, wrapped=True, meta={"split": True}))
                current = []
            if _KEYWORDS.match(line):
                keyword_lines = [line]
                while i + 1 < len(lines) and not keyword_lines[-1].endswith("."):
                    nxt = lines[i + 1]
                    if _is_label_line(nxt):
                        break
                    if keyword_lines[-1].endswith((",", ";")) or len(nxt) < 60:
                        keyword_lines.append(nxt)
                        i += 1
                    else:
                        break
                out.append(Block(lines=keyword_lines, wrapped=True, meta={"split": True}))
            elif (match := _ABSTRACT.match(line)) and not match["rest"]:
                out.append(Block(lines=[line], wrapped=True, meta={"split": True}))
            else:
                current.append(line)
            i += 1
        if current:
            out.append(Block(lines=current, tag=block.tag, wrapped=True, meta={"split": bool(out)}))
    return out


def read_blocks(blocks, draft):
    """Fill `draft` from the document's blocks (see the module docstring)."""
    blocks = [b for b in blocks if (b.lines and b.text.strip()) or b.html]
    blocks = _split_at_labels(blocks)
    blocks = _drop_footers(blocks, draft)
    blocks = _take_header(blocks, draft)
    blocks = _take_sections(blocks, draft)
    if any(b.html for b in blocks):
        draft.body_html = "\n".join(b.to_html() for b in blocks)
        draft.body = [p for b in blocks for p in b.paragraphs()]
    else:
        draft.body = [p for b in blocks for p in b.paragraphs() if p]
        if any(b.tag not in {"p", "li"} for b in blocks):
            draft.body_html = "\n".join(b.to_html() for b in blocks)
    text = " ".join([draft.title, draft.abstract, *draft.body])
    if not draft.language:
        draft.language = detect_language(text)
    if not draft.kind:
        draft.kind = "paper" if draft.abstract and draft.keywords else "commentary"
    finish(draft)
    return draft


def finish(draft):
    """The warnings every draft gets for what is missing."""
    if not draft.title:
        draft.warn("No title found: give the piece a title.")
    if not draft.date:
        draft.warn("No publication date found.")
    if not draft.authors:
        draft.warn("No author found.")
    if not draft.body and not draft.body_html and not draft.abstract:
        draft.warn("No body text found.")
