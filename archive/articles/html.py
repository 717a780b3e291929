"""Sanitising article HTML on the way in, and fitting its headings to the page on the way out.

Bodies, abstracts and names arrive from JSON, uploaded HTML and the admin. Bodies keep a small
set of structural tags; everything else (script, style, event handlers, `javascript:` URLs, svg,
math) is dropped. Pathologically deep markup makes any HTML parser slow, so input is capped in
size and nesting depth before nh3 sees it.
"""

import re
from html import escape

import nh3

from archive.articles.text import xml_safe_text

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

# The start of a tag: "<name" or "</name". The rest of the tag runs to the next ">".
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_VOID = {"br", "hr", "img", "wbr", "input", "meta", "link", "area", "col", "source", "embed", "param"}
# Elements a parser closes implicitly when a sibling of the same name opens ("<p>a<p>b", "<li>").
_SELF_CLOSING_SIBLINGS = {"p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot"}


class UnsafeHTMLError(ValueError):
    """Markup too large or too deeply nested to sanitise in bounded time."""


def _check_bounds(html):
    """Reject input larger than MAX_HTML_CHARS or nesting deeper than MAX_NESTING.

    One pass, linear in the input (each character is looked at a bounded number of times), so
    hostile input such as "<div" repeated without ">" cannot make this check itself slow.
    """
    if len(html) > MAX_HTML_CHARS:
        raise UnsafeHTMLError(f"The HTML is {len(html):,} characters; the limit is {MAX_HTML_CHARS:,}.")
    open_elements = []
    position = 0
    while True:
        match = _TAG_START.search(html, position)
        if match is None:
            return
        end = html.find(">", match.end())
        if end < 0:
            return  # no ">" left: nothing after this is a tag
        position = end + 1
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID or html[end - 1] == "/":
            continue
        if closing:
            if name in open_elements:
                while open_elements.pop() != name:
                    pass
            continue
        if name in _SELF_CLOSING_SIBLINGS and open_elements and open_elements[-1] == name:
            continue
        open_elements.append(name)
        if len(open_elements) > MAX_NESTING:
            raise UnsafeHTMLError(f"The HTML nests elements more than {MAX_NESTING} deep.")


def clean_body_html(html):
    """Safe HTML for an article body: structure and links kept, anything executable removed."""
    html = xml_safe_text(html or "")
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
# Atomic groups and possessive repeats: no backtracking, so hostile attribute soup stays linear.
_MARKUP_TAG = re.compile(
    r"</?(?=[a-zA-Z])(?:{names})\b(?>\s+[\w:-]+\s*=\s*(?>\"[^\"]*\"|'[^']*'|[^\s<>\"'][^\s<>]*))*+\s*/?>".format(
        names="|".join(_TAG_NAMES)
    ),
    re.I,
)

# Whatever is left that a browser would read as a tag (any name, any attributes, even unclosed at
# the end) is dropped when it could run code: an executable element, an event handler, or a
# script URL. Inside a tag a browser reads "<" as part of an attribute name ("<details/<>" is a
# details element), so the tag runs to the next ">" or the end: every match succeeds where it
# starts and the pass stays linear.
_TAG_LIKE = re.compile(r"</?([a-zA-Z][\w:-]*)([^>]*)(?:>|$)")
_DANGEROUS_ELEMENTS = {
    "script", "style", "svg", "math", "template", "iframe", "object", "embed", "frame", "frameset",
    "applet", "base", "link", "meta", "noscript", "form", "input", "button", "img", "image", "video",
    "audio", "source", "xmp", "plaintext", "textarea", "select", "details", "marquee", "isindex",
}  # fmt: skip
_DANGEROUS_ATTRIBUTE = re.compile(
    r"(?:^|[\s\"'/])on[a-z]+\s*=|(?:javascript|vbscript|data)\s*:|\bsrcdoc\b", re.I
)


def _drop_dangerous_tag(match):
    name, rest = match.group(1).lower(), match.group(2)
    if name in _DANGEROUS_ELEMENTS or _DANGEROUS_ATTRIBUTE.search(rest):
        return ""
    return match.group(0)


def clean_text(text):
    """Plain text for titles, names and keywords.

    Markup is removed (tags, and script/style blocks with their content); text that merely
    contains < or > ("if a<b and c>d") is kept as written. Templates escape it on output.
    Characters XML 1.0 forbids are removed (`xml_safe_text`).
    """
    text = text or ""
    if len(text) > MAX_HTML_CHARS:
        raise UnsafeHTMLError(f"The text is {len(text):,} characters; the limit is {MAX_HTML_CHARS:,}.")
    text = xml_safe_text(text)
    text = _EXECUTABLE_BLOCK.sub(" ", text)
    text = _MARKUP_TAG.sub("", text)
    text = _TAG_LIKE.sub(_drop_dangerous_tag, text)
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


_HEADING_TAG = re.compile(r"<(/?)h([2-6])(?=[\s>])", re.I)


def outline_headings(html, *, top=2):
    """Body HTML whose headings follow on from the page's: the body's highest heading level
    becomes `top` (h2 under the article's h1 title) and the levels it uses follow one another
    without a gap (h3, h5 -> h2, h3), so the page's outline skips no level. Stored bodies keep
    the levels their source gave them; sanitised HTML has plain, lower-case tags."""
    levels = sorted({int(level) for _, level in _HEADING_TAG.findall(html or "")})
    mapping = {level: min(top + rank, 6) for rank, level in enumerate(levels)}
    if all(level == new for level, new in mapping.items()):
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{mapping[int(m.group(2))]}", html)
