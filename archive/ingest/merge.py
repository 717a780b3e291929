"""Re-importing a piece that an editor may have changed since: a three-way merge, field by field.

An imported article keeps, in `Article.import_digest`, one digest per field of what its source
said at its last import (the *base*). When the same piece is imported again, each field is
decided by comparing three versions: the base, the archive's current value (*ours*, the editor's)
and the source's new value (*theirs*):

- the source has not changed the field (theirs = base): the archive's value stays, edited or not;
- the editor has not changed it (ours = base): the source's new value is taken;
- both changed it to different values: the editor's value stays and the report says so.

So re-importing an unchanged file is a `duplicate` however much the editor has changed the piece,
and a corrected file brings its corrections without undoing the editor's. A piece with no digest
(imported before digests were kept) takes the source's values, as imports always did.
"""

import hashlib
import json

from django.utils.text import Truncator

# The archive JSON fields a re-import may change, with the name the report gives each.
FIELDS = {
    "title": "title",
    "subtitle": "subtitle",
    "authors": "authors",
    "affiliations": "affiliations",
    "date": "date",
    "kind": "kind",
    "language": "language",
    "status": "status",
    "abstract": "abstract",
    "body": "body",
    "keywords": "keywords",
    "source.name": "source name",
    "source.volume": "volume",
    "source.issue": "issue",
    "source.pages": "pages",
    "source.doi": "DOI",
    "source.url": "original URL",
}
QUOTED = {"title", "subtitle", "date", "kind", "language", "status", "source.doi", "source.url"}


def _get(data, key):
    if key == "affiliations":
        return {author["name"].casefold(): author["affiliation"] for author in data["authors"]}
    if key.startswith("source."):
        return data["source"][key.removeprefix("source.")]
    return data[key]


def _set(data, key, value):
    if key == "affiliations":  # the byline decided above, each name with the kept affiliation
        data["authors"] = [{**a, "affiliation": value.get(a["name"].casefold(), "")} for a in data["authors"]]
    elif key.startswith("source."):
        data["source"] = {**data["source"], key.removeprefix("source."): value}
    else:
        data[key] = value


def _comparable(key, value):
    """What counts as a change: authors by name (their affiliations apart), keywords as a set,
    both ignoring case."""
    if key == "authors":
        return [author["name"].casefold() for author in value]
    if key == "keywords":
        return sorted(keyword.casefold() for keyword in value)
    return value


def field_digests(data):
    """One short digest per field of an archive JSON object."""
    digests = {}
    for key in FIELDS:
        text = json.dumps(_comparable(key, _get(data, key)), ensure_ascii=False, sort_keys=True)
        digests[key] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return digests


def merge(base, current, incoming):
    """The fields to write and the report's warnings: `incoming` (the source's cleaned fields)
    with every field the source did not change, or the editor changed too, taken from `current`
    (the article as archive JSON). `base` is the article's `import_digest`."""
    if not base:
        return incoming, []
    ours, theirs = field_digests(current), field_digests(incoming)
    merged, warnings = dict(incoming), []
    for key, label in FIELDS.items():
        if key not in base or ours[key] == base[key] or ours[key] == theirs[key]:
            continue  # the editor left it alone (or made the same change): the source's value
        if theirs[key] != base[key]:
            warnings.append(_kept_warning(key, label, _get(current, key), _get(incoming, key)))
        _set(merged, key, _get(current, key))
    return merged, warnings


def _kept_warning(key, label, ours, theirs):
    if key in QUOTED:
        return (
            f"Kept the archive's {label} “{_short(ours)}”: an editor changed it after the last "
            f"import, and the file now says “{_short(theirs)}”. Change it in the admin if the file is right."
        )
    return (
        f"Kept the archive's {label}: an editor changed it after the last import, and the file's "
        f"{label} changed too. Compare them in the admin if the file is right."
    )


def _short(value):
    return Truncator(str(value)).chars(120)
