"""Reading pages: thin views over the published queryset."""

import datetime

from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from archive.articles.models import Article, Author, Keyword


class PublishedArticlesMixin:
    """Published pieces, newest first, paginated; a bad page number is a 404."""

    paginate_by = 20

    def published_articles(self):
        return Article.objects.published().newest_first().for_listing()


class HomeView(PublishedArticlesMixin, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = list(self.published_articles()[:10])
        context["featured_keywords"] = list(
            Keyword.objects.filter(articles__in=Article.objects.published())
            .annotate(n=Count("articles"))
            .order_by("-n", "name")[:20]
        )
        return context


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        return self.published_articles()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        authors = article.ordered_authors
        context["authors"] = authors
        context["keywords"] = list(article.keywords.all())
        context["more_by_author"] = list(
            Article.objects.published()
            .filter(authorships__author__in=authors)
            .exclude(pk=article.pk)
            .distinct()
            .newest_first()[:5]
        )
        return context


class ArchiveIndexView(TemplateView):
    """Years and months with counts of published pieces."""

    template_name = "articles/archive_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = (
            Article.objects.published()
            .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
            .values("year", "month")
            .annotate(n=Count("id"))
            .order_by("-year", "-month")
        )
        years = {}
        for row in rows:
            year = years.setdefault(row["year"], {"year": row["year"], "count": 0, "months": []})
            year["count"] += row["n"]
            year["months"].append({"month": datetime.date(row["year"], row["month"], 1), "count": row["n"]})
        context["years"] = list(years.values())
        return context


class ArchivePeriodView(PublishedArticlesMixin, ListView):
    template_name = "articles/archive_period.html"
    context_object_name = "articles"

    def get_queryset(self):
        year, month = self.kwargs["year"], self.kwargs.get("month")
        if month is not None and not 1 <= month <= 12:
            raise Http404("No such month.")
        queryset = self.published_articles().filter(date__year=year)
        if month is not None:
            queryset = queryset.filter(date__month=month)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = self.kwargs["year"], self.kwargs.get("month")
        context["year"] = year
        context["period"] = datetime.date(year, month, 1) if month else None
        return context


def year_counts(articles):
    """[(year, pieces)] in year order for a queryset of articles, in one aggregate query (for the charts)."""
    rows = (
        articles.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("id", distinct=True))
        .order_by("year")
    )
    return [(row["year"], row["n"]) for row in rows]


class AuthorListView(ListView):
    template_name = "articles/author_list.html"
    context_object_name = "authors"
    paginate_by = 100

    def get_queryset(self):
        return (
            Author.objects.filter(authorships__article__in=Article.objects.published())
            .annotate(n=Count("authorships", distinct=True))
            .order_by("name")
        )


class AuthorDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/author_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return self.published_articles().by_author(self.author)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["author"] = self.author
        context["year_counts"] = year_counts(Article.objects.published().by_author(self.author))
        return context


class KeywordListView(ListView):
    template_name = "articles/keyword_list.html"
    context_object_name = "keywords"
    paginate_by = 200

    def get_queryset(self):
        return (
            Keyword.objects.filter(articles__in=Article.objects.published())
            .annotate(n=Count("articles", distinct=True))
            .order_by("name")
        )


class KeywordDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/keyword_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.keyword = get_object_or_404(Keyword, slug=self.kwargs["slug"])
        return self.published_articles().tagged(self.keyword)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keyword"] = self.keyword
        context["year_counts"] = year_counts(Article.objects.published().tagged(self.keyword))
        return context


class AboutView(TemplateView):
    template_name = "articles/about.html"
