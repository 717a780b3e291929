from django.contrib import admin

from archive.articles.models import Article, Author, Authorship, Keyword


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 1
    autocomplete_fields = ["author"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "kind", "language", "status"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["title"]
    autocomplete_fields = ["keywords"]
    inlines = [AuthorshipInline]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ["name"]
