"""The import service: cleaned fields in, an Article created or updated out.

Everything that brings pieces in (the JSON/CSV import, the file import, the admin upload) ends
in `article_import`. Each piece is saved in its own transaction, whole or not at all, through the
write functions of archive.articles.services. A piece's identity is, in order: the same original
file (sha256), its `import_ref` (DOI, else source URL, else normalised title + first author), or
an article with the same normalised title and first author entered by hand. Importing it again
updates that article, or reports `duplicate` when nothing would change.
"""

import datetime
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.utils import timezone

from archive.articles.archive_json import article_to_archive_json
from archive.articles.models import Article, title_key
from archive.articles.services import (
    article_identity,
    article_set_authors,
    article_set_keywords,
    author_get_or_create,
    keywords_get_or_create,
    unique_slug,
)
from archive.articles.text import normalise_for_identity
from archive.ingest.archive_json import ItemError, clean_item

log = logging.getLogger(__name__)

CREATED, UPDATED, DUPLICATE, FAILED = "created", "updated", "duplicate", "failed"


@dataclass
class Original:
    """An uploaded or imported file, kept with the article it became."""

    data: bytes
    filename: str

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ImportResult:
    source: str
    status: str
    fields: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    error: str = ""
    article: Article | None = None

    def as_json(self):
        """The Fixed-points report object."""
        return {
            "source": self.source,
            "status": self.status,
            "fields": self.fields,
            "warnings": list(self.warnings),
            "error": self.error or None,
        }


def import_ref_for(fields):
    """DOI, else source URL, else normalised title + first author."""
    if fields["source"]["doi"]:
        return f"doi:{fields['source']['doi'].lower()}"[:300]
    if fields["source"]["url"]:
        return f"url:{fields['source']['url']}"[:300]
    first = fields["authors"][0]["name"] if fields["authors"] else ""
    return article_identity(title=fields["title"], first_author_name=first)


def likely_duplicates(*, title, first_author="", sha256=""):
    """Articles that are probably this piece: the same file, or the same normalised title and first author."""
    found = []
    if sha256:
        found.extend(Article.objects.filter(original_sha256=sha256).order_by("id"))
    wanted = (normalise_for_identity(title), normalise_for_identity(first_author))
    if wanted[0]:
        candidates = Article.objects.filter(title_key=title_key(title)).prefetch_related(
            "authorships__author"
        )
        for article in candidates.order_by("id")[:200]:
            authors = article.ordered_authors
            key = (
                normalise_for_identity(article.title),
                normalise_for_identity(authors[0].name if authors else ""),
            )
            if key == wanted and article not in found:
                found.append(article)
    return found


def find_existing(fields, sha256=""):
    if sha256:
        article = Article.objects.filter(original_sha256=sha256).order_by("id").first()
        if article:
            return article
    article = Article.objects.filter(import_ref=import_ref_for(fields)).first()
    if article:
        return article
    first = fields["authors"][0]["name"] if fields["authors"] else ""
    same = likely_duplicates(title=fields["title"], first_author=first)
    return same[0] if same else None


def _comparable(data):
    return {
        **data,
        "authors": [a["name"].casefold() for a in data["authors"]],
        "keywords": sorted(k.casefold() for k in data["keywords"]),
    }


def _unchanged(article, fields, original):
    if original and article.original_sha256 != original.sha256:
        return False
    current = article_to_archive_json(article)
    if _comparable(current) != _comparable(fields):
        return False
    # An affiliation only fills an empty one (author_get_or_create): that is a change too.
    by_name = {a.name.casefold(): a.affiliation for a in article.ordered_authors}
    return all(not a["affiliation"] or by_name.get(a["name"].casefold()) for a in fields["authors"])


class _DryRun(Exception):
    pass


def article_import(*, fields, source, original=None, warnings=(), dry_run=False, article=None):
    """Create or update the article described by `fields` (already cleaned by `clean_item`).

    `article` forces which article to update (the admin's choice); otherwise the identity rules
    above find it. Returns an ImportResult; nothing is written when it fails or on `dry_run`.

    The piece is looked up and written in one transaction. When another process saves the same
    piece, author or slug at the same moment (PostgreSQL then refuses one of the two on a unique
    constraint, or detects a deadlock), the piece is tried again and finds what the other saved.
    """
    warnings = list(warnings)
    attempt = reconnects = 0
    while True:
        try:
            return _import_once(fields, source, original, warnings, dry_run, article)
        except (IntegrityError, OperationalError, InterfaceError) as error:
            if isinstance(error, IntegrityError) or "deadlock" in str(error).lower():
                attempt += 1
                if attempt == ATTEMPTS:
                    raise
                log.info("%s met a concurrent save (%s); trying again", source, error)
            elif reconnects < RECONNECTS and _connection_lost():
                # The database restarted under the import: the piece was rolled back whole;
                # wait 1, 2, 4 ... seconds for it on a fresh connection, then save it again.
                log.warning("%s: the database connection was lost (%s); trying again", source, error)
                connections.close_all()
                time.sleep(2**reconnects)
                reconnects += 1
            else:
                raise


ATTEMPTS = 3
RECONNECTS = 5  # 1 + 2 + 4 + 8 + 16 s: a restart or a short failover


def _connection_lost():
    """The default connection is dead (and not inside a caller's transaction, which a retry
    here could not redo)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        return False
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:
        return True


def _import_once(fields, source, original, warnings, dry_run, article):
    stored = []  # the original's storage name, once saved: removed again if the piece fails
    try:
        with transaction.atomic():
            existing = article or find_existing(fields, original.sha256 if original else "")
            if existing is not None and _unchanged(existing, fields, original):
                return ImportResult(source, DUPLICATE, fields, warnings, article=existing)
            status = UPDATED if existing else CREATED
            saved = _write(existing, fields, original, dry_run=dry_run, stored=stored)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return ImportResult(source, status, fields, warnings)
    except ValidationError as error:
        _discard(stored)
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        return ImportResult(
            source, FAILED, fields, warnings, error=f"The piece could not be saved ({message})."
        )
    except BaseException:
        _discard(stored)
        raise
    return ImportResult(source, status, fields, warnings, article=saved)


def _discard(names):
    for name in names:
        Article._meta.get_field("original_file").storage.delete(name)


def _write(article, fields, original, *, dry_run, stored):
    article = article or Article()
    ref = import_ref_for(fields)
    old_file = article.original_file.name if article.pk and article.original_file else ""
    article.title = fields["title"]
    article.subtitle = fields["subtitle"]
    article.date = datetime.date.fromisoformat(fields["date"])
    article.kind = fields["kind"]
    article.language = fields["language"]
    article.status = fields["status"]
    article.abstract = fields["abstract"]
    article.body = fields["body"]
    article.source_name = fields["source"]["name"]
    article.source_volume = fields["source"]["volume"]
    article.source_issue = fields["source"]["issue"]
    article.source_pages = fields["source"]["pages"]
    article.doi = fields["source"]["doi"]
    article.source_url = fields["source"]["url"]
    if article.pk is None:
        # A new piece always claims its identity: if a concurrent import committed the same piece
        # since find_existing looked, the database refuses this one and the retry finds that one.
        article.import_ref = ref
    elif (
        not article.import_ref and not Article.objects.filter(import_ref=ref).exclude(pk=article.pk).exists()
    ):
        article.import_ref = ref
    if not article.slug:
        article.slug = unique_slug(Article, fields["title"], fallback="article")
    if original and not dry_run and original.sha256 != article.original_sha256:
        suffix = PurePath(original.filename).suffix.lower()
        article.original_file.save(f"original{suffix}", ContentFile(original.data), save=False)
        stored.append(article.original_file.name)
        article.original_filename = PurePath(original.filename).name[:255]
        article.original_sha256 = original.sha256
        if old_file:
            storage = article.original_file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    # Uniqueness is left to the database: a clash with a concurrent import is an IntegrityError,
    # which article_import retries (and then finds the other's piece), not a failed piece.
    article.full_clean(exclude=["original_file"], validate_unique=False, validate_constraints=False)
    article.save()
    authors = [
        author_get_or_create(name=a["name"], affiliation=a["affiliation"])[0] for a in fields["authors"]
    ]
    article_set_authors(article=article, authors=authors)
    article_set_keywords(article=article, keywords=keywords_get_or_create(fields["keywords"]))
    return article


def import_item(obj, *, source, item=0, default_status="published", dry_run=False):
    """One archive JSON object: validated, then imported. Bad input is a failed result, not an exception."""
    try:
        fields = clean_item(obj, item=item, default_status=default_status)
    except ItemError as error:
        return ImportResult(source, FAILED, obj if isinstance(obj, dict) else {}, error=str(error))
    return article_import(fields=fields, source=source, dry_run=dry_run)


def draft_fields(draft, *, defaults=None):
    """A draft as an archive JSON object, with the caller's defaults for what the file did not say.

    A piece with no date gets today's date and stays a draft, with a warning."""
    defaults = defaults or {}
    obj = draft.to_archive_json()
    warnings = list(draft.warnings)
    for key in ("kind", "language"):  # given by the editor: wins over the guess
        if defaults.get(key):
            obj[key] = defaults[key]
    obj["status"] = obj["status"] or defaults.get("status") or "draft"
    if not obj["date"]:
        obj["date"] = timezone.localdate().isoformat()
        obj["status"] = "draft"
        warnings = [w for w in warnings if w != "No publication date found."]
        warnings.append("No publication date found: set to today and kept as a draft.")
    if obj["source"]["url"] and not obj["source"]["url"].lower().startswith(("http://", "https://")):
        warnings.append(f"Dropped a source URL that is not http(s): {obj['source']['url'][:80]}")
        obj["source"]["url"] = ""
    return obj, warnings


def import_draft(draft, *, source, original=None, defaults=None, dry_run=False):
    """One extracted file: its draft checked (a title is required), then imported with its original."""
    obj, warnings = draft_fields(draft, defaults=defaults)
    if not obj["title"]:
        return ImportResult(
            source,
            FAILED,
            obj,
            warnings,
            error=f"No title found in {PurePath(source).name}: the piece needs a title "
            "(give it one in the admin upload form, or import it as JSON with a “title”).",
        )
    try:
        fields = clean_item(obj, default_status=obj["status"])
    except ItemError as error:
        return ImportResult(source, FAILED, obj, warnings, error=str(error))
    existing = find_existing(fields, original.sha256 if original else "")
    if existing is not None:
        # A file carries no status, and maybe no date: what the archive has already stays.
        if not (defaults or {}).get("status"):
            fields["status"] = existing.status
        if not draft.date:
            fields["date"] = existing.date.isoformat()
    related = list(draft.related_titles)
    if related:
        warnings.append(related_titles_note(related, fields))
    return article_import(fields=fields, source=source, original=original, warnings=warnings, dry_run=dry_run)


def related_titles_note(titles, fields):
    """Which titles of a "More by" list are already in the archive (they are linked from the
    article page's "More by this author" through the shared author)."""
    present = [t for t in titles if Article.objects.filter(title__iexact=t).exists()]
    return (
        f"“More by” list of {len(titles)} titles left out of the body; "
        f"{len(present)} of them in the archive, linked from the article page through its author."
    )
