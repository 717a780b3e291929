"""Small text helpers the domain needs: slugs, the normalised form used for identity, and the
characters no stored text may hold, and the plain-text summary of a piece for its page's
description."""

import html as html_lib
import re
import unicodedata

from django.utils.text import slugify

SLUG_MAX_LENGTH = 120

# What XML 1.0 forbids (its `Char` production): C0 controls other than tab, newline and carriage
# return, lone surrogates, U+FFFE and U+FFFF. Feeds, OAI-PMH and sitemaps are XML, so text that
# holds one of these must never be stored. Text pasted from a PDF carries such bytes.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Vertical tab and form feed (a page break in extracted text) separate lines: they become a
# newline; every other forbidden character is removed ("k\x02w" is "kw", as the writer meant).
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}


def _replace(match):
    return _LINE_BREAKS.get(match.group(0), "")


def xml_safe_text(text):
    """`text` without the characters XML 1.0 forbids; tab, newline and carriage return are kept.

    The one cleaning every stored text goes through (forms, imports, extraction, the write
    functions and `save()`), so no feed, OAI-PMH record or sitemap can meet such a character.
    """
    if not text:
        return "" if text is None else text
    if not _XML_FORBIDDEN.search(text):
        return text
    return _XML_FORBIDDEN.sub(_replace, text)


def has_xml_forbidden(text):
    """True when `text` holds a character XML 1.0 forbids."""
    return bool(text) and _XML_FORBIDDEN.search(text) is not None


def normalise_for_identity(text):
    """Case-, accent- and punctuation-insensitive form of a title or a name.

    Two pieces with the same normalised title and first author are the same piece.
    """
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\W_]+", " ", text.casefold())
    return " ".join(text.split())


def make_slug(text, *, fallback="item"):
    """A URL slug that keeps Persian and Arabic letters and fits the column."""
    slug = slugify(xml_safe_text(text or ""), allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-")
    return slug or fallback


# A sentence ends at . ! ? (and the Arabic-script question mark and full stop) before a space,
# perhaps after a closing quote or bracket.
_SENTENCE_END = re.compile(r"[.!?\u061f\u06d4](?=[\"'\u201d\u2019\u00bb)\]]*\s)")
# Not a sentence end: an initial or a short abbreviation ("A.", "Dr.", "U.S.", "e.g.").
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:[^\W\d]{1,2}|\w(?:\.\w)+)$")


def meta_description(text, *, limit=155, slack=25):
    """A summary of `text` for a page's meta description: whole sentences up to about `limit`
    characters (at most `limit + slack`, at least half of `limit`), or else its words up to
    `limit` and an ellipsis. Whitespace is collapsed; the text is plain (no markup)."""
    text = " ".join((text or "").split())
    if len(text) <= limit + slack:
        return text
    cut = 0
    for match in _SENTENCE_END.finditer(text, 0, limit + slack + 1):
        end = match.end()
        if not _ABBREVIATION.search(text[: end - 1]):
            cut = end
    if cut >= limit // 2:  # a sentence or more; a shorter one says too little alone
        return text[:cut]
    words = text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:-\u2013\u2014")
    return words + "…"


_TAG = re.compile(r"<[^>]*>")


def html_opening(html, *, chars=2000):
    """The plain text at the start of sanitised body HTML (tags become spaces, entities letters)."""
    return html_lib.unescape(_TAG.sub(" ", (html or "")[: chars * 3]))[:chars]
