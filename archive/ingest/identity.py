"""Which article an incoming piece is: identity that never loses a piece.

Identity is decided in this order, the first key that settles it wins:

1. **DOI**: an article imported with this DOI (`import_ref` "doi:…") or carrying it, in any case.
2. **Original URL**: an article imported from this URL or carrying it, unless the two have
   different DOIs (then they are two pieces).
3. **File hash** (sha256 of the original file), unless the two have different DOIs or URLs.
4. **Title + authors + date**: the same normalised title, the same authors in the same order and
   the same date, with no DOI, URL or file that tells them apart.

Anything short of that is not certain: the same normalised title and first author, but other
authors, another date, or a different DOI, URL or file. Such an article is returned as a *likely
duplicate*: the import saves the piece as a new article and says so in its report's `warnings`;
the upload's check screen shows it with a link, and the editor chooses. Nothing is merged
silently: in a 1,400-item import of a public collection the old rule (same title and first
author = the same piece) made 35 pieces with their own DOIs overwrite each other.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower

from archive.articles.models import Article, title_key
from archive.articles.services import article_identity
from archive.articles.text import normalise_for_identity

# How many articles with the same normalised title are compared (a title like "Editorial"
# may be shared by thousands; the first few hundred are plenty to flag one).
MAX_TITLE_CANDIDATES = 200


@dataclass
class Likely:
    """An article that shares something with the piece. `separate` when a DOI or URL tells them
    apart (shown to the editor, but two pieces for sure); otherwise a likely duplicate."""

    article: Article
    reason: str
    separate: bool = False


@dataclass
class Identity:
    """`article` is the piece itself (certain), with `reason` ("the same DOI" ...); `likely` lists
    the articles that may be the piece, for the editor to judge."""

    article: Article | None = None
    reason: str = ""
    likely: list = field(default_factory=list)

    @property
    def duplicates(self):
        """The likely duplicates that are not known to be separate pieces."""
        return [item for item in self.likely if not item.separate]


def import_ref_for(fields):
    """The identity stored with a new piece (`Article.import_ref`): DOI, else URL, else normalised
    title + first author."""
    doi, url = _doi(fields), fields["source"]["url"]
    if doi:
        return f"doi:{doi}"[:300]
    if url:
        return f"url:{url}"[:300]
    first = fields["authors"][0]["name"] if fields["authors"] else ""
    return article_identity(title=fields["title"], first_author_name=first)


def free_import_ref(fields, *, exclude_pk=None):
    """`import_ref_for(fields)`, or when another article holds it (a likely duplicate saved as a
    piece of its own), the same with the date added; "" when that is taken too."""
    ref = import_ref_for(fields)
    taken = Article.objects.exclude(pk=exclude_pk)
    if not taken.filter(import_ref=ref).exists():
        return ref
    dated = f"{ref}|{fields['date']}"[:300]
    return "" if taken.filter(import_ref=dated).exists() else dated


def _doi(fields):
    return fields["source"]["doi"].strip().lower()


def identify(fields, *, sha256=""):
    """The Identity of the piece described by `fields` (archive JSON, cleaned) and its file."""
    doi, url = _doi(fields), fields["source"]["url"]
    identity = Identity()
    seen = set()

    def conflict(article, *, file=False):
        """What tells `article` apart from the piece ("" when nothing does)."""
        if doi and article.doi and article.doi.strip().lower() != doi:
            return "a different DOI"
        if url and article.source_url and article.source_url != url:
            return "a different original URL"
        if file and sha256 and article.original_sha256 and article.original_sha256 != sha256:
            return "a different file"
        return ""

    def consider(articles, reason, *, file=False):
        for article in articles:
            if article.pk in seen:
                continue
            seen.add(article.pk)
            why_not = conflict(article, file=file)
            if why_not:
                identity.likely.append(Likely(article, f"{reason}, but {why_not}", _separate(why_not)))
            elif identity.article is None:
                identity.article, identity.reason = article, reason
        return identity.article is not None

    if doi:
        by_ref = Article.objects.filter(import_ref=f"doi:{doi}"[:300]).order_by("id")
        if by_ref:  # the identity it was imported with holds, whatever the DOI was edited to since
            identity.article, identity.reason = by_ref[0], "the same DOI"
            return identity
        by_column = Article.objects.annotate(ldoi=Lower("doi")).filter(ldoi=doi).order_by("id")[:20]
        if consider(by_column, "the same DOI"):
            return identity
    if url:
        by_url = Article.objects.filter(Q(import_ref=f"url:{url}"[:300]) | Q(source_url=url)).order_by("id")
        if consider(by_url[:20], "the same original URL"):
            return identity
    if sha256:
        by_file = Article.objects.filter(original_sha256=sha256).order_by("id")[:20]
        if consider(by_file, "the same file"):
            return identity
    _title_candidates(identity, fields, seen, conflict)
    return identity


def _same_title_and_first_author(article, title, first):
    authors = article.ordered_authors
    return (
        normalise_for_identity(article.title) == title
        and normalise_for_identity(authors[0].name if authors else "") == first
    )


def _title_rows(fields):
    title = normalise_for_identity(fields["title"])
    if not title:
        return title, "", []
    first = normalise_for_identity(fields["authors"][0]["name"] if fields["authors"] else "")
    rows = (
        Article.objects.filter(title_key=title_key(fields["title"]))
        .prefetch_related("authorships__author")
        .order_by("id")[:MAX_TITLE_CANDIDATES]
    )
    return title, first, rows


def _title_candidates(identity, fields, seen, conflict):
    title, first, rows = _title_rows(fields)
    authors = [normalise_for_identity(a["name"]) for a in fields["authors"]]
    for article in rows:
        if article.pk in seen or not _same_title_and_first_author(article, title, first):
            continue
        seen.add(article.pk)
        why_not = conflict(article, file=True)
        same_rest = [normalise_for_identity(a.name) for a in article.ordered_authors] == authors and (
            article.date.isoformat() == fields["date"]
        )
        if why_not:
            reason = f"the same title and first author, but {why_not}"
            identity.likely.append(Likely(article, reason, _separate(why_not)))
        elif same_rest and identity.article is None:
            identity.article, identity.reason = article, "the same title, authors and date"
        else:
            identity.likely.append(Likely(article, _title_reason(article, fields, authors)))


def _separate(why_not):
    return why_not != "a different file"


def _title_reason(article, fields, authors):
    if article.date.isoformat() != fields["date"]:
        return f"the same title and first author, but another date ({article.date.isoformat()})"
    if [normalise_for_identity(a.name) for a in article.ordered_authors] != authors:
        return "the same title and first author"
    return "the same title, authors and date"


def likely_duplicate_warning(likely):
    """The report's sentence for a likely duplicate that was not merged."""
    article = likely.article
    return (
        f"Likely duplicate of “{article.title}” ({article.date.isoformat()}, article {article.pk}): "
        f"{likely.reason}. Saved as a separate piece, not merged; if they are one piece, keep one in "
        "the admin."
    )
