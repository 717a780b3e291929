"""Read-side queries shared by feeds, sitemaps, OAI-PMH, exports and the API.

Everything starts from `Article.objects.published()`: drafts and future-dated pieces never leave
this module.
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count, Max, Q
from django.urls import reverse

from archive.articles.models import (
    Article,
    ArticleTranslation,
    Author,
    Authorship,
    Keyword,
    public_datestamp,
)


def public_articles():
    return Article.objects.published()


def public_listing():
    """Public articles, newest first, with authors and keywords prefetched."""
    return public_articles().newest_first().for_listing()


def with_datestamp(queryset):
    """Annotate `datestamp`: when the article last changed for the public, i.e. the later of its
    last edit and the start of its publication day (a future-dated piece appears on that day)."""
    return queryset.annotate(datestamp=public_datestamp())


def public_authors():
    """Authors with at least one public article, with `n` (their public articles) and
    `last_article_change`. The filter comes before the annotations, so both count only the
    public articles joined by it."""
    public = Q(authorships__article__in=public_articles())
    return (
        Author.objects.filter(public)
        .annotate(
            n=Count("authorships", distinct=True),
            last_article_change=Max("authorships__article__updated_at"),
        )
        .order_by("name", "id")
    )


def public_keywords():
    """Keywords of at least one public article, annotated as `public_authors()`."""
    public = Q(articles__in=public_articles())
    return (
        Keyword.objects.filter(public)
        .annotate(
            n=Count("articles", distinct=True),
            last_article_change=Max("articles__updated_at"),
        )
        .order_by("name", "id")
    )


def articles_in_order(ids):
    """Public articles with the given ids, in that order (for search results), prefetched."""
    by_id = {article.pk: article for article in public_articles().for_listing().filter(pk__in=list(ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- what the citation formats read, from plain rows --------------------------------------------

CITATION_FIELDS = (
    "pk", "title", "subtitle", "slug", "date", "kind", "language", "abstract",
    "source_name", "source_volume", "source_issue", "source_pages", "doi",
)  # fmt: skip


@dataclass(slots=True)
class Named:
    name: str


@dataclass(slots=True)
class OtherLanguage:
    language: str
    title: str
    abstract: str


@dataclass(slots=True)
class CitationRecord:
    """A public piece as the citation formats (citations.py: BibTeX, RIS, CSL-JSON) read it: the
    same attributes as an `Article` from `for_listing()`, built from plain rows. An export of
    1,000 search results spent most of its time building model instances of every piece, byline
    and keyword and in Django's prefetch machinery around them, and reversing each piece's URL."""

    pk: int
    title: str
    subtitle: str
    slug: str
    date: object
    kind: str
    language: str
    abstract: str
    source_name: str
    source_volume: str
    source_issue: str
    source_pages: str
    doi: str
    path: str = ""
    ordered_authors: list = field(default_factory=list)
    keyword_list: list = field(default_factory=list)
    translation_list: list = field(default_factory=list)

    def get_absolute_url(self):
        return self.path


def citation_records(ids):
    """`CitationRecord`s of the public pieces with the given ids, in that order, in four queries
    of plain rows (the pieces, their bylines, keywords and other languages, each in the order of
    `for_listing()`)."""
    rows = public_articles().filter(pk__in=list(ids)).order_by().values_list(*CITATION_FIELDS)
    path_of = article_path_maker()
    by_id = {row[0]: CitationRecord(*row) for row in rows}
    for record in by_id.values():
        record.path = path_of(record.slug)
    found = list(by_id)
    bylines = Authorship.objects.filter(article__id__in=found).order_by("position", "id")
    for article_id, name in bylines.values_list("article_id", "author__name"):
        by_id[article_id].ordered_authors.append(Named(name))
    keywords = Article.keywords.through.objects.filter(article__id__in=found).order_by("keyword__name")
    for article_id, name in keywords.values_list("article_id", "keyword__name"):
        by_id[article_id].keyword_list.append(Named(name))
    others = ArticleTranslation.objects.filter(article__id__in=found).order_by("language", "id")
    for article_id, *translation in others.values_list("article_id", "language", "title", "abstract"):
        by_id[article_id].translation_list.append(OtherLanguage(*translation))
    return [by_id[pk] for pk in ids if pk in by_id]


# What `reverse()` leaves unquoted in a path (django.urls.resolvers: RFC 3986's sub-delimiters).
_REVERSE_SAFE = "!$&'()*+,;=/~:@"
_SLUG_SENTINEL = "citationslugsentinel"


def article_path_maker():
    """A function slug -> the path `Article.get_absolute_url()` gives, in the active language: the
    path is reversed once and each slug quoted into it as `reverse()` quotes it (about 40 us a
    piece saved). A slug the pattern would refuse (empty, or with a slash) goes through `reverse()`."""
    head, _, tail = reverse("articles:detail", kwargs={"slug": _SLUG_SENTINEL}).rpartition(_SLUG_SENTINEL)

    def path_of(slug):
        if not slug or "/" in slug:
            return reverse("articles:detail", kwargs={"slug": slug})
        return head + quote(slug, safe=_REVERSE_SAFE) + tail

    return path_of
