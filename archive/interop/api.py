"""The JSON shapes of the read-only API, and its pagination. No function here queries per item:
pass querysets from `for_listing().with_linked_translations()`."""

from django.core.paginator import EmptyPage, Paginator
from django.urls import reverse
from django.utils.http import urlencode

from archive.articles.archive_json import article_to_archive_json
from archive.interop import citations

EXPORT_FORMATS = ("bibtex", "ris", "csl-json", "json")


class PageNotFound(Exception):
    pass


def paginate(queryset, *, page, page_size, url_for_page, serialize):
    """One page of `queryset` as `{count, page, num_pages, next, previous, results}`."""
    paginator = Paginator(queryset, page_size)
    try:
        current = paginator.page(page)
    except EmptyPage as error:
        raise PageNotFound(f"There is no page {page}; the last page is {paginator.num_pages}.") from error
    return {
        "count": paginator.count,
        "page": current.number,
        "num_pages": paginator.num_pages,
        "next": url_for_page(current.next_page_number()) if current.has_next() else None,
        "previous": url_for_page(current.previous_page_number()) if current.has_previous() else None,
        "results": [serialize(item) for item in current.object_list],
    }


def export_links(article, *, absolute_url):
    return {
        fmt: absolute_url(reverse("interop:export_article", kwargs={"slug": article.slug, "fmt": fmt}))
        for fmt in EXPORT_FORMATS
    }


def other_languages(article, *, absolute_url):
    """What the API adds to an article (new keys, PRODUCT.md): `translations`, its title and
    abstract in other languages, and `also_in`, the public pieces that are the same text in
    another language."""
    return {
        "translations": [
            {"language": t.language, "title": t.title, "abstract": t.abstract}
            for t in citations.other_languages(article)
        ],
        "also_in": [
            {
                "language": other.language,
                "title": other.title,
                "url": absolute_url(other.get_absolute_url()),
                "api_url": absolute_url(reverse("api:article", kwargs={"slug": other.slug})),
            }
            for other in article.also_in
        ],
    }


def article_summary(article, *, absolute_url):
    return {
        "id": article.pk,
        "slug": article.slug,
        "url": absolute_url(article.get_absolute_url()),
        "api_url": absolute_url(reverse("api:article", kwargs={"slug": article.slug})),
        "title": article.title,
        "subtitle": article.subtitle,
        "authors": [
            {"name": a.name, "affiliation": a.affiliation, "url": absolute_url(a.get_absolute_url())}
            for a in article.ordered_authors
        ],
        "date": article.date.isoformat(),
        "kind": article.kind,
        "language": article.language,
        "abstract": article.abstract,
        "keywords": [k.name for k in article.keyword_list],
        "doi": article.doi,
        **other_languages(article, absolute_url=absolute_url),
    }


def article_detail(article, *, absolute_url):
    """The archive JSON object of the article, after its address and links."""
    return {
        "id": article.pk,
        "slug": article.slug,
        "url": absolute_url(article.get_absolute_url()),
        "updated_at": article.updated_at.isoformat(),
        "exports": export_links(article, absolute_url=absolute_url),
        **article_to_archive_json(article),
        **other_languages(article, absolute_url=absolute_url),
    }


def author_summary(author, *, absolute_url):
    return {
        "name": author.name,
        "slug": author.slug,
        "affiliation": author.affiliation,
        "url": absolute_url(author.get_absolute_url()),
        "articles": author.n,
        "articles_url": absolute_url(reverse("api:articles") + "?" + urlencode({"author": author.slug})),
    }


def keyword_summary(keyword, *, absolute_url):
    return {
        "name": keyword.name,
        "slug": keyword.slug,
        "url": absolute_url(keyword.get_absolute_url()),
        "articles": keyword.n,
        "articles_url": absolute_url(reverse("api:articles") + "?" + urlencode({"keyword": keyword.slug})),
    }
