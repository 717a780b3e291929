"""Forms of the admin upload: the files, then the check form of one read file.

The check form is the archive JSON object (`fields_json`, after `is_valid`) that the import
service takes, plus the editor's choices: each author row linked to an existing author or a new
one, and whether saving creates a new article or updates a likely duplicate.
"""

import re

from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from archive.articles.models import Article, Author
from archive.articles.text import normalise_for_identity
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
        label=_("Files"),
        help_text=_("PDF, Word (.docx), HTML, plain text or Markdown; one or several (at most 50 at once)."),
    )


NEW = "new"


def authors_like(name):
    """Existing authors who may be `name`: the same name once case, accents and punctuation are
    ignored, or the same family name and first initial. At most five, the closest first."""
    wanted = normalise_for_identity(name)
    if not wanted:
        return []
    family = wanted.split()[-1]
    rows = (
        Author.objects.annotate(lname=Lower("name"))
        .filter(lname__contains=family)
        .order_by("name", "id")[:50]
    )
    exact, close = [], []
    for author in rows:
        theirs = normalise_for_identity(author.name)
        if theirs == wanted:
            exact.append(author)
        elif theirs.split()[-1:] == [family] and theirs[:1] == wanted[:1]:
            close.append(author)
    return (exact + close)[:5]


def free_text_reads_its_own_way(form):
    """Text fields take their direction from what is typed in them (dir="auto"): an English title
    reads left to right on a Persian or Arabic admin page, and the reverse."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.TextInput | forms.Textarea):
            field.widget.attrs.setdefault("dir", "auto")


class AuthorRowForm(forms.Form):
    """One author of the byline: name, affiliation, and which author record it is."""

    name = forms.CharField(label=_("Name"), max_length=255, required=False)
    affiliation = forms.CharField(label=_("Affiliation"), max_length=500, required=False)
    match = forms.ChoiceField(label=_("Author record"), required=False, choices=[(NEW, _("New author"))])
    DELETE = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        free_text_reads_its_own_way(self)
        name = self.data.get(self.add_prefix("name")) if self.is_bound else self.initial.get("name")
        self.candidates = authors_like(name or "")
        choices = [(NEW, _("New author"))]
        for author in self.candidates:
            label = author.name + (f" ({author.affiliation})" if author.affiliation else "")
            choices.insert(-1, (str(author.pk), _("Link to %(author)s") % {"author": label}))
        self.fields["match"].choices = choices
        if not self.is_bound and "match" not in self.initial:
            exact = [
                a for a in self.candidates if normalise_for_identity(a.name) == normalise_for_identity(name)
            ]
            self.initial["match"] = str(exact[0].pk) if exact else NEW

    def clean(self):
        data = super().clean()
        if data.get("match") not in (None, "", NEW) and not data.get("DELETE"):
            data["author"] = next((a for a in self.candidates if str(a.pk) == data["match"]), None)
            if data["author"] is None:
                self.add_error("match", _("Choose one of the authors listed."))
        return data


AuthorRowFormSet = forms.formset_factory(AuthorRowForm, extra=2, max_num=100, can_delete=False)


def authors_text(authors):
    """A byline as text: one author a line, `Name | Affiliation`."""
    return "\n".join(f"{a['name']} | {a['affiliation']}" if a["affiliation"] else a["name"] for a in authors)


def parse_authors_text(text):
    authors = []
    for line in (text or "").splitlines():
        if line.strip():
            name, _sep, affiliation = line.partition("|")
            authors.append({"name": name.strip(), "affiliation": affiliation.strip()})
    return authors


_SIMPLE_PARAGRAPHS = re.compile(r"^\s*(<p>[^<>]*</p>\s*)*$")


def body_for_editing(body_html):
    """The body as an editor edits it: plain paragraphs (blank-line separated) when it is nothing
    but paragraphs of text, else its (sanitised) HTML."""
    if _SIMPLE_PARAGRAPHS.match(body_html or ""):
        import html

        paragraphs = re.findall(r"<p>([^<>]*)</p>", body_html)
        return "\n\n".join(html.unescape(p) for p in paragraphs)
    return body_html


class ArticleDraftForm(forms.Form):
    """An extracted piece for the editor to check. `fields_json` (after is_valid) is the archive
    JSON object the import service takes."""

    title = forms.CharField(
        label=_("Title"), max_length=500, widget=forms.TextInput(attrs={"class": "check-wide"})
    )
    subtitle = forms.CharField(
        label=_("Subtitle"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "check-wide"}),
    )
    authors = forms.CharField(
        label=_("Authors as text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "check-wide"}),
        help_text=_(
            "One author per line, in byline order: Name | Affiliation. Editing this replaces the rows above."
        ),
    )
    authors_initial = forms.CharField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(
        label=_("Date"),
        help_text=_("Publication date. A future date keeps a published piece hidden until then."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Article.Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Article.Language.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices)
    abstract = forms.CharField(
        label=_("Abstract"), required=False, widget=forms.Textarea(attrs={"rows": 5, "class": "check-wide"})
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "check-wide"}),
        help_text=_("Paragraphs separated by a blank line, or HTML; sanitised when saved."),
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        widget=forms.TextInput(attrs={"class": "check-wide"}),
        help_text=_("Separated by commas or semicolons."),
    )
    source_name = forms.CharField(label=_("Publication or journal"), max_length=300, required=False)
    source_volume = forms.CharField(label=_("Volume"), max_length=50, required=False)
    source_issue = forms.CharField(label=_("Issue"), max_length=50, required=False)
    source_pages = forms.CharField(label=_("Pages"), max_length=50, required=False)
    doi = forms.CharField(label=_("DOI"), max_length=255, required=False)
    source_url = forms.CharField(label=_("Original URL"), max_length=1000, required=False)
    target = forms.ChoiceField(
        label=_("Save as"), required=False, widget=forms.RadioSelect, choices=[(NEW, "")]
    )

    FIELD_OF_ERROR = {
        "source.url": "source_url",
        "authors": "authors",
        "keywords": "keywords",
        "title": "title",
    }

    def __init__(self, *args, targets=(), authors_formset=None, **kwargs):
        super().__init__(*args, **kwargs)
        free_text_reads_its_own_way(self)
        self.authors_formset = authors_formset
        choices = [(NEW, _("A new article"))]
        for article in targets:
            choices.append((str(article.pk), _("An update of “%(title)s” (%(date)s)") % {
                "title": article.title, "date": article.date.isoformat()}))  # fmt: skip
        self.fields["target"].choices = choices
        self.targets = {str(a.pk): a for a in targets}

    @classmethod
    def initial_from_fields(cls, obj, *, target=NEW):
        """Form initial data from an archive JSON object."""
        byline = authors_text(obj["authors"])
        return {
            "title": obj["title"],
            "subtitle": obj["subtitle"],
            "authors": byline,
            "authors_initial": byline,
            "date": obj["date"] or None,
            "kind": obj["kind"] or "commentary",
            "language": obj["language"] or "en",
            "status": obj["status"] or "draft",
            "abstract": obj["abstract"],
            "body": body_for_editing(obj["body"]),
            "keywords": "; ".join(obj["keywords"]),
            "source_name": obj["source"]["name"],
            "source_volume": obj["source"]["volume"],
            "source_issue": obj["source"]["issue"],
            "source_pages": obj["source"]["pages"],
            "doi": obj["source"]["doi"],
            "source_url": obj["source"]["url"],
            "target": target,
        }

    def _byline(self, data):
        """The authors as {name, affiliation} objects, and the author records the editor chose
        (an Author, or {"name", "affiliation", "new": True} for a new one) when they came from
        the rows. The text wins when the editor changed it (or no rows were sent)."""
        text_changed = (data.get("authors") or "").strip() != (data.get("authors_initial") or "").strip()
        rows = self.authors_formset
        if rows is None or text_changed or not rows.is_bound:
            return parse_authors_text(data.get("authors")), None
        byline, records = [], []
        for row in rows.forms:
            values = row.cleaned_data
            name = " ".join((values.get("name") or "").split())
            if not name or values.get("DELETE"):
                continue
            affiliation = (values.get("affiliation") or "").strip()
            byline.append({"name": name, "affiliation": affiliation})
            author = values.get("author")
            records.append(
                author if author is not None else {"name": name, "affiliation": affiliation, "new": True}
            )
        return byline, records

    def clean(self):
        data = super().clean()
        if (
            self.authors_formset is not None
            and self.authors_formset.is_bound
            and not self.authors_formset.is_valid()
        ):
            self.add_error(None, _("Check the authors."))
        if self.errors:
            return data
        byline, self.author_records = self._byline(data)
        keywords = [k.strip() for k in re.split(r"[;,]", data["keywords"]) if k.strip()]
        obj = {
            "title": data["title"],
            "subtitle": data["subtitle"],
            "authors": byline,
            "date": data["date"].isoformat(),
            "kind": data["kind"],
            "language": data["language"],
            "abstract": data["abstract"],
            "body": data["body"],  # HTML is sanitised, plain text becomes paragraphs (clean_item)
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
            field = next((f for f in self.FIELD_OF_ERROR if f"“{f}" in message), None)
            target = self.FIELD_OF_ERROR.get(field)
            self.add_error(target if target in self.fields else None, message)
        self.target_article = self.targets.get(data.get("target") or NEW)
        return data
