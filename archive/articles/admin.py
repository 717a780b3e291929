"""The editors' admin for articles, authors and keywords.

Writes that other copies of the data must follow (renames, merges, bulk status changes, keyword
deletes) go through the functions in `services.py`; everything else is a normal model save, so
`post_save`, `post_delete` and `m2m_changed` listeners see it.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from archive.articles.forms import ArticleAdminForm, AuthorAdminForm, KeywordAdminForm, MergeForm
from archive.articles.i18n import reader_date_text
from archive.articles.models import Article, ArticleTranslation, Author, Authorship, Keyword
from archive.articles.services import (
    ARTICLE_FIELDS,
    article_create,
    article_set_linked_translations,
    article_update,
    articles_set_status,
    author_update,
    authors_merge,
    keyword_delete,
    keyword_rename,
    keywords_merge,
)
from archive.articles.views import ArticlePreviewView


class ActionDescriptions:
    """Actions named in whole sentences per model (`action_descriptions`: action name -> text).

    Django's "Delete selected %(verbose_name_plural)s" sets the model's name into a sentence
    translated without knowing it: Django's Persian adds a plural suffix to a name that is
    already plural. A whole sentence per model translates cleanly.
    """

    action_descriptions = {}

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, description in self.action_descriptions.items():
            if name in actions:
                func, _name, _text = actions[name]
                actions[name] = (func, name, description)
        return actions


class PublicationYearFilter(admin.SimpleListFilter):
    title = _("year of publication")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Article.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isascii() and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


class TranslationInline(admin.StackedInline):
    """The title and abstract in other languages: shown first to readers of that language."""

    model = ArticleTranslation
    fields = ["language", "title", "abstract"]
    extra = 0
    verbose_name = _("title and abstract in another language")
    verbose_name_plural = _("titles and abstracts in other languages")


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    fields = ["position", "author"]
    ordering = ["position", "id"]
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order: lowest position first)")


@admin.register(Article)
class ArticleAdmin(ActionDescriptions, admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [AuthorshipInline, TranslationInline]
    list_display = ["title", "byline", "date", "status", "kind", "language", "preview_link"]
    list_filter = ["status", "kind", "language", PublicationYearFilter]
    search_fields = ["title", "authorships__author__name", "keywords__name", "doi"]
    date_hierarchy = "date"
    ordering = ["-date", "-id"]
    autocomplete_fields = ["keywords", "linked_translations"]
    readonly_fields = [
        "preview_link",
        "text_from_ocr",
        "original_file",
        "original_filename",
        "original_sha256",
        "import_ref",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "status", "date", "preview_link", "text_from_ocr"]}),
        (_("Kind and language"), {"fields": ["kind", "language", "linked_translations"]}),
        (_("Content"), {"fields": ["abstract", "body", "keywords"]}),
        (
            _("Source"),
            {"fields": ["source_name", "source_volume", "source_issue", "source_pages", "doi", "source_url"]},
        ),
        (
            _("Import"),
            {
                "classes": ["collapse"],
                "fields": [
                    "original_file",
                    "original_filename",
                    "original_sha256",
                    "import_ref",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    actions = ["publish", "unpublish"]
    action_descriptions = {"delete_selected": _("Delete selected articles")}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                models.Prefetch(
                    "authorships",
                    queryset=Authorship.objects.select_related("author").order_by("position", "id"),
                )
            )
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(ArticlePreviewView.as_view())
        return [
            path("<int:object_id>/preview/", preview, name="articles_article_preview"),
            *super().get_urls(),
        ]

    @admin.display(description=_("authors"))
    def byline(self, article):
        return ", ".join(authorship.author.name for authorship in article.authorships.all())

    @admin.display(description=_("on the site"))
    def preview_link(self, article):
        if article.pk is None:
            return "—"
        if article.is_public:
            return format_html('<a href="{}">{}</a>', article.get_absolute_url(), gettext("View"))
        why = (
            gettext("draft")
            if article.status == Article.Status.DRAFT
            else gettext("from %(date)s") % {"date": reader_date_text(article.date)}
        )
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:articles_article_preview", args=[article.pk]),
            gettext("Preview"),
            why,
        )

    def view_on_site(self, article):
        if article.is_public:
            return article.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[article.pk])

    # Saving goes through article_create / article_update, as every other writer does. The
    # admin's change view wraps save_model and save_related in one transaction: the fields and
    # keywords are written first, then the byline the inline rows give.
    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in form.cleaned_data if name in ARTICLE_FIELDS}
        keywords = form.cleaned_data.get("keywords", [])
        if change:
            article_update(article=obj, keywords=keywords, **fields)
        else:
            created = article_create(keywords=keywords, **fields)
            # The admin goes on with its own object (history, redirect, inline rows): make it the
            # created row.
            for field in Article._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state = created._state
        if "linked_translations" in form.cleaned_data:  # checked by the form's clean()
            article_set_linked_translations(article=obj, others=form.cleaned_data["linked_translations"])

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            if formset.model is Authorship:
                self._save_byline(form.instance, formset)
            else:
                self.save_formset(request, form, formset, change=change)

    def _save_byline(self, article, formset):
        """The byline from the inline rows, lowest position first (rows with the same position in
        the order they are listed), set through article_update."""
        formset.save(commit=False)  # what changed, for the admin's history message only
        rows = [
            (row.cleaned_data.get("position") or 0, n, row.cleaned_data["author"])
            for n, row in enumerate(formset.forms)
            if row.cleaned_data.get("author") and not row.cleaned_data.get("DELETE")
        ]
        article_update(
            article=article, authors=[author for _, _, author in sorted(rows, key=lambda r: r[:2])]
        )

    @admin.action(description=_("Publish selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        changed = articles_set_status(articles=queryset, status=Article.Status.PUBLISHED)
        text = ngettext("Published %(n)d article.", "Published %(n)d articles.", changed) % {"n": changed}
        self.message_user(request, text, messages.SUCCESS)

    @admin.action(description=_("Unpublish selected articles (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        changed = articles_set_status(articles=queryset, status=Article.Status.DRAFT)
        text = ngettext("Unpublished %(n)d article.", "Unpublished %(n)d articles.", changed) % {"n": changed}
        self.message_user(request, text, messages.SUCCESS)


class MergeActionMixin:
    """An admin action that merges the selected records into the one the editor keeps.

    The action shows a confirmation page; posting it back (with `post=yes` and `keep`) merges.
    """

    merge_function = None  # staticmethod(services.authors_merge or keywords_merge)

    @admin.action(description=_("Merge selected %(verbose_name_plural)s…"), permissions=["change"])
    def merge_selected(self, request, queryset):
        opts = self.model._meta
        queryset = queryset.order_by("name", "pk")  # annotated with article_count by get_queryset
        if len(queryset) < 2:
            self.message_user(
                request,
                gettext("Select two or more %(things)s to merge.") % {"things": opts.verbose_name_plural},
                messages.WARNING,
            )
            return None
        form = MergeForm(request.POST if request.POST.get("post") else None, queryset=queryset)
        if form.is_valid():
            target = form.cleaned_data["keep"]
            sources = [obj for obj in queryset if obj.pk != target.pk]
            self.merge_function(sources=sources, target=target)
            names = gettext(", ").join(f"“{obj.name}”" for obj in sources)
            text = gettext("Merged %(names)s into “%(target)s”.") % {"names": names, "target": target.name}
            self.message_user(request, text, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge %(things)s") % {"things": opts.verbose_name_plural},
            "opts": opts,
            "objects": queryset,
            "form": form,
            "action_name": request.POST.get("action", "merge_selected"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/merge_confirmation.html", context)


@admin.register(Author)
class AuthorAdmin(ActionDescriptions, MergeActionMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    merge_function = staticmethod(authors_merge)
    action_descriptions = {
        "delete_selected": _("Delete selected authors"),
        "merge_selected": _("Merge selected authors…"),
    }
    list_display = ["name", "affiliation", "article_count"]
    search_fields = ["name", "affiliation"]
    ordering = ["name"]
    actions = ["merge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("authorships", distinct=True))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, author):
        return author.article_count

    def save_model(self, request, obj, form, change):
        if change:
            author_update(author=obj, **{name: form.cleaned_data[name] for name in form.changed_data})
        else:
            obj.save()


@admin.register(Keyword)
class KeywordAdmin(ActionDescriptions, MergeActionMixin, admin.ModelAdmin):
    form = KeywordAdminForm
    merge_function = staticmethod(keywords_merge)
    action_descriptions = {
        "delete_selected": _("Delete selected keywords"),
        "merge_selected": _("Merge selected keywords…"),
    }
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    ordering = ["name"]
    actions = ["merge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles", distinct=True))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, keyword):
        return keyword.article_count

    def save_model(self, request, obj, form, change):
        if change:
            keyword_rename(keyword=obj, name=obj.name)
        else:
            obj.save()

    def delete_model(self, request, obj):
        keyword_delete(keyword=obj)

    def delete_queryset(self, request, queryset):
        for keyword in queryset:
            keyword_delete(keyword=keyword)
