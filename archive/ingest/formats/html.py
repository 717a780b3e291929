"""Saved web pages (.html): the article is kept, navigation and site furniture dropped.

Metadata comes first from the page's own tags (Highwire `citation_*`, Open Graph, `<meta
name=author|keywords>`, `<time datetime>`, `<link rel=canonical>`), then from the text of the
article as for other formats. The article is the `<article>` element, an element marked as the
article body, or else the element holding most paragraph text.
"""

import re

import lxml.etree
import lxml.html

from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.formats.common import decode_text
from archive.ingest.metadata import Block, byline_names, parse_date, read_blocks, split_keywords
from archive.ingest.repair import normalise_text

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
              "object", "embed", "svg", "math", "template", "button", "select", "input", "menu"]  # fmt: skip
_FURNITURE = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|sidebar|footer|site-footer|header|masthead|share|sharing|"
    r"social|comments?|related|advert\w*|ads?|cookie\w*|newsletter|subscribe|promo|widget|skip-link)($|[\s_-])",
    re.I,
)
_BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dl",
    "table",
    "figure",
}
_CONTAINERS = {"div", "section", "article", "main", "body", "span", "center", "font"}
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,60}$")


def _meta(root, *names):
    values = []
    for name in names:
        for element in root.xpath(f'//meta[@name="{name}" or @property="{name}"]'):
            content = " ".join((element.get("content") or "").split())
            if content:
                values.append(content)
        if values:
            return values
    return values


def _text(element):
    return normalise_text(" ".join(element.text_content().split()))


def _article_root(root):
    for xpath in (
        '//*[@itemprop="articleBody"]',
        "//article",
        '//*[contains(concat(" ", normalize-space(@class), " "), " entry-content ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " post-content ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " article-body ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " entry ")]',
        "//main",
    ):
        found = root.xpath(xpath)
        if found:
            return max(found, key=lambda e: len(e.text_content()))
    # The element whose own <p> children hold most text.
    best, best_len = None, 0
    for parent in {p.getparent() for p in root.iter("p") if p.getparent() is not None}:
        length = sum(len(p.text_content()) for p in parent.findall("p"))
        if length > best_len:
            best, best_len = parent, length
    return best if best is not None else root.find("body") if root.find("body") is not None else root


def html_blocks(element):
    """Block-level pieces of `element`, in order, each with its HTML."""
    blocks = []
    if element.text and element.text.strip() and element.tag not in _BLOCK_TAGS:
        blocks.append(Block(lines=[normalise_text(element.text.strip())]))
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag in _DROP_TAGS:
            pass
        elif tag in _BLOCK_TAGS:
            text = _text(child)
            if text:
                child.tail = None
                html = lxml.html.tostring(child, encoding="unicode")
                blocks.append(
                    Block(
                        lines=[text],
                        tag=tag if tag in {"h1", "h2", "h3", "h4", "h5", "h6"} else "p",
                        html=html if tag != "h1" else "",
                    )
                )
        elif tag in _CONTAINERS and not any(child.iter(*_BLOCK_TAGS, "div", "section")) and _text(child):
            # A container of inline content only: one paragraph.
            inner = (child.text or "") + "".join(
                lxml.html.tostring(c, encoding="unicode") for c in child if isinstance(c.tag, str)
            )
            blocks.append(Block(lines=[_text(child)], html=f"<p>{inner.strip()}</p>"))
        elif tag not in {"br", "hr", "img"}:
            blocks.extend(html_blocks(child))
        if child.tail and child.tail.strip():
            blocks.append(Block(lines=[normalise_text(child.tail.strip())]))
    return blocks


def parse_html(data, *, filename="file.html"):
    text = decode_text(data, filename=filename) if isinstance(data, bytes) else data
    if not text.strip():
        raise ExtractionError(f"{filename} is empty.")
    try:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as error:
        raise ExtractionError(f"{filename} is not a readable HTML page ({error}).") from error
    return root


def extract(data, *, filename="file.html"):
    root = parse_html(data, filename=filename)
    draft = Draft()

    title = (_meta(root, "citation_title", "og:title", "dc.title", "DC.title") or [""])[0]
    if not title:
        title_el = root.find(".//title")
        title = _SITE_SUFFIX.sub("", _text(title_el)) if title_el is not None else ""
    authors = _meta(root, "citation_author", "author", "article:author", "dc.creator", "DC.creator")
    names = [n for a in authors for n in (byline_names(a) or ([a] if "://" not in a else []))]
    dates = _meta(root, "citation_publication_date", "citation_date", "article:published_time", "dc.date",
                  "DC.date", "date")  # fmt: skip
    dates += [t.get("datetime") for t in root.iter("time") if t.get("datetime")]
    keywords = _meta(root, "citation_keywords", "keywords", "article:tag", "news_keywords")
    lang = (root.get("lang") or "").split("-")[0].lower()
    canonical = root.xpath('//link[@rel="canonical"]/@href') or _meta(root, "og:url")

    for element in root.iter(*_DROP_TAGS):
        element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}"
        if _FURNITURE.search(marker) and element.tag not in {"html", "body", "article", "main"}:
            element.drop_tree()
    article = _article_root(root)

    draft.title = title
    date = next((d for d in (parse_date(x[:10]) or parse_date(x) for x in dates) if d), None)
    draft.date = date
    if names:
        draft.authors = [DraftAuthor(name=name) for name in dict.fromkeys(names)]
    if keywords:
        draft.keywords = split_keywords(";".join(keywords) if len(keywords) > 1 else keywords[0])
    draft.abstract = (_meta(root, "citation_abstract", "dc.description") or [""])[0]
    draft.source_name = (_meta(root, "citation_journal_title", "og:site_name") or [""])[0]
    draft.source_volume = (_meta(root, "citation_volume") or [""])[0]
    draft.source_issue = (_meta(root, "citation_issue") or [""])[0]
    first, last = (
        (_meta(root, "citation_firstpage") or [""])[0],
        (_meta(root, "citation_lastpage") or [""])[0],
    )
    draft.source_pages = f"{first}-{last}" if first and last else first
    draft.doi = (_meta(root, "citation_doi", "dc.identifier") or [""])[0].removeprefix("doi:")
    if not draft.doi.startswith("10."):
        draft.doi = ""
    if canonical and canonical[0].startswith(("http://", "https://")):
        draft.source_url = canonical[0]
    if lang in {"en", "fa", "ar", "fr", "de", "es", "ru", "tr", "ur"}:
        draft.language = lang

    blocks = html_blocks(article)
    if draft.title:
        blocks = [b for b in blocks if not (b.tag == "h1" and b.text.casefold() == draft.title.casefold())]
    read_blocks(blocks, draft)
    return draft
