"""The import service: cleaned fields in, an Article created or updated out.

Everything that brings pieces in (the JSON/CSV import, the file import, the admin upload) ends
in `article_import`. Each piece is saved in its own transaction, whole or not at all, through the
write functions of archive.articles.services. Which article a piece is, if any, is decided by
archive.ingest.identity: DOI, original URL, file hash, then title + authors + date. Importing it
again updates that article where its source changed, never undoing an editor's later edit
(archive.ingest.merge), or reports `duplicate` when nothing would change. A likely duplicate
that is not certain is never merged: the piece is saved as a new article and the report's
`warnings` name the other one.
"""

import logging
import time
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
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
from archive.articles.models import Article
from archive.articles.services import OriginalFile, article_create, article_update
from archive.ingest.archive_json import ItemError, clean_item
from archive.ingest.identity import free_import_ref, identify, import_ref_for, likely_duplicate_warning
from archive.ingest.merge import field_digests, merge

log = logging.getLogger(__name__)

CREATED, UPDATED, DUPLICATE, FAILED = "created", "updated", "duplicate", "failed"


# An uploaded or imported file, kept with the article it became.
Original = OriginalFile


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


def find_existing(fields, sha256=""):
    """The article this piece certainly is, or None (see archive.ingest.identity)."""
    return identify(fields, sha256=sha256).article


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


def article_import(
    *,
    fields,
    source,
    original=None,
    warnings=(),
    dry_run=False,
    article=None,
    create=False,
    text_from_ocr=False,
    authors=None,
    keep_edits=True,
    source_fields=None,
):
    """Create or update the article described by `fields` (already cleaned by `clean_item`).

    `article` forces which article to update, `create=True` a new one; otherwise the identity
    rules find it. An update changes only what the source changed since the piece's last import
    and keeps an editor's later edits (archive.ingest.merge); `keep_edits=False` writes `fields`
    whole (the editor's own choice on the check screen). `source_fields`: what the source itself
    says, kept as the base of the next re-import (default `fields`; the check screen passes the
    file's fields, not the editor's corrections). `text_from_ocr` records that the text was read
    by OCR; `authors` (Author rows or `article_create`'s forms) replaces the byline of `fields`
    with the author records the editor chose. Returns an ImportResult; nothing is written when it
    fails or on `dry_run`.

    The piece is looked up and written in one transaction. When another process saves the same
    piece, author or slug at the same moment (PostgreSQL then refuses one of the two on a unique
    constraint, or detects a deadlock), the piece is tried again and finds what the other saved.
    """
    warnings = list(warnings)
    attempt = reconnects = 0
    while True:
        try:
            return _import_once(
                fields,
                source,
                original,
                list(warnings),
                dry_run=dry_run,
                article=article,
                create=create,
                text_from_ocr=text_from_ocr,
                authors=authors,
                keep_edits=keep_edits,
                source_fields=source_fields or fields,
            )
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


def _import_once(
    fields,
    source,
    original,
    warnings,
    *,
    dry_run,
    article,
    create,
    text_from_ocr,
    authors,
    keep_edits,
    source_fields,
):
    digests = field_digests(source_fields)
    try:
        with transaction.atomic():
            existing, ref = article, None
            if existing is None and not create:
                sha256 = original.sha256 if original else ""
                identity = identify(fields, sha256=sha256)
                if identity.article is None:
                    ref = free_import_ref(fields)
                    if ref != import_ref_for(fields):
                        # The piece's identity is taken: by a likely duplicate, or by this very
                        # piece, committed by a concurrent import since identify() looked (each
                        # statement sees what was committed when it began). Look again.
                        identity = identify(fields, sha256=sha256)
                existing = identity.article
                if existing is None:
                    warnings.extend(likely_duplicate_warning(item) for item in identity.duplicates)
            values = fields  # what is written; the report keeps what the source said
            if existing is not None and keep_edits:
                values, kept = merge(existing.import_digest, article_to_archive_json(existing), fields)
                warnings.extend(kept)
            if existing is not None and _unchanged(existing, values, original):
                if existing.import_digest != digests and not dry_run:
                    # The source now says what the archive says: that is the next merge's base.
                    Article.objects.filter(pk=existing.pk).update(import_digest=digests)
                return ImportResult(source, DUPLICATE, fields, warnings, article=existing)
            status = UPDATED if existing else CREATED
            saved = _write(
                existing,
                values,
                original,
                dry_run=dry_run,
                text_from_ocr=text_from_ocr,
                authors=authors,
                import_ref=ref,
                import_digest=digests,
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        return ImportResult(source, status, fields, warnings)
    except ValidationError as error:
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        return ImportResult(
            source, FAILED, fields, warnings, error=f"The piece could not be saved ({message})."
        )
    return ImportResult(source, status, fields, warnings, article=saved)


def _write(
    article, fields, original, *, dry_run, text_from_ocr=False, authors=None, import_ref=None, import_digest
):
    """Create or update the article through the domain's write functions. `import_ref`: the
    identity a new piece claims, when the caller has worked it out already; `import_digest`: the
    source's field digests (archive.ingest.merge)."""
    values = {
        "title": fields["title"],
        "subtitle": fields["subtitle"],
        "date": fields["date"],
        "kind": fields["kind"],
        "language": fields["language"],
        "status": fields["status"],
        "abstract": fields["abstract"],
        "body": fields["body"],
        "source_name": fields["source"]["name"],
        "source_volume": fields["source"]["volume"],
        "source_issue": fields["source"]["issue"],
        "source_pages": fields["source"]["pages"],
        "doi": fields["source"]["doi"],
        "source_url": fields["source"]["url"],
        "text_from_ocr": text_from_ocr,
        "import_digest": import_digest or field_digests(fields),
    }
    related = {
        "authors": fields["authors"] if authors is None else authors,
        "keywords": fields["keywords"],
        "original": original if original and not dry_run else None,
    }
    if article is None:
        # A new piece claims its identity: if a concurrent import committed the same piece since
        # identify() looked, the database refuses this one and the retry finds that one.
        ref = free_import_ref(fields) if import_ref is None else import_ref
        return article_create(import_ref=ref, **values, **related)
    if not article.import_ref:
        values["import_ref"] = free_import_ref(fields, exclude_pk=article.pk)
    return article_update(article=article, **values, **related)


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
    return article_import(
        fields=fields,
        source=source,
        original=original,
        warnings=warnings,
        dry_run=dry_run,
        article=existing,
        text_from_ocr=draft.text_from_ocr,
    )


def related_titles_note(titles, fields):
    """Which titles of a "More by" list are already in the archive (they are linked from the
    article page's "More by this author" through the shared author)."""
    present = [t for t in titles if Article.objects.filter(title__iexact=t).exists()]
    return (
        f"“More by” list of {len(titles)} titles left out of the body; "
        f"{len(present)} of them in the archive, linked from the article page through its author."
    )
