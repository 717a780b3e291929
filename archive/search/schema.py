"""What an article's search document holds, declared once.

Every engine, index and form is derived from `FIELDS`:
- the Whoosh schema (`archive.search.whoosh.store.build_schema`) and the Haystack SearchIndex
  (`archive.search.search_indexes.ArticleIndex`) take their fields from it;
- `document(article)` builds the engine-neutral document every engine writes;
- the search form (`archive.search.forms.SearchForm`) and the JSON API's article filters take a
  field per `Filter`; the facets are the filters marked `facet`.

A new filter (and facet) is one `Filter(...)` line below, plus a `lookup` when the article API
should filter the database by it too. Changing what a document holds: bump `DOCUMENT_VERSION`, so
`check_index --repair` rewrites every document.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from archive.articles.models import Article, Author, Keyword
from archive.search.text import snippet_source

# Bumped when the document's shape changes, so check_index --repair rewrites every document.
DOCUMENT_VERSION = "4"  # 4: titles and abstracts in other languages are searched
# Characters of abstract + body stored for snippets (a match further in falls back to the database).
EXCERPT_CHARS = 2_000


@dataclass(frozen=True)
class Text:
    """Searched words. `weight` is the field's weight in the ranking (BM25F); `stemmed` fields go
    through the English stemmer, the others only through the normaliser."""

    name: str
    prepare: Callable[[Article], str]
    weight: float = 0.0
    stemmed: bool = True
    phrases: bool = True
    stored: bool = False


@dataclass(frozen=True)
class Filter:
    """A value readers filter by and count (facet): a request parameter `name`, an exact-match
    index field `index_name`. `labels(values)` names the values for the facet list; `lookup` is
    the database filter of the article API (None: search only)."""

    name: str
    index_name: str
    prepare: Callable[[Article], Any]
    form_field: Callable[[], forms.Field]
    title: str = ""
    multi: bool = False
    facet: bool = True
    stored: bool = False
    labels: Callable[[list], dict] = field(default=lambda values: {value: value for value in values})
    lookup: str | None = None


@dataclass(frozen=True)
class Date:
    """The publication date: filtered by range (`date_from`, `date_to`), sorted on, and the
    public/scheduled cut-off (searches see pieces dated today or earlier only)."""

    name: str
    prepare: Callable[[Article], Any]


@dataclass(frozen=True)
class Stored:
    """Kept with the document, never searched: what a hit renders from without the database."""

    name: str
    prepare: Callable[[Article], Any]


def _authors(article):
    return article.ordered_authors


def _keywords(article):
    return list(article.keyword_list)


def _text(article):
    return render_to_string("search/indexes/articles/article_text.txt", {"object": article})


def _names(model):
    def labels(slugs):
        found = dict(model.objects.filter(slug__in=list(slugs)).values_list("slug", "name"))
        return {slug: found.get(slug, slug) for slug in slugs}

    return labels


def _choices(choices):
    def labels(values):
        known = dict(choices)
        return {value: known.get(value, value) for value in values}

    return labels


def _choice_field(choices):
    return lambda: forms.TypedChoiceField(choices=[("", ""), *choices], required=False)


def _slug_field():
    return forms.SlugField(allow_unicode=True, required=False, max_length=200)


FIELDS = (
    # The whole piece (title, subtitle, authors, keywords, abstract, body): it alone decides what
    # a plain word matches; the named parts below add to the score and serve `title:` and the like.
    Text("text", _text, weight=1.0),
    Text("title", lambda a: a.title, weight=1.0, stored=True),
    Text("author", lambda a: " ; ".join(author.name for author in _authors(a)), weight=0.4),
    Text("keyword", lambda a: " ; ".join(keyword.name for keyword in _keywords(a)), weight=0.4),
    # Unstemmed words for autocomplete and "did you mean".
    Text(
        "title_plain", lambda a: " ".join(filter(None, (a.title, a.subtitle))), stemmed=False, phrases=False
    ),
    Text(
        "suggest",
        lambda a: "\n".join([a.title, *(x.name for x in _authors(a)), *(k.name for k in _keywords(a))]),
        stemmed=False,
        phrases=False,
    ),
    Filter(
        "author",
        "author_slug",
        lambda a: [author.slug for author in _authors(a)],
        _slug_field,
        title=gettext_lazy("Author"),
        multi=True,
        labels=_names(Author),
        lookup="authorships__author__slug",
    ),
    Filter(
        "keyword",
        "keyword_slug",
        lambda a: [keyword.slug for keyword in _keywords(a)],
        _slug_field,
        title=gettext_lazy("Keyword"),
        multi=True,
        labels=_names(Keyword),
        lookup="keywords__slug",
    ),
    Filter(
        "kind",
        "kind",
        lambda a: a.kind,
        _choice_field(Article.Kind.choices),
        title=gettext_lazy("Kind"),
        stored=True,
        labels=_choices(Article.Kind.choices),
        lookup="kind",
    ),
    Filter(
        "language",
        "language",
        lambda a: a.language,
        _choice_field(Article.Language.choices),
        title=gettext_lazy("Language"),
        stored=True,
        labels=_choices(Article.Language.choices),
        lookup="language",
    ),
    Filter(
        "year",
        "year",
        lambda a: str(a.date.year),
        lambda: forms.IntegerField(min_value=1, max_value=9999, required=False),
        title=gettext_lazy("Year"),
        lookup="date__year",
    ),
    Filter(
        "source",
        "source",
        lambda a: " ".join(a.source_name.split()),
        lambda: forms.CharField(max_length=300, required=False),
        title=gettext_lazy("Publication"),
        lookup="source_name",
    ),
    Date("date", lambda a: a.date),
    Stored("slug", lambda a: a.slug),
    Stored("authors", lambda a: [author.name for author in _authors(a)]),
    Stored("author_slugs", lambda a: [author.slug for author in _authors(a)]),
    # The opening of the text (abstract, then body): what snippets are cut from.
    Stored("excerpt", lambda a: snippet_source(a.abstract, a.body)[:EXCERPT_CHARS]),
    # A fingerprint of everything the document is built from, which `check_index` compares.
    Stored("stamp", lambda a: stamp(a)),
)

TEXTS = tuple(f for f in FIELDS if isinstance(f, Text))
FILTERS = tuple(f for f in FIELDS if isinstance(f, Filter))
FACETS = tuple(f for f in FILTERS if f.facet)
DATE = next(f for f in FIELDS if isinstance(f, Date))
STORED = tuple(f for f in FIELDS if isinstance(f, Stored))
# The fields plain words score in, with their weights (the ones a `field:` term may name too).
SCORED = tuple(f for f in TEXTS if f.weight)
FIELD_TERMS = ("title", "author", "keyword")


def filter_named(name):
    return next(f for f in FILTERS if f.name == name)


def document(article):
    """The engine-neutral document of `article` (fetched with `for_listing()`): {name: value} for
    every field, plus `id`. Text fields are strings, multi-valued filters lists, the date a date."""
    doc = {"id": article.pk}
    for f in FIELDS:
        doc[f.name if not isinstance(f, Filter) else f.index_name] = f.prepare(article)
    return doc


def stamp(article):
    """A fingerprint of everything the document is built from; `check_index` compares it."""
    authors, keywords = _authors(article), _keywords(article)
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
        article.source_name,
        "\x1f".join(f"{a.slug}\x1e{a.name}" for a in authors),
        "\x1f".join(f"{k.slug}\x1e{k.name}" for k in keywords),
        "\x1f".join(f"{t.language}\x1e{t.title}\x1e{t.abstract}" for t in article.translation_list),
    ):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def is_indexed(article):
    """Published pieces are indexed, future-dated ones included (searches filter by date)."""
    return article.status == Article.Status.PUBLISHED


def indexable():
    """Every article the index should hold: published ones, future-dated included."""
    return Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk")
