"""The archive's search, as the rest of the site sees it.

Views, the JSON API, feeds and exports call these functions and nothing else; none of them
touches Haystack or Whoosh. Everything public goes through the same filter: published pieces
whose date has arrived.

- `SearchParams.from_querydict(request.GET)` never raises: bad values are dropped and named in
  `params.errors`.
- `run_search(params)` -> `SearchResults` (count, hits with escaped <mark> snippets, facets,
  suggestion, page, num_pages, note).
- `search_article_ids(params, limit=...)` -> article ids in result order (feeds, exports).
- `autocomplete(prefix)` -> [{label, url, type}] for titles, authors and keywords.
- `related_articles(article)` -> public articles like this one (more-like-this).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from archive.articles.models import Article

SORTS = ("relevance", "newest", "oldest")
FACET_NAMES = ("author", "keyword", "kind", "language", "year")

# Caps on what reaches the engine (documented in the README, "Search").
MAX_QUERY_CHARS = 500
MAX_PARAM_CHARS = 200
MAX_PAGE = 500


@dataclass
class SearchParams:
    q: str = ""
    author: str = ""  # author slug
    keyword: str = ""  # keyword slug
    kind: str = ""
    language: str = ""
    year: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    errors: dict = field(default_factory=dict)

    @property
    def has_filters(self):
        return bool(
            self.author
            or self.keyword
            or self.kind
            or self.language
            or self.year
            or self.date_from
            or self.date_to
        )

    @property
    def is_empty(self):
        """Nothing asked: the page shows the form only."""
        return not self.q.strip() and not self.has_filters

    @classmethod
    def from_querydict(cls, querydict):
        """Parameters from a GET query dict (or any mapping). Never raises."""
        errors = {}

        def get(name):
            try:
                value = querydict.get(name, "")
            except Exception:  # a mapping that misbehaves is treated as empty
                value = ""
            if value is None:
                return ""
            value = str(value).replace("\x00", "")
            if name != "q" and len(value) > MAX_PARAM_CHARS:
                errors[name] = "Too long."
                return ""
            return value.strip()

        params = cls(errors=errors)
        params.q = get("q")
        for name in ("author", "keyword"):
            value = get(name)
            if value and not _is_slug(value):
                errors[name] = "Not a valid slug."
                value = ""
            setattr(params, name, value)
        kind = get("kind")
        if kind and kind not in Article.Kind.values:
            errors["kind"] = "Unknown kind."
            kind = ""
        params.kind = kind
        language = get("language")
        if language and language not in Article.Language.values:
            errors["language"] = "Unknown language."
            language = ""
        params.language = language
        year = get("year")
        if year:
            if year.isdigit() and 1000 <= int(year) <= 9999:
                params.year = int(year)
            else:
                errors["year"] = "Enter a four-digit year."
        for name in ("date_from", "date_to"):
            value = get(name)
            if value:
                try:
                    setattr(params, name, datetime.date.fromisoformat(value))
                except ValueError:
                    errors[name] = "Enter a date as YYYY-MM-DD."
        if params.date_from and params.date_to and params.date_from > params.date_to:
            errors["date_to"] = "The end date is before the start date."
            params.date_to = None
        sort = get("sort")
        if sort and sort not in SORTS:
            errors["sort"] = "Unknown sort order."
            sort = ""
        params.sort = sort or "relevance"
        page = get("page")
        if page:
            if page.isdigit() and 1 <= int(page) <= MAX_PAGE:
                params.page = int(page)
            else:
                errors["page"] = "No such page."
        return params

    def to_querydict(self, **overrides):
        """The parameters as a plain dict of non-empty strings (for links that change one of them)."""
        values = {
            "q": self.q,
            "author": self.author,
            "keyword": self.keyword,
            "kind": self.kind,
            "language": self.language,
            "year": self.year or "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "sort": "" if self.sort == "relevance" else self.sort,
            "page": "" if self.page == 1 else self.page,
        }
        values.update(overrides)
        return {key: str(value) for key, value in values.items() if value not in ("", None)}


def _is_slug(value):
    return all(ch.isalnum() or ch in "-_" for ch in value)


@dataclass
class SearchHit:
    pk: int
    title: str
    url: str
    authors: list
    author_slugs: list
    date: datetime.date
    kind: str
    language: str
    snippet: str  # safe HTML: escaped text with <mark> around matches
    score: float = 0.0

    @property
    def text_direction(self):
        return "rtl" if self.language in Article.RTL_LANGUAGES else "ltr"

    @property
    def kind_label(self):
        return Article.Kind(self.kind).label if self.kind in Article.Kind.values else self.kind

    @property
    def author_links(self):
        return list(zip(self.authors, self.author_slugs, strict=False))


@dataclass
class SearchResults:
    params: SearchParams
    count: int = 0
    hits: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)
    suggestion: str | None = None
    page: int = 1
    num_pages: int = 0
    per_page: int = 20
    note: str = ""

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def has_previous(self):
        return self.page > 1

    def year_histogram(self):
        return year_histogram(self)


def run_search(params, *, per_page=None):
    """Search with `params`; a page of hits plus facets. Never raises for any user input."""
    from archive.search import engine

    per_page = per_page or settings.ARCHIVE_PAGE_SIZE
    return engine.search(params, per_page=per_page)


def search_article_ids(params, *, limit=100):
    """Ids of the matching public articles in result order, at most `limit` (feeds, exports)."""
    from archive.search import engine

    return engine.search_ids(params, limit=limit)


def autocomplete(prefix, *, limit=8):
    """Titles, authors and keywords starting with `prefix` (public only): [{label, url, type}]."""
    from archive.search import engine

    return engine.autocomplete(prefix, limit=limit)


def related_articles(article, *, limit=5):
    """Public articles most like `article` (more-like-this), best first."""
    from archive.search import engine

    return engine.related(article, limit=limit)


def year_histogram(results):
    """[{value, label, count}] per year, oldest first (the year facet, in calendar order)."""
    return sorted(results.facets.get("year", []), key=lambda item: item["value"])
