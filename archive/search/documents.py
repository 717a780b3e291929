"""What the index holds for one article: a lean document built from the database row."""

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


def searchable_text(article, authors, keywords, body_text):
    return "\n".join(
        part
        for part in (
            article.title,
            article.subtitle,
            " ; ".join(a.name for a in authors),
            " ; ".join(k.name for k in keywords),
            article.abstract,
            body_text,
        )
        if part
    )


def snippet_source(abstract, body):
    """The text snippets are drawn from: abstract, then body."""
    return "\n\n".join(part for part in (abstract, html_to_text(body)) if part)


def article_stamp(article, authors, keywords):
    """A fingerprint of everything the document is built from; `check_index` compares it."""
    digest = hashlib.sha256()
    for part in (
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
    """The fields written to the index for `article` (fetched with `for_listing()`)."""
    authors = article.ordered_authors
    keywords = list(article.keywords.all())
    body_text = html_to_text(article.body)
    names = " ; ".join(a.name for a in authors)
    keyword_names = " ; ".join(k.name for k in keywords)
    return {
        "id": str(article.pk),
        "text": searchable_text(article, authors, keywords, body_text),
        "title": article.title,
        "title_plain": " ".join(filter(None, (article.title, article.subtitle))),
        "author": names,
        "keyword": keyword_names,
        "suggest": "\n".join(filter(None, (article.title, names, keyword_names))),
        "author_slug": " ".join(a.slug for a in authors),
        "keyword_slug": " ".join(k.slug for k in keywords),
        "kind": article.kind,
        "language": article.language,
        "year": str(article.date.year),
        "date": article.date.strftime("%Y%m%d"),
        "slug": article.slug,
        "authors": [a.name for a in authors],
        "author_slugs": [a.slug for a in authors],
        "stamp": article_stamp(article, authors, keywords),
    }
