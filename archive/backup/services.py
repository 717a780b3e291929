"""Backup and restore of the whole archive.

A backup is a folder:

    articles.json   every article, drafts included, in the archive JSON format (PRODUCT.md
                    "Fixed points"), so `import_articles` can read it too
    backup.json     what the archive JSON does not carry: slugs, timestamps, import references,
                    the exact authors (with bios) and keywords, titles and abstracts in other
                    languages, linked translations (by slug), and a SHA-256 of every file
    files/...       the uploaded originals, under their storage names

`backup.json` is written last: a folder without it is an interrupted export. `archive_restore`
refuses a non-empty archive, checks every file against its SHA-256 before writing anything,
sanitises text again (a backup is input like any other), and writes in one transaction: an
error leaves the archive as empty as it was. The search index follows the restored articles by
the usual signals; `check_index --repair` confirms.
"""

import datetime
import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from archive.articles.archive_json import ARCHIVE_JSON_KEYS, article_to_archive_json
from archive.articles.html import UnsafeHTMLError, clean_body_html, clean_text
from archive.articles.models import Article, Author, Keyword
from archive.articles.services import (
    article_create,
    article_set_linked_translations,
    article_set_translations,
)

FORMAT = "archive-backup"
VERSION = 1


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path, data):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def archive_export(*, directory, progress=None):
    """Write the whole archive to `directory` (new or empty). Returns counts."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; export into a new folder.")
    directory.mkdir(parents=True, exist_ok=True)
    files_dir = directory / "files"

    # for_listing(), but with every linked piece, drafts included (it names only public ones).
    articles = list(
        Article.objects.with_bylines()
        .prefetch_related("keywords", "translations", "linked_translations")
        .order_by("pk")
    )
    documents, extras = [], []
    n_files = 0
    for article in articles:
        documents.append(article_to_archive_json(article))
        extra = {
            "slug": article.slug,
            "import_ref": article.import_ref,
            "import_digest": article.import_digest,
            "text_from_ocr": article.text_from_ocr,
            "author_slugs": [author.slug for author in article.ordered_authors],
            "keyword_slugs": sorted(keyword.slug for keyword in article.keyword_list),
            "original_file": "",
            "original_filename": article.original_filename,
            "original_sha256": article.original_sha256,
            "created_at": article.created_at.isoformat(),
            "updated_at": article.updated_at.isoformat(),
            "translations": [
                {"language": t.language, "title": t.title, "abstract": t.abstract}
                for t in article.translation_list
            ],
            "linked_slugs": sorted(other.slug for other in article.linked_translations.all()),
        }
        if article.original_file:
            name = PurePosixPath(article.original_file.name)
            if name.is_absolute() or ".." in name.parts:
                raise BackupError(f"Article {article.slug!r} has an unsafe file name {str(name)!r}.")
            target = files_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with (
                    default_storage.open(article.original_file.name, "rb") as source,
                    open(target, "wb") as out,
                ):
                    shutil.copyfileobj(source, out)
            except FileNotFoundError as error:
                raise BackupError(
                    f"The original file of {article.slug!r} is missing from storage: {name}."
                ) from error
            extra["original_file"] = f"files/{name}"
            extra["file_sha256"] = _sha256(target)
            n_files += 1
        extras.append(extra)
        if progress:
            progress(len(extras), len(articles))

    authors = [
        {"name": a.name, "slug": a.slug, "affiliation": a.affiliation, "bio": a.bio}
        for a in Author.objects.order_by("pk")
    ]
    keywords = [{"name": k.name, "slug": k.slug} for k in Keyword.objects.order_by("pk")]
    _write_json(directory / "articles.json", documents)
    counts = {
        "articles": len(documents),
        "authors": len(authors),
        "keywords": len(keywords),
        "files": n_files,
    }
    _write_json(
        directory / "backup.json",
        {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            "articles_sha256": _sha256(directory / "articles.json"),
            "counts": counts,
            "authors": authors,
            "keywords": keywords,
            "articles": extras,
        },
    )
    return counts


def _load(directory):
    directory = Path(directory)
    manifest_path = directory / "backup.json"
    if not manifest_path.is_file():
        raise BackupError(f"{directory} holds no backup.json: not a backup, or an interrupted export.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        documents = json.loads((directory / "articles.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"The backup in {directory} cannot be read: {error}") from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"backup.json is not an {FORMAT} version {VERSION} file.")
    if _sha256(directory / "articles.json") != manifest.get("articles_sha256"):
        raise BackupError("articles.json does not match the checksum in backup.json.")
    if not isinstance(documents, list) or len(documents) != len(manifest.get("articles", [])):
        raise BackupError("articles.json and backup.json list different numbers of articles.")
    for number, (document, extra) in enumerate(zip(documents, manifest["articles"], strict=True), start=1):
        unknown = set(document) - set(ARCHIVE_JSON_KEYS)
        if unknown:
            raise BackupError(f"Article {number} has unknown keys: {', '.join(sorted(unknown))}.")
        if extra["original_file"]:
            path = (directory / extra["original_file"]).resolve()
            if directory.resolve() not in path.parents:
                raise BackupError(
                    f"Article {number} names a file outside the backup: {extra['original_file']}."
                )
            if not path.is_file():
                raise BackupError(f"Article {number}: the file {extra['original_file']} is missing.")
            if _sha256(path) != extra.get("file_sha256"):
                raise BackupError(
                    f"Article {number}: the file {extra['original_file']} is damaged (checksum)."
                )
    return directory, manifest, documents


def archive_is_empty():
    return not (Article.objects.exists() or Author.objects.exists() or Keyword.objects.exists())


def archive_restore(*, directory, progress=None):
    """Restore a backup written by `archive_export` into an empty archive. Returns counts."""
    directory, manifest, documents = _load(directory)
    if not archive_is_empty():
        raise BackupError("The archive is not empty: restore only into a fresh instance.")
    saved_files = []
    try:
        with transaction.atomic():
            counts = _restore_rows(directory, manifest, documents, saved_files, progress)
    except BaseException:
        for name in saved_files:
            default_storage.delete(name)
        raise
    return counts


def _restore_rows(directory, manifest, documents, saved_files, progress):
    keywords = {}
    for item in manifest["keywords"]:
        keywords[item["slug"]] = Keyword.objects.create(name=clean_text(item["name"]), slug=item["slug"])
    authors = {}
    for item in manifest["authors"]:
        authors[item["slug"]] = Author.objects.create(
            name=clean_text(item["name"]),
            slug=item["slug"],
            affiliation=clean_text(item["affiliation"]),
            bio=item["bio"],  # plain text with paragraphs, escaped on output like the abstract
        )
    timestamps, links = [], {}
    for number, (document, extra) in enumerate(zip(documents, manifest["articles"], strict=True), start=1):
        source = document.get("source") or {}
        name = ""
        if extra.get("original_file"):
            with open(directory / extra["original_file"], "rb") as handle:
                wanted = extra["original_file"].removeprefix("files/")
                name = default_storage.save(wanted, File(handle))
                saved_files.append(name)
        try:
            article = article_create(
                title=clean_text(document["title"]),
                subtitle=clean_text(document.get("subtitle", "")),
                slug=extra["slug"],
                date=datetime.date.fromisoformat(document["date"]),
                kind=document["kind"],
                language=document["language"],
                status=document.get("status", "published"),
                abstract=document.get("abstract", ""),
                body=clean_body_html(document.get("body", "")),
                source_name=clean_text(source.get("name", "")),
                source_volume=clean_text(source.get("volume", "")),
                source_issue=clean_text(source.get("issue", "")),
                source_pages=clean_text(source.get("pages", "")),
                doi=clean_text(source.get("doi", "")),
                source_url=source.get("url", ""),
                original_file=name,
                original_filename=extra["original_filename"],
                original_sha256=extra["original_sha256"],
                import_ref=extra["import_ref"],
                import_digest=extra.get("import_digest", {}),  # not in backups before 2026-12-07
                text_from_ocr=bool(extra.get("text_from_ocr", False)),
                authors=[authors[slug] for slug in extra["author_slugs"]],
                keywords=[keywords[slug] for slug in extra["keyword_slugs"]],
            )
        except KeyError as error:
            raise BackupError(
                f"Article {number} ({document.get('title', '?')!r}) is invalid or names an author or "
                f"keyword not in the backup: {error}"
            ) from error
        except (TypeError, ValueError, UnsafeHTMLError, ValidationError) as error:
            raise BackupError(
                f"Article {number} ({document.get('title', '?')!r}) is invalid: {error}"
            ) from error
        # Backups written before titles in other languages and linked translations lack the keys.
        article_set_translations(
            article=article,
            translations=[{**t, "title": clean_text(t["title"])} for t in extra.get("translations", [])],
        )
        links[article] = extra.get("linked_slugs", [])
        timestamps.append((article.pk, extra["created_at"], extra["updated_at"]))
        if progress:
            progress(number, len(documents))
    by_slug = {article.slug: article for article in links}
    for article, slugs in links.items():
        try:
            article_set_linked_translations(article=article, others=[by_slug[slug] for slug in slugs])
        except (KeyError, ValidationError) as error:
            raise BackupError(f"The links of {article.slug!r} are invalid: {error}") from error
    for pk, created_at, updated_at in timestamps:
        Article.objects.filter(pk=pk).update(
            created_at=parse_datetime(created_at), updated_at=parse_datetime(updated_at)
        )
    return {
        "articles": len(documents),
        "authors": len(authors),
        "keywords": len(keywords),
        "files": len(saved_files),
    }
