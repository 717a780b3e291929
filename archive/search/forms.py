"""Every search request, validated and normalised in one place: the search page, the JSON API,
the search feeds and the exports all read their parameters through `SearchForm`.

A search never fails on its parameters: a bad value is dropped and named in `errors` (the page
shows it, the API returns it), and the rest of the search goes on. The filters are the schema's
(`archive.search.schema.FILTERS`), so a new filter needs no change here.
"""

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.articles.i18n import TO_LATIN, parse_local_date
from archive.search import schema
from archive.search.query import parse

SORTS = (
    ("relevance", gettext_lazy("Relevance")),
    ("newest", gettext_lazy("Newest first")),
    ("oldest", gettext_lazy("Oldest first")),
)
MAX_PAGE = 500
# Characters a request's value may have (the query excepted, which the query language caps).
MAX_PARAM_CHARS = 300
# Characters XML 1.0 forbids, and NUL: nothing a reader typed needs them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


_DIGITS = TO_LATIN
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d/%m/%Y", "%d.%m.%Y")
_MONTH_FORMATS = ("%B %Y", "%b %Y", "%Y-%m", "%m/%Y")


class ReaderDateField(forms.DateField):
    """A date as readers write it, or as the site shows it: 2012-10-25, 25 October 2012,
    October 25, 2012, October 2012, 2012-10, 2012, with Latin, Persian or Arabic-Indic digits; in
    the Solar Hijri calendar (1391-08-04, ۴ آبان ۱۳۹۱, آبان ۱۳۹۱, 1391) and with Persian or
    Arabic month names (٢٥ أكتوبر ٢٠١٢), read by archive.articles.i18n. A month or a year alone
    means its first day, or its last with `end`."""

    def __init__(self, *, end=False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        text = " ".join(str(value or "").translate(_DIGITS).replace(",", " ").split())
        if not text:
            return None
        try:
            local = parse_local_date(text, end=self.end)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if local is not None:
            return local
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if re.fullmatch(r"\d{4}", text):
            return datetime.date(int(text), 12, 31) if self.end else datetime.date(int(text), 1, 1)
        for fmt in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        for fmt in _MONTH_FORMATS:
            try:
                first = datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if not self.end:
                return first
            following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return following - datetime.timedelta(days=1)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def _filter_form():
    """The filters readers choose (the schema's, plus a date range), as one Form class: the
    search form is one, and the JSON API's article list (archive.interop.forms) another."""
    attrs = {f.name: f.form_field() for f in schema.FILTERS}
    attrs["date_from"] = ReaderDateField(required=False)
    attrs["date_to"] = ReaderDateField(required=False, end=True)
    attrs["__module__"] = __name__
    attrs["__doc__"] = "The filters of a search, from the schema, and a date range."
    return type(forms.Form)("FilterForm", (forms.Form,), attrs)


FilterForm = _filter_form()


class SearchForm(FilterForm):
    q = forms.CharField(required=False, strip=True)
    sort = forms.ChoiceField(choices=SORTS, required=False)
    page = forms.IntegerField(
        min_value=1,
        max_value=MAX_PAGE,
        required=False,
        error_messages={"invalid": gettext_lazy("No such page.")},
    )
    page_size = forms.IntegerField(min_value=1, required=False)
    # "Search instead for" the words as typed: no spelling correction.
    exact = forms.BooleanField(required=False)

    def __init__(self, data=None, **kwargs):
        data, self._too_long = _cleaned_input(data)
        super().__init__(data, **kwargs)
        largest = settings.ARCHIVE_API_MAX_PAGE_SIZE
        self.fields["page_size"].validators = [MinValueValidator(1), MaxValueValidator(largest)]
        for name, f in self.fields.items():
            messages = {key: str(text).format(max=largest) for key, text in _MESSAGES.get(name, {}).items()}
            f.error_messages = {**f.error_messages, **messages}

    def clean(self):
        data = super().clean()
        for name in self._too_long & set(self.fields):
            self.add_error(name, _("Too long."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def request(self):
        """The SearchRequest: valid values, and the errors of the rest."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return SearchRequest(
            q=data.get("q") or "",
            filters={f.name: data[f.name] for f in schema.FILTERS if data.get(f.name) not in (None, "")},
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
            page_size=data.get("page_size"),
            exact=bool(data.get("exact")),
            errors={name: " ".join(str(m) for m in messages) for name, messages in self.errors.items()},
        )


_NO_PAGE = gettext_lazy("No such page.")
_NUMBER = gettext_lazy("Enter a number from 1 to {max}.")
_YEAR = gettext_lazy("Enter a year from 1 to 9999.")
_DATE = gettext_lazy("Enter a date such as 25 October 2012, 2012-10-25 or 2012.")
_SLUG = gettext_lazy("Not a valid slug.")
_MESSAGES = {
    "page": {"min_value": _NO_PAGE, "max_value": _NO_PAGE},
    "page_size": {"invalid": _NUMBER, "min_value": _NUMBER, "max_value": _NUMBER},
    "year": {"invalid": _YEAR, "min_value": _YEAR, "max_value": _YEAR},
    "date_from": {"invalid": _DATE},
    "date_to": {"invalid": _DATE},
    "sort": {"invalid_choice": gettext_lazy("Unknown sort order.")},
    "kind": {"invalid_choice": gettext_lazy("Unknown kind.")},
    "language": {"invalid_choice": gettext_lazy("Unknown language.")},
    "author": {"invalid": _SLUG},
    "keyword": {"invalid": _SLUG},
}


def _cleaned_input(data):
    """(the request's values as single strings without control characters, the names of values
    too long to be anything but noise: they are dropped, and the form names them)."""
    if data is None:
        return None, set()
    out, too_long = {}, set()
    for key in list(data.keys()):
        try:
            value = data.get(key, "")
        except Exception:  # a mapping that misbehaves is treated as empty
            value = ""
        value = _CONTROL.sub("", "" if value is None else str(value))
        if key != "q" and len(value) > MAX_PARAM_CHARS:
            too_long.add(key)
            value = ""
        out[key] = value
    return out, too_long


@dataclass
class SearchRequest:
    """One search, as the form made it."""

    q: str = ""
    filters: dict = field(default_factory=dict)  # {schema filter name: value}
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int | None = None  # None: ARCHIVE_PAGE_SIZE
    exact: bool = False
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_querydict(cls, querydict):
        """The request of a GET query dict (or any mapping). Never raises."""
        return SearchForm(querydict).request()

    @cached_property
    def query(self):
        return parse(self.q, exact=self.exact)

    def with_query(self, query):
        """This request asking `query` instead of what `q` parses to (a loosened query)."""
        other = dataclasses.replace(self)
        other.query = query
        return other

    @property
    def has_filters(self):
        return bool(self.filters or self.date_from or self.date_to)

    @property
    def is_empty(self):
        """Nothing asked: the page shows the help, the whole archive's facets and the latest pieces."""
        return not self.q.strip() and not self.has_filters

    def key(self):
        """Hashable: identical requests share a cached answer."""
        return (
            self.q,
            tuple(sorted((name, str(value)) for name, value in self.filters.items())),
            self.date_from,
            self.date_to,
            self.sort,
            self.page,
            self.page_size,
            self.exact,
        )

    def to_querydict(self, **overrides):
        """The parameters as a dict of non-empty strings (for links that change one of them)."""
        values = {
            "q": self.q,
            **{f.name: self.filters.get(f.name, "") for f in schema.FILTERS},
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "sort": "" if self.sort == "relevance" else self.sort,
            "page": "" if self.page == 1 else self.page,
            "page_size": self.page_size or "",
            "exact": "1" if self.exact else "",
        }
        values.update(overrides)
        return {key: str(value) for key, value in values.items() if value not in ("", None)}

    def filter(self, name):
        return self.filters.get(name, "")
