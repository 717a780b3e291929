"""Query parameters of the JSON API and the exports, validated and normalised.

The article list takes the search's own filters (`archive.search.forms.FilterForm`, derived from
the search schema), so the two never disagree on what a filter accepts.
"""

from django import forms

from archive.search import schema
from archive.search.forms import FilterForm


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, max_page_size, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page_size"] = forms.IntegerField(min_value=1, max_value=max_page_size, required=False)


class ArticleFilterForm(PageForm, FilterForm):
    """The filters of the search page that need no full-text query, and newest/oldest order."""

    sort = forms.ChoiceField(choices=[("newest", "newest"), ("oldest", "oldest")], required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("date_from is after date_to.")
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        for f in schema.FILTERS:
            if f.lookup and data.get(f.name) not in (None, ""):
                queryset = queryset.filter(**{f.lookup: data[f.name]})
        if data.get("date_from"):
            queryset = queryset.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(date__lte=data["date_to"])
        if data.get("author") or data.get("keyword"):
            queryset = queryset.distinct()
        if data.get("sort") == "oldest":
            return queryset.order_by("date", "id")
        return queryset.order_by("-date", "-id")
