"""Small text helpers the domain needs: slugs and the normalised form used for identity."""

import re
import unicodedata

from django.utils.text import slugify

SLUG_MAX_LENGTH = 120


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
    slug = slugify(text or "", allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-")
    return slug or fallback
