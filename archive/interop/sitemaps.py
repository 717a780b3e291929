"""Sitemaps (django.contrib.sitemaps) of every public article, author and keyword page.

`/sitemap.xml` is one sitemap while the archive has at most `ARCHIVE_SITEMAP_LIMIT` URLs (the
protocol's 50,000) and a sitemap index of per-section pages (`/sitemap-<section>.xml?p=N`) once
it has more.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from archive.interop.queries import public_articles, public_authors, public_keywords, with_datestamp


class LimitedSitemap(Sitemap):
    @property
    def limit(self):
        return settings.ARCHIVE_SITEMAP_LIMIT


class ArticleSitemap(LimitedSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return with_datestamp(public_articles()).only("slug", "date", "updated_at").order_by("date", "id")

    def lastmod(self, article):
        return article.datestamp


class _LatestMixin:
    def lastmod(self, obj):
        return max(filter(None, (obj.updated_at, obj.last_article_change)))


class AuthorSitemap(_LatestMixin, LimitedSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return public_authors()


class KeywordSitemap(_LatestMixin, LimitedSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return public_keywords()


class PageSitemap(LimitedSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["home", "articles:list", "archive:index", "authors:list", "keywords:list", "about"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "keywords": KeywordSitemap,
}


def sitemap_url_count():
    return sum(sitemap().paginator.count for sitemap in SITEMAPS.values())
