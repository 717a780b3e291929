"""Text helpers for the index documents (built by `search_indexes.ArticleIndex`)."""

import functools
import hashlib
import html
import re

from archive.articles.models import Article

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|div|li|ul|ol|h[1-6]|blockquote|tr|td|th|pre|hr|section)\b[^>]*>", re.I
)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


# A document asks for its body's text twice (the `text` template and the excerpt).
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


# Characters of abstract + body stored for snippets (a match further in falls back to the database).
EXCERPT_CHARS = 2_000
# Bumped when the document's shape changes, so check_index --repair rewrites every document.
DOCUMENT_VERSION = "2"


def article_stamp(article, authors, keywords):
    """A fingerprint of everything the document is built from; `check_index` compares it."""
    digest = hashlib.sha256()
    for part in (
        DOCUMENT_VERSION,
        article.title,
        article.subtitle,
        article.slug,
        article.date.isoformat(),
        article.kind,
        article.language,
        article.status,
        article.abstract,
        article.body,
        "\x1f".join(f"{a.slug}\x1e{a.name}" for a in authors),
        "\x1f".join(f"{k.slug}\x1e{k.name}" for k in keywords),
    ):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def is_indexed(article):
    """Published pieces are indexed, future-dated ones included (queries filter by date)."""
    return article.status == Article.Status.PUBLISHED


def article_document(article):
    """The fields our Whoosh engine writes for `article` (fetched with `for_listing()`)."""
    from archive.search.backend import engine_document
    from archive.search.search_indexes import ArticleIndex

    return engine_document(ArticleIndex().full_prepare(article))
