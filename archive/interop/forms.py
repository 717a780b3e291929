"""Query parameters of the JSON API and the exports, validated and normalised."""

from django import forms

from archive.articles.models import Article


def _choices(choices):
    return [("", "any"), *choices]


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, max_page_size, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page_size"] = forms.IntegerField(min_value=1, max_value=max_page_size, required=False)


class ArticleFilterForm(PageForm):
    """The filters of the search page that need no full-text query: author and keyword (slugs),
    kind, language, year, a date range, and newest/oldest order."""

    author = forms.SlugField(allow_unicode=True, required=False)
    keyword = forms.SlugField(allow_unicode=True, required=False)
    kind = forms.ChoiceField(choices=_choices(Article.Kind.choices), required=False)
    language = forms.ChoiceField(choices=_choices(Article.Language.choices), required=False)
    year = forms.IntegerField(min_value=1, max_value=9999, required=False)
    date_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(choices=[("newest", "newest"), ("oldest", "oldest")], required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("date_from is after date_to.")
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("author"):
            queryset = queryset.filter(authorships__author__slug=data["author"])
        if data.get("keyword"):
            queryset = queryset.filter(keywords__slug=data["keyword"])
        for name in ("kind", "language"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("year"):
            queryset = queryset.filter(date__year=data["year"])
        if data.get("date_from"):
            queryset = queryset.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(date__lte=data["date_to"])
        if data.get("sort") == "oldest":
            return queryset.order_by("date", "id")
        return queryset.order_by("-date", "-id")
