"""Markdown (.md): YAML front matter (read with PyYAML's safe loader, as Jekyll, Hugo and pandoc
write it) or TOML front matter between `+++` lines (read with the standard library's tomllib, as
Hugo and Zola write it), then the text, rendered to HTML with Markdown and read like a web page.

A Jekyll post's date is its file name's (`2016-01-17-title.md`) when the front matter gives none,
or else the date in its path (`path = "blog/2020/02/26/title"`, as Zola and Hugo sites set it).
Hexo (and WordPress exports through it) may leave out the opening `---`: `key: value` lines from the
first line to a `---` line are front matter too when they read as a YAML mapping with a title or date.
"""

import datetime
import re
import tomllib
from pathlib import PurePath

import markdown as markdown_lib
import yaml

from archive.ingest.dates import iso_date, parse_date
from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.formats.common import decode_text
from archive.ingest.formats.html import html_blocks, parse_html
from archive.ingest.metadata import byline_names, is_organisation, read_blocks, split_keywords
from archive.ingest.repair import LANGUAGES, normalise_text

_FRONT = re.compile(r"\A---[ \t]*\n(?P<head>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_TOML_FRONT = re.compile(r"\A\+\+\+[ \t]*\n(?P<head>.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.S)
_BARE_FRONT = re.compile(r"\A(?P<head>[A-Za-z_][\w-]*:[^\n]*\n.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_JEKYLL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")
# Tables in which Zola and Hugo themes keep a post's own keys (`[extra] author = …`,
# `[taxonomies] tags = […]`, `[params]`): read where the top level lacks the key.
_NESTED_TABLES = ("extra", "taxonomies", "params")
# A Hugo shortcode (`{{< youtube "gjoaayIwXIU" >}}`, `{{% note %}}`) is a call to the site's
# templates, no text; a paired one's inner text stays.
_SHORTCODE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}", re.S)
# A Liquid tag (`{% include postauthor.html %}`, `{% if … %}`) is a call to Jekyll's templates, no
# text either; a `{% comment %}` block goes with what it holds.
_LIQUID = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}|\{%.*?%\}", re.S)
_NOTE = re.compile(
    r"^(this (post|article|piece) (was )?(originally|first) (appeared|published|posted)|"
    r"(originally|first) (appeared|published|posted) (on|in|at)|cross-?posted from|reposted from|"
    # A labelled note ("Disclaimer:", Persian "رفع ادعا:"), or a line saying where the piece was
    # printed ("… در هفته‌نامه … منتشر شده است"), standing before the text.
    r"(disclaimer|editor(\u2019|')?s note|note|رفع ادعا|توضیح|ملاحظة|تنويه)\s*:|"
    r".{0,160}\b(منتشر شده است|منتشر شد|به چاپ رسیده است|نُشر|نشر هذا المقال)\.?$)",
    re.I,
)


def _parse_front_matter(head, toml):
    try:
        return tomllib.loads(head) if toml else yaml.safe_load(head)
    except (yaml.YAMLError, tomllib.TOMLDecodeError):
        return None


def _load_front_matter(head, *, toml=False):
    """The front matter as a dict: YAML (or TOML), read with its indentation (`author:` over an
    indented `name: …`), then flat, or `key: value` lines where it is not valid."""
    data = _parse_front_matter(head, toml)
    if not isinstance(data, dict):
        head = normalise_text(head)  # indentation a parser refuses: read the lines flat
        data = _parse_front_matter(head, toml)
    if isinstance(data, dict):
        found = {str(k).lower(): v for k, v in data.items()}
        for table in _NESTED_TABLES:
            if isinstance(found.get(table), dict):
                for key, value in found[table].items():
                    found.setdefault(str(key).lower(), value)
        return found
    found = {}
    separator = "=" if toml else ":"
    for line in head.splitlines():
        if separator in line and not line.startswith((" ", "\t", "-")):
            key, value = (part.strip() for part in line.split(separator, 1))
            found[key.lower()] = value.strip("\"'")
    return found


def _indented(text):
    """`normalise_text` line by line, each line keeping its leading spaces."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(re.match(r"[ \t]*", line)[0] + normalise_text(line) for line in lines)


def _bare_front(text):
    """A front matter block without its opening `---` (Hexo), or None."""
    match = _BARE_FRONT.match(text)
    if not match:
        return None
    try:
        data = yaml.safe_load(match["head"])
    except yaml.YAMLError:
        return None
    if isinstance(data, dict) and {"title", "date"} & {str(k).lower() for k in data}:
        return match
    return None


def _strings(value):
    """A front-matter value as a list of strings (a YAML list, or one string)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("name") or item.get("title") or ""
            if str(item).strip():
                out.append(str(item).strip())
        return out
    if isinstance(value, dict):
        value = value.get("name") or ""
    return [str(value).strip()] if str(value).strip() else []


# A site's key for an author ("mouna.ar", "jane_doe", "@jdoe": Hugo looks it up in data/authors/),
# not a name an editor would type.
_HANDLE = re.compile(r"^@\S+$|^[a-z0-9]+([._][a-z0-9]+)+$")
# A site's key that spells a person's full name ("colin-murphy", looked up in the site's authors
# data) is that name as an editor types it.
_NAME_SLUG = re.compile(r"^[a-z]{2,}(-[a-z]{2,}){1,3}$")
# Where themes keep a post's authors: `authors`, `author`, or a theme's own list (`postauthors:` with
# `- name: …` items).
_AUTHOR_KEYS = ("authors", "author", "postauthors")


def _names(value):
    names = []
    for item in _strings(value):
        item = item.strip("[]")
        if _NAME_SLUG.match(item):
            item = " ".join(word.capitalize() for word in item.split("-"))
        names.extend(byline_names(item) or [n.strip(" \"'") for n in item.split(";") if n.strip(" \"'")])
    return [name for name in names if not _HANDLE.match(name) and not is_organisation(name)]


def _keywords(value):
    if isinstance(value, list | tuple):
        return split_keywords(";".join(_strings(value)))
    text = " ".join(_strings(value)).strip("[]")
    if not text:
        return []
    if "," in text or ";" in text:
        return split_keywords(text)
    return split_keywords(";".join(text.split()))  # Jekyll: a string of tags is split on spaces


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = " ".join(_strings(value))
    return iso_date(text) or parse_date(text) if text else None


_STANDFIRST_KEYS = ("abstract", "summary", "lead", "excerpt", "dek", "standfirst")


def _path_date(data):
    """The date in a post's path or permalink (`blog/2020/02/26/title`), or None."""
    for key in ("path", "url", "permalink", "slug"):
        if match := _PATH_DATE.search(" ".join(_strings(data.get(key)))):
            return iso_date(f"{match[1]}-{match[2]}-{match[3]}")
    return None


def _front_matter(head, draft, *, toml=False):
    data = _load_front_matter(head, toml=toml)
    if title := " ".join(_strings(data.get("title"))):
        draft.title = normalise_text(title)
    if subtitle := " ".join(_strings(data.get("subtitle"))):
        draft.subtitle = subtitle
    names = _names(next((data[key] for key in _AUTHOR_KEYS if data.get(key)), None))
    affiliation = " ".join(_strings(data.get("affiliation")))
    draft.authors = [DraftAuthor(name=name, affiliation=affiliation) for name in names]
    if data.get("date"):
        draft.date = _date(data["date"])
        if not draft.date:
            draft.warn(f"Could not read the date \u201c{data['date']}\u201d in the front matter.")
    else:
        draft.date = _path_date(data)
    keywords = data.get("keywords") or data.get("tags")
    if keywords:
        draft.keywords = _keywords(keywords)
    # A theme's standfirst ("lead" in Hugo's themes, "excerpt", "dek") is the abstract's place too.
    standfirst = next((data[key] for key in _STANDFIRST_KEYS if data.get(key)), None)
    if abstract := " ".join(_strings(standfirst)):
        draft.abstract = normalise_text(abstract)
    if kind := " ".join(_strings(data.get("kind"))):
        draft.kind = kind
    language = " ".join(_strings(data.get("language") or data.get("lang"))).split("-")[0].lower()
    if language in LANGUAGES:
        draft.language = language
    if doi := " ".join(_strings(data.get("doi"))):
        draft.doi = doi
    if url := " ".join(_strings(data.get("url") or data.get("source_url"))):
        draft.source_url = url
    if source := " ".join(_strings(data.get("source") or data.get("publication") or data.get("journal"))):
        draft.source_name = source


def extract(data, *, filename="file.md"):
    raw = decode_text(data, filename=filename)
    text = normalise_text(raw)
    if not text.strip():
        raise ExtractionError(f"{filename} is empty.")
    draft = Draft()
    # The front matter keeps its lines' indentation: YAML nests by it (`author:` / `  name: …`).
    indented = _indented(raw)
    if match := _TOML_FRONT.match(indented):
        _front_matter(match["head"], draft, toml=True)
        text = normalise_text(indented[match.end() :])
    elif match := _FRONT.match(indented) or _bare_front(indented):
        _front_matter(match["head"], draft)
        text = normalise_text(indented[match.end() :])
    elif match := _TOML_FRONT.match(text):
        _front_matter(match["head"], draft, toml=True)
        text = text[match.end() :]
    elif match := _FRONT.match(text) or _bare_front(text):
        _front_matter(match["head"], draft)
        text = text[match.end() :]
    if not draft.date and (match := _JEKYLL_DATE.match(PurePath(filename).name)):
        draft.date = iso_date(f"{match[1]}-{match[2]}-{match[3]}")
    text = _LIQUID.sub("", _SHORTCODE.sub("", text))
    rendered = markdown_lib.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    root = parse_html(f"<html><body>{rendered}</body></html>", filename=filename)
    blocks = html_blocks(root.find("body"))
    if draft.title:
        blocks = [b for b in blocks if not (b.tag == "h1" and b.text.casefold() == draft.title.casefold())]
    # Leading notes ("This post originally appeared on ...") and the byline of the authors named
    # in the front matter are not the body.
    names = {a.name.casefold() for a in draft.authors}
    while blocks and blocks[0].tag == "p" and len(blocks[0].text) < 200:
        first = blocks[0].text
        bare = re.sub(r"^(by|von|par|por)\s+", "", first, flags=re.I).strip(" .")
        byline = bare != first and {n.casefold() for n in byline_names(bare) or [bare]} <= names
        if _NOTE.match(first) or (names and byline):
            blocks.pop(0)
        else:
            break
    read_blocks(blocks, draft)
    return draft
