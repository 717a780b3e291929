"""Read-side queries shared by feeds, sitemaps, OAI-PMH, exports and the API.

Everything starts from `Article.objects.published()`: drafts and future-dated pieces never leave
this module.
"""

from django.db.models import Count, DateTimeField, Func, Max, Q
from django.db.models.functions import Greatest

from archive.articles.models import Article, Author, Keyword


class StartOfDay(Func):
    """A date as the datetime of its midnight (UTC), comparable with stored datetimes.

    On SQLite `datetime(date)` gives the same text form Django stores datetimes in, so the
    comparison with `updated_at` and with query parameters is exact.
    """

    output_field = DateTimeField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="datetime", **extra_context)

    def as_sql(self, compiler, connection, function=None, template=None, **extra_context):
        if function is None and template is None:
            template = "CAST(%(expressions)s AS TIMESTAMP WITH TIME ZONE)"
        return super().as_sql(compiler, connection, function=function, template=template, **extra_context)


def public_articles():
    return Article.objects.published()


def public_listing():
    """Public articles, newest first, with authors and keywords prefetched."""
    return public_articles().newest_first().for_listing()


def with_datestamp(queryset):
    """Annotate `datestamp`: when the article last changed for the public, i.e. the later of its
    last edit and the start of its publication day (a future-dated piece appears on that day)."""
    return queryset.annotate(datestamp=Greatest("updated_at", StartOfDay("date")))


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


def articles_in_order(ids, *, without_body=False):
    """Public articles with the given ids, in that order (for search results), prefetched;
    `without_body` leaves the body, most of a row, in the database (citations never show it)."""
    articles = public_articles().for_listing().filter(pk__in=list(ids))
    if without_body:
        articles = articles.defer("body")
    by_id = {article.pk: article for article in articles}
    return [by_id[pk] for pk in ids if pk in by_id]
