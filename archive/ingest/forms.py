"""Forms of the admin upload: the files, then one pre-filled article form per file."""

import re

from django import forms

from archive.articles.models import Article
from archive.ingest.archive_json import ItemError, clean_item


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.html,.htm,.txt,.md"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="PDF, Word (.docx), HTML, plain text or Markdown; one or several (at most 50 at once).",
    )


class ArticleDraftForm(forms.Form):
    """An extracted piece for the editor to check. `fields` (after is_valid) is the archive JSON
    object the import service takes."""

    title = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"class": "vTextField"}))
    subtitle = forms.CharField(
        max_length=500, required=False, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    authors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text="One author per line, in byline order: Name | Affiliation",
    )
    date = forms.DateField(
        help_text="Publication date, YYYY-MM-DD. A future date keeps a published piece hidden until then."
    )
    kind = forms.ChoiceField(choices=Article.Kind.choices)
    language = forms.ChoiceField(choices=Article.Language.choices)
    status = forms.ChoiceField(choices=Article.Status.choices)
    abstract = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"})
    )
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "vLargeTextField"}),
        help_text="HTML paragraphs; sanitised when saved.",
    )
    keywords = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="Separated by commas or semicolons.",
    )
    source_name = forms.CharField(label="Publication or journal", max_length=300, required=False)
    source_volume = forms.CharField(label="Volume", max_length=50, required=False)
    source_issue = forms.CharField(label="Issue", max_length=50, required=False)
    source_pages = forms.CharField(label="Pages", max_length=50, required=False)
    doi = forms.CharField(label="DOI", max_length=255, required=False)
    source_url = forms.CharField(label="Original URL", max_length=1000, required=False)

    @classmethod
    def initial_from_fields(cls, obj):
        """Form initial data from an archive JSON object."""
        return {
            "title": obj["title"],
            "subtitle": obj["subtitle"],
            "authors": "\n".join(
                f"{a['name']} | {a['affiliation']}" if a["affiliation"] else a["name"] for a in obj["authors"]
            ),
            "date": obj["date"] or None,
            "kind": obj["kind"] or "commentary",
            "language": obj["language"] or "en",
            "status": obj["status"] or "draft",
            "abstract": obj["abstract"],
            "body": obj["body"],
            "keywords": "; ".join(obj["keywords"]),
            "source_name": obj["source"]["name"],
            "source_volume": obj["source"]["volume"],
            "source_issue": obj["source"]["issue"],
            "source_pages": obj["source"]["pages"],
            "doi": obj["source"]["doi"],
            "source_url": obj["source"]["url"],
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        authors = []
        for line in data["authors"].splitlines():
            if line.strip():
                name, _, affiliation = line.partition("|")
                authors.append({"name": name.strip(), "affiliation": affiliation.strip()})
        keywords = [k.strip() for k in re.split(r"[;,]", data["keywords"]) if k.strip()]
        obj = {
            "title": data["title"],
            "subtitle": data["subtitle"],
            "authors": authors,
            "date": data["date"].isoformat(),
            "kind": data["kind"],
            "language": data["language"],
            "abstract": data["abstract"],
            "body": data["body"],
            "keywords": keywords,
            "source": {
                "name": data["source_name"],
                "volume": data["source_volume"],
                "issue": data["source_issue"],
                "pages": data["source_pages"],
                "doi": data["doi"],
                "url": data["source_url"],
            },
            "status": data["status"],
        }
        try:
            self.fields_json = clean_item(obj)
        except ItemError as error:
            message = str(error).removeprefix("The piece: ")
            field = next(
                (f for f in ("source.url", "authors", "keywords", "title") if f"“{f}" in message), None
            )
            target = {"source.url": "source_url"}.get(field, field)
            self.add_error(target if target in self.fields else None, message)
        return data
