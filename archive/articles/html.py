"""Sanitising article HTML on the way in.

Bodies, abstracts and names arrive from JSON, uploaded HTML and the admin. Bodies keep a small
set of structural tags; everything else (script, style, event handlers, `javascript:` URLs, svg,
math) is dropped. Pathologically deep markup makes any HTML parser slow, so input is capped in
size and nesting depth before nh3 sees it.
"""

import re
from html import escape

import nh3

MAX_HTML_CHARS = 2_000_000
MAX_NESTING = 100

BODY_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "a", "em", "strong", "i", "b", "u", "s", "sub", "sup", "small", "q", "cite", "abbr", "code",
    "pre", "span", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td", "caption", "hr",
}  # fmt: skip
BODY_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang", "dir"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"br", "hr", "img", "wbr", "input", "meta", "link", "area", "col", "source", "embed", "param"}


class UnsafeHTMLError(ValueError):
    """Markup too large or too deeply nested to sanitise in bounded time."""


def _check_bounds(html):
    if len(html) > MAX_HTML_CHARS:
        raise UnsafeHTMLError(f"The HTML is {len(html):,} characters; the limit is {MAX_HTML_CHARS:,}.")
    depth = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name.lower() in _VOID or self_closing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        if depth > MAX_NESTING:
            raise UnsafeHTMLError(f"The HTML nests elements more than {MAX_NESTING} deep.")


def clean_body_html(html):
    """Safe HTML for an article body: structure and links kept, anything executable removed."""
    html = html or ""
    _check_bounds(html)
    return nh3.clean(
        html,
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        clean_content_tags={"script", "style", "svg", "math", "template", "iframe", "object"},
    ).strip()


_EXECUTABLE_BLOCK = re.compile(
    r"<(script|style|svg|math|template|iframe|object)\b.*?(</\1\s*>|$)", re.I | re.S
)
# A real tag: a known element name, then nothing or attributes written as name=value.
_TAG_NAMES = sorted(
    nh3.ALLOWED_TAGS | {"script", "style", "svg", "math", "iframe", "object", "embed", "img", "font"}
)
_MARKUP_TAG = re.compile(
    r"</?(?:{names})(?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*\s*/?>".format(
        names="|".join(_TAG_NAMES)
    ),
    re.I,
)


def clean_text(text):
    """Plain text for titles, names and keywords.

    Markup is removed (tags, and script/style blocks with their content); text that merely
    contains < or > ("if a<b and c>d") is kept as written. Templates escape it on output.
    """
    text = text or ""
    if len(text) > MAX_HTML_CHARS:
        raise UnsafeHTMLError(f"The text is {len(text):,} characters; the limit is {MAX_HTML_CHARS:,}.")
    text = _EXECUTABLE_BLOCK.sub(" ", text)
    text = _MARKUP_TAG.sub("", text)
    return " ".join(text.split())


def is_http_url(url):
    """Source URLs are only http(s)."""
    return bool(re.match(r"^https?://[^\s/$.?#][^\s]*$", url or "", re.IGNORECASE))


def looks_like_html(text):
    """True when `text` contains a real tag; plain text such as "if a<b & c>d" is not HTML."""
    return bool(_MARKUP_TAG.search(text or ""))


def plain_text_to_html(text):
    """Plain text as paragraphs: blank lines separate paragraphs, single newlines become <br>."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))]
    return "".join(
        "<p>{}</p>".format("<br>".join(escape(line.strip(), quote=False) for line in p.splitlines()))
        for p in paragraphs
        if p
    )
