"""Reading the archive's JSON format (PRODUCT.md "Fixed points") and its CSV twin.

`clean_item(obj, item=N)` checks one object and returns its fields cleaned for storage (titles,
names and keywords through `clean_text`, the body through `clean_body_html`, URLs only http(s)),
or raises `ItemError` with a sentence naming the item and the field.

CSV: one row per piece, a header row with the same names as the JSON keys, where `authors` and
`keywords` are separated by semicolons, `affiliations` (optional) lines up with `authors`, and
the source is `source_name`, `source_volume`, `source_issue`, `source_pages`, `doi`, `source_url`.
"""

import csv
import datetime
import html
import io
import json
import re

from archive.articles.archive_json import ARCHIVE_JSON_KEYS, AUTHOR_KEYS, SOURCE_KEYS
from archive.articles.html import UnsafeHTMLError, clean_body_html, clean_text, is_http_url
from archive.articles.models import Article, Author, Keyword

KINDS = [value for value, _ in Article.Kind.choices]
LANGUAGES = [value for value, _ in Article.Language.choices]
STATUSES = [value for value, _ in Article.Status.choices]
_LIMITS = {
    "title": Article._meta.get_field("title").max_length,
    "subtitle": Article._meta.get_field("subtitle").max_length,
    "source.name": Article._meta.get_field("source_name").max_length,
    "source.volume": Article._meta.get_field("source_volume").max_length,
    "source.issue": Article._meta.get_field("source_issue").max_length,
    "source.pages": Article._meta.get_field("source_pages").max_length,
    "source.doi": Article._meta.get_field("doi").max_length,
    "source.url": Article._meta.get_field("source_url").max_length,
}
_LOOKS_HTML = re.compile(
    r"</?(p|div|br|h[1-6]|ul|ol|li|blockquote|em|strong|a|span|table|section)\b[^>]*>", re.I
)
CSV_COLUMNS = (
    "title", "subtitle", "authors", "affiliations", "date", "kind", "language", "abstract", "body",
    "keywords", "source_name", "source_volume", "source_issue", "source_pages", "doi", "source_url", "status",
)  # fmt: skip


class ItemError(ValueError):
    """Bad input in one piece; the message names the item and the field."""


def _fail(item, field, problem):
    where = f"Item {item}" if item else "The piece"
    raise ItemError(f"{where}: {field} {problem}." if field else f"{where}: {problem}.")


def _string(obj, key, item, *, label=None):
    value = obj.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        _fail(item, f"“{label or key}”", f"must be a string, not {type(value).__name__}")
    return value


def _limit(value, field, item):
    limit = _LIMITS.get(field)
    if limit and len(value) > limit:
        _fail(item, f"“{field}”", f"is {len(value)} characters; the limit is {limit}")
    return value


def parse_iso_date(value):
    try:
        return datetime.date.fromisoformat(value[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def text_to_paragraphs(text):
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def body_to_html(body):
    """A body given as HTML is sanitised; plain text becomes <p> paragraphs (blank-line separated)."""
    if not body.strip():
        return ""
    if _LOOKS_HTML.search(body):
        return clean_body_html(body)
    return clean_body_html(
        "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in text_to_paragraphs(body))
    )


def normalise_doi(doi):
    doi = doi.strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    return doi


def clean_item(obj, *, item=0, default_status="published"):
    """The cleaned fields of one archive JSON object (see the module docstring)."""
    if not isinstance(obj, dict):
        _fail(item, "", f"must be an object with “title”, “date” ..., not {type(obj).__name__}")
    unknown = sorted(set(obj) - set(ARCHIVE_JSON_KEYS))
    if unknown:
        _fail(item, "", f"unknown key “{unknown[0]}” (allowed: {', '.join(ARCHIVE_JSON_KEYS)})")
    try:
        return _clean(obj, item, default_status)
    except UnsafeHTMLError as error:
        _fail(item, "", str(error).rstrip("."))


def _clean(obj, item, default_status):
    title = _limit(clean_text(_string(obj, "title", item)), "title", item)
    if not title:
        _fail(item, "“title”", "is missing: every piece needs a title")
    subtitle = _limit(clean_text(_string(obj, "subtitle", item)), "subtitle", item)

    raw_date = obj.get("date")
    if raw_date in (None, ""):
        _fail(item, "“date”", "is missing: give the publication date as YYYY-MM-DD")
    if not isinstance(raw_date, str):
        _fail(item, "“date”", f"must be a string like 2012-10-25, not {type(raw_date).__name__}")
    date = parse_iso_date(raw_date.strip())
    if date is None:
        _fail(item, "“date”", f"“{raw_date}” is not a date in ISO 8601 form (YYYY-MM-DD)")

    authors = obj.get("authors") or []
    if not isinstance(authors, list):
        _fail(item, "“authors”", f"must be a list of {{name, affiliation}}, not {type(authors).__name__}")
    clean_authors = []
    for n, author in enumerate(authors, 1):
        if isinstance(author, str):
            author = {"name": author}
        if not isinstance(author, dict):
            _fail(item, f"“authors[{n}]”", f"must be an object with “name”, not {type(author).__name__}")
        unknown = sorted(set(author) - set(AUTHOR_KEYS))
        if unknown:
            _fail(item, f"“authors[{n}]”", f"has an unknown key “{unknown[0]}” (allowed: name, affiliation)")
        name = clean_text(_string(author, "name", item, label=f"authors[{n}].name"))
        if not name:
            _fail(item, f"“authors[{n}].name”", "is missing")
        if len(name) > Author._meta.get_field("name").max_length:
            _fail(item, f"“authors[{n}].name”", "is too long")
        affiliation = clean_text(_string(author, "affiliation", item, label=f"authors[{n}].affiliation"))
        clean_authors.append({"name": name, "affiliation": affiliation[:500]})

    kind = _string(obj, "kind", item) or "commentary"
    if kind not in KINDS:
        _fail(item, "“kind”", f"“{kind}” is not one of {', '.join(KINDS)}")
    language = _string(obj, "language", item) or "en"
    if language not in LANGUAGES:
        _fail(item, "“language”", f"“{language}” is not one of {', '.join(LANGUAGES)} (ISO 639-1)")
    status = _string(obj, "status", item) or default_status
    if status not in STATUSES:
        _fail(item, "“status”", f"“{status}” is not “published” or “draft”")

    abstract = "\n\n".join(clean_text(p) for p in text_to_paragraphs(_string(obj, "abstract", item)))
    body = body_to_html(_string(obj, "body", item))

    keywords = obj.get("keywords") or []
    if not isinstance(keywords, list):
        _fail(item, "“keywords”", f"must be a list of strings, not {type(keywords).__name__}")
    clean_keywords, seen = [], set()
    for n, keyword in enumerate(keywords, 1):
        if not isinstance(keyword, str):
            _fail(item, f"“keywords[{n}]”", f"must be a string, not {type(keyword).__name__}")
        keyword = clean_text(keyword).strip(" .;,")
        if len(keyword) > Keyword._meta.get_field("name").max_length:
            _fail(item, f"“keywords[{n}]”", "is too long")
        if keyword and keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            clean_keywords.append(keyword)

    source = obj.get("source") or {}
    if not isinstance(source, dict):
        _fail(
            item, "“source”", f"must be an object with {', '.join(SOURCE_KEYS)}, not {type(source).__name__}"
        )
    unknown = sorted(set(source) - set(SOURCE_KEYS))
    if unknown:
        _fail(item, "“source”", f"has an unknown key “{unknown[0]}” (allowed: {', '.join(SOURCE_KEYS)})")
    clean_source = {}
    for key in SOURCE_KEYS:
        value = clean_text(_string(source, key, item, label=f"source.{key}"))
        clean_source[key] = _limit(value, f"source.{key}", item)
    clean_source["doi"] = normalise_doi(clean_source["doi"])
    if clean_source["url"] and not is_http_url(clean_source["url"]):
        _fail(item, "“source.url”", f"“{clean_source['url'][:80]}” is not an http(s) URL")

    return {
        "title": title,
        "subtitle": subtitle,
        "authors": clean_authors,
        "date": date.isoformat(),
        "kind": kind,
        "language": language,
        "abstract": abstract,
        "body": body,
        "keywords": clean_keywords,
        "source": clean_source,
        "status": status,
    }


class FileFormatError(ValueError):
    """A JSON or CSV file that cannot be read at all."""


def load_json_items(data, *, filename):
    """The list of objects in an archive JSON file (a single object counts as a list of one)."""
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise FileFormatError(f"{filename} is not UTF-8 text.") from error
    except json.JSONDecodeError as error:
        raise FileFormatError(
            f"{filename} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from error
    if isinstance(payload, dict):
        return [payload]
    if not isinstance(payload, list):
        raise FileFormatError(f"{filename} must hold a list of articles, not {type(payload).__name__}.")
    return payload


def _split(value):
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def load_csv_items(data, *, filename):
    """CSV rows as archive JSON objects (see the module docstring)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileFormatError(f"{filename} is not UTF-8 text.") from error
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if not columns:
        raise FileFormatError(f"{filename} has no header row.")
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if unknown:
        raise FileFormatError(
            f"{filename}: unknown column “{unknown[0]}” (allowed: {', '.join(CSV_COLUMNS)})."
        )
    items = []
    try:
        rows = list(reader)
    except csv.Error as error:
        raise FileFormatError(f"{filename} is not valid CSV ({error}).") from error
    for row in rows:
        row = {(k or "").strip(): (v or "") for k, v in row.items() if k}
        names, affiliations = _split(row.get("authors")), _split(row.get("affiliations"))
        obj = {
            "title": row.get("title", ""),
            "subtitle": row.get("subtitle", ""),
            "authors": [
                {"name": name, "affiliation": affiliations[i] if i < len(affiliations) else ""}
                for i, name in enumerate(names)
            ],
            "date": row.get("date", ""),
            "abstract": row.get("abstract", ""),
            "body": row.get("body", ""),
            "keywords": _split(row.get("keywords")),
            "source": {
                "name": row.get("source_name", ""),
                "volume": row.get("source_volume", ""),
                "issue": row.get("source_issue", ""),
                "pages": row.get("source_pages", ""),
                "doi": row.get("doi", ""),
                "url": row.get("source_url", ""),
            },
        }
        for key in ("kind", "language", "status"):
            if row.get(key):
                obj[key] = row[key]
        items.append(obj)
    return items
