"""Admin forms: every field that stores content is sanitised here, with a clear error when it can't be.

Titles, names and keywords become plain text (`clean_text`), bodies safe HTML (`clean_body_html`),
source URLs are http(s) only. Slugs left empty are generated from the title or name.
"""

import re

from django import forms
from django.db.models.functions import Lower

from archive.articles.html import (
    UnsafeHTMLError,
    clean_body_html,
    clean_text,
    is_http_url,
    looks_like_html,
    plain_text_to_html,
)
from archive.articles.models import Article, Author, Keyword
from archive.articles.services import unique_slug
from archive.articles.text import SLUG_MAX_LENGTH


def _plain(value, *, label, required):
    try:
        text = clean_text(value)
    except UnsafeHTMLError as error:
        raise forms.ValidationError(str(error), code="too_large") from error
    if required and not text:
        raise forms.ValidationError(f"The {label} is empty once markup is removed.", code="empty")
    return text


def _plain_paragraphs(value, *, label):
    """Plain text that keeps its paragraphs (blank-line separated), for abstracts and bios."""
    try:
        paragraphs = [clean_text(part) for part in re.split(r"\n\s*\n", value or "")]
    except UnsafeHTMLError as error:
        raise forms.ValidationError(f"The {label}: {error}", code="too_large") from error
    return "\n\n".join(part for part in paragraphs if part)


def _slug_field():
    return forms.SlugField(
        max_length=SLUG_MAX_LENGTH,
        allow_unicode=True,
        required=False,
        help_text="Leave empty to make one from the title or name.",
    )


class ArticleAdminForm(forms.ModelForm):
    slug = _slug_field()
    source_url = forms.URLField(
        label="Original URL",
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text="Where the piece was first published (http or https).",
    )

    class Meta:
        model = Article
        fields = [
            "title", "subtitle", "slug", "status", "date", "kind", "language", "abstract", "body",
            "keywords", "source_name", "source_volume", "source_issue", "source_pages", "doi", "source_url",
        ]  # fmt: skip

    def clean_title(self):
        return _plain(self.cleaned_data.get("title"), label="title", required=True)

    def clean_subtitle(self):
        return _plain(self.cleaned_data.get("subtitle"), label="subtitle", required=False)

    def clean_abstract(self):
        return _plain_paragraphs(self.cleaned_data.get("abstract"), label="abstract")

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        try:
            if body.strip() and not looks_like_html(body):
                # Pasted plain text keeps its paragraphs.
                body = plain_text_to_html(body)
            return clean_body_html(body)
        except UnsafeHTMLError as error:
            raise forms.ValidationError(
                f"The body can't be saved: {error} Simplify the markup or paste it as plain text.",
                code="unsafe_html",
            ) from error

    def clean_source_name(self):
        return _plain(self.cleaned_data.get("source_name"), label="publication", required=False)

    def clean_doi(self):
        doi = _plain(self.cleaned_data.get("doi"), label="DOI", required=False)
        # Editors paste DOIs as links or with a "doi:" prefix; store the bare DOI.
        return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)

    def clean_source_url(self):
        url = (self.cleaned_data.get("source_url") or "").strip()
        if url and not is_http_url(url):
            raise forms.ValidationError(
                "The original URL must start with http:// or https://.", code="scheme"
            )
        return url

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = unique_slug(Article, cleaned["title"], exclude_pk=self.instance.pk)
        return cleaned


class AuthorAdminForm(forms.ModelForm):
    slug = _slug_field()

    class Meta:
        model = Author
        fields = ["name", "slug", "affiliation", "bio"]

    def clean_name(self):
        return _plain(self.cleaned_data.get("name"), label="name", required=True)

    def clean_affiliation(self):
        return _plain(self.cleaned_data.get("affiliation"), label="affiliation", required=False)

    def clean_bio(self):
        return _plain_paragraphs(self.cleaned_data.get("bio"), label="bio")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = unique_slug(
                Author, cleaned["name"], exclude_pk=self.instance.pk, fallback="author"
            )
        return cleaned


class KeywordAdminForm(forms.ModelForm):
    slug = _slug_field()

    class Meta:
        model = Keyword
        fields = ["name", "slug"]

    def clean_name(self):
        name = _plain(self.cleaned_data.get("name"), label="keyword", required=True).strip(" .;,")
        if not name:
            raise forms.ValidationError("The keyword is empty once punctuation is removed.", code="empty")
        other = (
            Keyword.objects.annotate(lname=Lower("name"))
            .filter(lname=name.lower())
            .exclude(pk=self.instance.pk)
            .first()
        )
        if other is not None:
            raise forms.ValidationError(
                f"The keyword “{other.name}” already exists (keywords ignore case). "
                "To combine the two, select both in the keyword list and merge them.",
                code="duplicate",
            )
        return name

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = unique_slug(
                Keyword, cleaned["name"], exclude_pk=self.instance.pk, fallback="keyword"
            )
        return cleaned


class MergeForm(forms.Form):
    """Which of the selected records to keep."""

    keep = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset
