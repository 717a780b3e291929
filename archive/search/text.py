"""Plain text of an article's HTML body, for the index and for snippets."""

import functools
import html
import re

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|div|li|ul|ol|h[1-6]|blockquote|tr|td|th|pre|hr|section)\b[^>]*>", re.I
)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


# A document asks for its body's text twice (the `text` field and the excerpt).
@functools.lru_cache(maxsize=4)
def html_to_text(body):
    """Plain text of sanitised body HTML, paragraphs separated by blank lines."""
    if not body:
        return ""
    if "<" not in body and "&" not in body:
        return body
    text = _BLOCK_TAG.sub("\n\n", body)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def snippet_source(abstract, body):
    """The text snippets are drawn from: abstract, then body."""
    return "\n\n".join(part for part in (abstract, html_to_text(body)) if part)
