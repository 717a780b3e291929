"""Reading pages: thin views over the published queryset."""

import datetime
import mimetypes

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView, TemplateView

from archive.articles import parts
from archive.articles.html import outline_headings
from archive.articles.i18n import current_language
from archive.articles.models import Article, Author, Authorship, Keyword
from archive.articles.pagecache import RememberedCountPaginator, remember


def pieces_per_year(articles):
    """[{"year": 2012, "count": 3}, ...] oldest first, and the largest count (for a small chart)."""
    rows = list(
        articles.order_by()
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(count=Count("id", distinct=True))
        .order_by("year")
    )
    return rows, max((row["count"] for row in rows), default=0)


def remembered_pieces_per_year(articles):
    return remember(f"per-year:{articles.query}", lambda: pieces_per_year(articles))


def public_authors():
    """Authors with at least one public piece; the others are as invisible as their drafts."""
    return Author.objects.filter(
        Exists(Authorship.objects.filter(author=OuterRef("pk"), article__in=Article.objects.published()))
    )


def public_keywords():
    """Keywords on at least one public piece."""
    return Keyword.objects.filter(
        Exists(
            Article.keywords.through.objects.filter(
                keyword=OuterRef("pk"), article__in=Article.objects.published()
            )
        )
    )


class PublishedArticlesMixin:
    """Published pieces, newest first, paginated (the count remembered until the archive
    changes); a bad page number is a 404."""

    paginate_by = 20
    paginator_class = RememberedCountPaginator

    def published_articles(self):
        return Article.objects.published().newest_first().with_bylines().with_reader_titles().defer("body")


class HomeView(PublishedArticlesMixin, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = list(self.published_articles()[:10])
        context["featured_keywords"] = remember(
            "featured-keywords",
            lambda: list(
                Keyword.objects.filter(articles__in=Article.objects.published())
                .annotate(n=Count("articles"))
                .order_by("-n", "name")[:20]
            ),
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
        return Article.objects.published().for_listing().with_linked_translations()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        authors = article.ordered_authors
        context["authors"] = authors
        context["body"] = outline_headings(article.body)
        context["keywords"] = list(article.keyword_list)
        # The title and abstract in the reader's language come first where the piece has them.
        translation = article.reader_translation(current_language())
        context["translation"] = translation
        context["translations"] = [t for t in article.translation_list if t != translation]
        context["also_in"] = article.also_in  # the same text in other languages
        context["more_by_author"] = (
            remember(
                f"more-by:{article.pk}",
                lambda: list(
                    Article.objects.published()
                    .by_any_of(authors)
                    .exclude(pk=article.pk)
                    .headlines()
                    .newest_first()[:5]
                ),
            )
            if authors
            else []
        )
        context["parts"] = parts.for_page("article", request=self.request, obj=article)
        return context


class ArticlePreviewView(ArticleDetailView):
    """The article page for staff, whatever the article's status or date, marked as a preview.

    Served under the admin (`ArticleAdmin.get_urls`), which requires a staff login; the public
    URL of a draft or future piece stays a 404.
    """

    pk_url_kwarg = "object_id"

    def get_queryset(self):
        return Article.objects.for_listing().with_linked_translations()

    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("articles.view_article"):
            raise PermissionDenied
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = True
        return context


class ArchiveIndexView(TemplateView):
    """Years and months with counts of published pieces."""

    template_name = "articles/archive_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = remember(
            "years-and-months",
            lambda: list(
                Article.objects.published()
                .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
                .values("year", "month")
                .annotate(n=Count("id"))
                .order_by("-year", "-month")
            ),
        )
        years = {}
        for row in rows:
            year = years.setdefault(row["year"], {"year": row["year"], "count": 0, "months": []})
            year["count"] += row["n"]
            year["months"].append({"month": datetime.date(row["year"], row["month"], 1), "count": row["n"]})
        context["years"] = list(years.values())
        return context


class ArchivePeriodView(PublishedArticlesMixin, ListView):
    """One year or one month of published pieces; an empty or impossible period is a 404."""

    template_name = "articles/archive_period.html"
    context_object_name = "articles"
    allow_empty = False

    def get_queryset(self):
        year, month = self.kwargs["year"], self.kwargs.get("month")
        if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
            raise Http404("No such year.")
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
        if month is None:
            rows = (
                Article.objects.published()
                .filter(date__year=year)
                .annotate(month=ExtractMonth("date"))
                .values("month")
                .annotate(n=Count("id"))
                .order_by("month")
            )
            context["months"] = [
                {"month": datetime.date(year, row["month"], 1), "count": row["n"]} for row in rows
            ]
        return context


class AuthorListView(ListView):
    template_name = "articles/author_list.html"
    context_object_name = "authors"
    paginate_by = 100

    def get_queryset(self):
        return (
            Author.objects.filter(authorships__article__in=Article.objects.published())
            .annotate(n=Count("authorships", distinct=True))
            .order_by("name", "id")
        )


class AuthorDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/author_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.author = get_object_or_404(public_authors(), slug=self.kwargs["slug"])
        return self.published_articles().by_author(self.author)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["author"] = self.author
        context["per_year"], context["per_year_max"] = remembered_pieces_per_year(
            Article.objects.published().by_author(self.author)
        )
        context["parts"] = parts.for_page("author", request=self.request, obj=self.author)
        return context


class KeywordListView(ListView):
    template_name = "articles/keyword_list.html"
    context_object_name = "keywords"
    paginate_by = 200

    def get_queryset(self):
        return (
            Keyword.objects.filter(articles__in=Article.objects.published())
            .annotate(n=Count("articles", distinct=True))
            .order_by("name", "id")
        )


class KeywordDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/keyword_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.keyword = get_object_or_404(public_keywords(), slug=self.kwargs["slug"])
        return self.published_articles().tagged(self.keyword)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keyword"] = self.keyword
        context["per_year"], context["per_year_max"] = remembered_pieces_per_year(
            Article.objects.published().tagged(self.keyword)
        )
        context["parts"] = parts.for_page("keyword", request=self.request, obj=self.keyword)
        return context


class AboutView(TemplateView):
    template_name = "articles/about.html"


def original(request, slug):
    """The article's original file as a download. The public sees published articles only."""
    articles = (
        Article.objects.all()
        if request.user.is_active and request.user.is_staff
        else Article.objects.published()
    )
    article = get_object_or_404(articles, slug=slug)
    if not article.original_file:
        raise Http404("This article has no original file.")
    try:
        handle = article.original_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The original file is missing.") from error
    name = article.original_download_name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache" if not article.is_public else "public, max-age=3600"
    return response
