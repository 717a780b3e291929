"""Admin forms: every field that stores content is sanitised here, with a clear error when it can't be.

Titles, names and keywords become plain text (`clean_text`), bodies safe HTML (`clean_body_html`),
source URLs are http(s) only. Slugs left empty are generated from the title or name.
"""

import re

from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

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


def _plain(value, *, empty=None):
    """Plain text; `empty` is the error for a required field left empty once markup is removed
    (a whole sentence per field, which translates better than a label set into one)."""
    try:
        text = clean_text(value)
    except UnsafeHTMLError as error:
        raise forms.ValidationError(str(error), code="too_large") from error
    if empty and not text:
        raise forms.ValidationError(empty, code="empty")
    return text


def _plain_paragraphs(value, *, too_large):
    """Plain text that keeps its paragraphs (blank-line separated), for abstracts and bios."""
    try:
        paragraphs = [clean_text(part) for part in re.split(r"\n\s*\n", value or "")]
    except UnsafeHTMLError as error:
        raise forms.ValidationError(too_large, code="too_large", params={"error": error}) from error
    return "\n\n".join(part for part in paragraphs if part)


def _slug_field():
    return forms.SlugField(
        label=_("Slug"),
        max_length=SLUG_MAX_LENGTH,
        allow_unicode=True,
        required=False,
        help_text=_("Leave empty to make one from the title or name."),
    )


class ArticleAdminForm(forms.ModelForm):
    slug = _slug_field()
    source_url = forms.URLField(
        label=_("Original URL"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("Where the piece was first published (http or https)."),
    )

    class Meta:
        model = Article
        fields = [
            "title", "subtitle", "slug", "status", "date", "kind", "language", "abstract", "body",
            "keywords", "source_name", "source_volume", "source_issue", "source_pages", "doi", "source_url",
            "linked_translations",
        ]  # fmt: skip

    def clean_title(self):
        return _plain(self.cleaned_data.get("title"), empty=_("The title is empty once markup is removed."))

    def clean_subtitle(self):
        return _plain(self.cleaned_data.get("subtitle"))

    def clean_abstract(self):
        return _plain_paragraphs(self.cleaned_data.get("abstract"), too_large=_("The abstract: %(error)s"))

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        try:
            if body.strip() and not looks_like_html(body):
                # Pasted plain text keeps its paragraphs.
                body = plain_text_to_html(body)
            return clean_body_html(body)
        except UnsafeHTMLError as error:
            raise forms.ValidationError(
                _("The body can't be saved: %(error)s Simplify the markup or paste it as plain text."),
                code="unsafe_html",
                params={"error": error},
            ) from error

    def clean_source_name(self):
        return _plain(self.cleaned_data.get("source_name"))

    def clean_doi(self):
        doi = _plain(self.cleaned_data.get("doi"))
        # Editors paste DOIs as links or with a "doi:" prefix; store the bare DOI.
        return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)

    def clean_source_url(self):
        url = (self.cleaned_data.get("source_url") or "").strip()
        if url and not is_http_url(url):
            raise forms.ValidationError(
                _("The original URL must start with http:// or https://."), code="scheme"
            )
        return url

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = unique_slug(Article, cleaned["title"], exclude_pk=self.instance.pk)
        # The same rules as article_set_linked_translations, named on the field.
        for other in cleaned.get("linked_translations") or ():
            if self.instance.pk is not None and other.pk == self.instance.pk:
                self.add_error("linked_translations", _("A piece cannot be linked to itself."))
            elif other.language == cleaned.get("language"):
                message = _("“%(title)s” is in the same language as this piece.") % {"title": other.title}
                self.add_error("linked_translations", message)
        return cleaned


class AuthorAdminForm(forms.ModelForm):
    slug = _slug_field()

    class Meta:
        model = Author
        fields = ["name", "slug", "affiliation", "bio"]

    def clean_name(self):
        return _plain(self.cleaned_data.get("name"), empty=_("The name is empty once markup is removed."))

    def clean_affiliation(self):
        return _plain(self.cleaned_data.get("affiliation"))

    def clean_bio(self):
        return _plain_paragraphs(self.cleaned_data.get("bio"), too_large=_("The bio: %(error)s"))

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
        name = _plain(self.cleaned_data.get("name"), empty=_("The keyword is empty once markup is removed."))
        name = name.strip(" .;,")
        if not name:
            raise forms.ValidationError(_("The keyword is empty once punctuation is removed."), code="empty")
        other = (
            Keyword.objects.annotate(lname=Lower("name"))
            .filter(lname=name.lower())
            .exclude(pk=self.instance.pk)
            .first()
        )
        if other is not None:
            raise forms.ValidationError(
                _(
                    "The keyword “%(name)s” already exists (keywords ignore case). "
                    "To combine the two, select both in the keyword list and merge them."
                ),
                code="duplicate",
                params={"name": other.name},
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
