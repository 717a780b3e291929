"""Extraction accuracy of the admin upload on real files (issue 16, "How we know").

    .venv/bin/python bench/ingest_accuracy.py              # the per-field table, tune / heldout / all
    .venv/bin/python bench/ingest_accuracy.py --json       # per-file details as JSON
    .venv/bin/python bench/ingest_accuracy.py --file NAME  # one file, with what was read
    .venv/bin/python bench/ingest_accuracy.py --tune       # tuning: tune split only, held-out files unread
    .venv/bin/python bench/ingest_accuracy.py --hide-heldout  # every split, no per-file held-out line

Each file of tests/data/ingest_real/ (listed with its source in SOURCE.md) goes through the same
steps as an upload in the admin (archive/ingest/views.py): `extract_file(data, filename=...)`
(format check, then the format's extractor in the sandbox subprocess), the draft through its
JSON round trip, `draft_fields(draft, defaults={"status": "draft"})` and
`ArticleDraftForm.initial_from_fields`: what the check form shows an editor. Those form values
are compared with truth.json, what a careful editor would type, by the rules written in
`docs/ingest-accuracy.md` and implemented below (`score`).

A file that cannot be read (a damaged file, or a scan without tesseract) scores wrong on every
field. Files marked `"heldout": true` in truth.json are never looked at while tuning the
extractor; they are reported as their own split. Files marked `"heldout": "2"` are a second
held-out group gathered later (round 5), reported beside it as "heldout2"; `"heldout": "3"` the
third (round 6), as "heldout3"; `"heldout": "4"` the fourth (round 7), as "heldout4"; `"heldout": "5"`
the fifth (round 8), as "heldout5"; `"heldout": "6"` the sixth (round 9), as "heldout6".
"""

import argparse
import html
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO / "tests" / "data" / "ingest_real"
TRUTH = CORPUS / "truth.json"
# The fields scored, in report order; "affiliations" is the secondary figure.
FIELDS = ["title", "authors", "date", "language", "keywords", "abstract_start", "body_start", "no_furniture"]
SECONDARY = ["affiliations"]
PREFIX = 60  # characters of the (normalised) truth that the extracted start must begin with
NO_DATE_WARNING = "No publication date found: set to today and kept as a draft."
_SPACE = re.compile(r"\s+")
# Stripped from both ends of a text before comparing: quotes, brackets, dashes, marks, bidi controls.
_EDGE_PUNCT = (
    "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a.,;:!?()[]{}<>*\u2020\u2021\u00a7\u00b6|/\\"
    "-\u2013\u2014_ \u200c\u200f\u200e"
)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()


def load_truth(path=TRUTH):
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --- what the upload shows -------------------------------------------------------------------


def form_fields(data, filename, *, sandbox=None):
    """The check form's values for one uploaded file, as the admin upload computes them.

    Returns a dict: title, authors (list of {name, affiliation}), date (ISO or None when the
    form's date is today's fallback), language, keywords (list), abstract (text), body (text,
    headings left out), body_html, warnings; or {"error": sentence} when the file cannot be read.
    """
    from archive.ingest.draft import Draft, ExtractionError
    from archive.ingest.extract import extract_file
    from archive.ingest.forms import ArticleDraftForm
    from archive.ingest.services import draft_fields

    try:
        draft = extract_file(data, filename=filename, sandbox=sandbox)
    except ExtractionError as error:
        return {"error": str(error)}
    draft = Draft.from_dict(json.loads(json.dumps(draft.to_dict())))  # as PendingUpload stores it
    obj, warnings = draft_fields(draft, defaults={"status": "draft"})
    initial = ArticleDraftForm.initial_from_fields(obj)
    authors = []
    for line in (initial["authors"] or "").splitlines():  # ArticleDraftForm.clean's reading
        if line.strip():
            name, _, affiliation = line.partition("|")
            authors.append({"name": name.strip(), "affiliation": affiliation.strip()})
    keywords = [k.strip() for k in re.split(r"[;,]", initial["keywords"] or "") if k.strip()]
    date = initial["date"] if NO_DATE_WARNING not in warnings else None
    return {
        "title": initial["title"] or "",
        "authors": authors,
        "date": date,
        "language": initial["language"],
        "keywords": keywords,
        "abstract": html_to_text(initial["abstract"] or ""),
        "body": html_to_text(initial["body"] or "", skip_headings=True),
        "body_html": initial["body"] or "",
        "warnings": warnings,
    }


def html_to_text(markup, *, skip_headings=False):
    """Plain text of a body or abstract (HTML or text); headings dropped when asked."""
    if "<" not in markup:
        return html.unescape(markup)
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except Exception:  # a fragment lxml cannot parse: take it as text
        return markup
    if skip_headings:
        for heading in root.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"):
            heading.drop_tree()
    for block in root.iter(
        "p", "li", "blockquote", "pre", "br", "tr", "div", "h1", "h2", "h3", "h4", "h5", "h6"
    ):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


# --- matching rules ----------------------------------------------------------------------------


# Arabic-script letter variants that one language writes one way and another the other way (the
# search index folds them the same way): Arabic yeh/kaf to Persian, tatweel and ZWNJ dropped.
_LETTERS = str.maketrans(
    {"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0640": None, "\u200c": " "}
)


def norm_text(text):
    """NFKC, Arabic-script letter variants folded, whitespace collapsed, case folded, surrounding
    punctuation stripped."""
    text = unicodedata.normalize("NFKC", text or "").translate(_LETTERS)
    text = _SPACE.sub(" ", text).strip().casefold()
    return text.strip(_EDGE_PUNCT)


def norm_name(name):
    """Names compare after NFKC and whitespace normalisation only (case and dots count)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name or "")).strip()


def starts_like(got, expected):
    """The normalised extracted text starts with the normalised truth's first PREFIX characters."""
    want = norm_text(expected)[:PREFIX]
    return bool(want) and norm_text(got).startswith(want)


def score(truth, got):
    """{field: True/False/None} for one file; None where the field does not apply."""
    if "error" in got:
        result = dict.fromkeys(FIELDS, False)
        result["affiliations"] = False if _has_affiliations(truth) else None
        return result
    result = {
        "title": norm_text(got["title"]) == norm_text(truth["title"]),
        "authors": [norm_name(a["name"]) for a in got["authors"]]
        == [norm_name(a["name"]) for a in truth["authors"]],
        "date": (got["date"] or None) == (truth["date"] or None),
        "language": got["language"] == truth["language"],
        "keywords": sorted({norm_text(k) for k in got["keywords"]})
        == sorted({norm_text(k) for k in truth["keywords"]}),
        "abstract_start": (
            not got["abstract"].strip()
            if truth["abstract_start"] is None
            else starts_like(got["abstract"], truth["abstract_start"])
        ),
        "body_start": (
            # No body proper (a page that only holds an abstract): the body is empty, or the abstract.
            not got["body"].strip() or starts_like(got["body"], truth["abstract_start"] or "")
            if truth["body_start"] is None
            else starts_like(got["body"], truth["body_start"])
        ),
        # An empty body shows no furniture, but has nothing right either, unless none is expected.
        "no_furniture": (bool(got["body"].strip()) or truth["body_start"] is None)
        and not any(norm_text(s) in norm_text(got["body"]) for s in truth["not_in_body"]),
    }
    if _has_affiliations(truth):
        result["affiliations"] = result["authors"] and [
            norm_text(a["affiliation"]) for a in got["authors"]
        ] == [norm_text(a["affiliation"] or "") for a in truth["authors"]]
    else:
        result["affiliations"] = None
    return result


def _has_affiliations(truth):
    return any(a.get("affiliation") for a in truth["authors"])


# --- the run -----------------------------------------------------------------------------------


def run_file(name, entry, *, sandbox=None):
    data = (CORPUS / name).read_bytes()
    start = time.perf_counter()
    got = form_fields(data, name, sandbox=sandbox)
    seconds = time.perf_counter() - start
    return {
        "file": name,
        "kind": entry.get("kind", ""),
        "heldout": bool(entry.get("heldout")),
        "split": split_of_entry(entry),
        "scanned": bool(entry.get("scanned")),
        "seconds": round(seconds, 3),
        "scores": score(entry, got),
        "got": got,
    }


def split_of_entry(entry):
    group = entry.get("heldout")
    if group in ("2", "3", "4", "5", "6"):
        return f"heldout{group}"  # the later held-out groups (rounds 5 to 9)
    return "heldout" if group else "tune"


def split_of(row):
    return row["split"]


LATER_GROUPS = ("heldout2", "heldout3", "heldout4", "heldout5", "heldout6")  # rounds 5 to 9


def splits_of(rows):
    """tune, heldout and all always (the report's columns since round 1); heldout2-6 where they have files."""
    extra = tuple(s for s in LATER_GROUPS if any(split_of(r) == s for r in rows))
    return ("tune", "heldout", *extra, "all")


def summarise(rows):
    table = {}
    for field in FIELDS + SECONDARY:
        table[field] = {}
        for split in splits_of(rows):
            marks = [
                r["scores"][field]
                for r in rows
                if (split == "all" or split_of(r) == split) and r["scores"][field] is not None
            ]
            table[field][split] = (sum(marks), len(marks))
    return table


def timing(rows):
    def stats(values):
        if not values:
            return None
        return {"files": len(values), "median_s": statistics.median(values), "max_s": max(values)}

    text = [r["seconds"] for r in rows if not r["scanned"]]
    ocr = [r["seconds"] for r in rows if r["scanned"]]
    slowest = max(rows, key=lambda r: r["seconds"]) if rows else None
    return {"text": stats(text), "ocr": stats(ocr), "slowest": slowest and slowest["file"]}


def cell(hit, total):
    return f"{hit:>2}/{total:<2} {100 * hit / total:5.1f}%" if total else "    -       "


def print_report(rows, *, hide_heldout=False):
    table = summarise(rows)
    splits = splits_of(rows)
    counts = {s: sum(1 for r in rows if s == "all" or split_of(r) == s) for s in splits}
    print(f"Extraction accuracy on {len(rows)} real files (tests/data/ingest_real)\n")
    print(f"{'field':<16}" + "".join(f"{s + f' ({counts[s]})':>16}" for s in splits))
    for field in FIELDS + SECONDARY:
        label = field if field not in SECONDARY else f"({field})"
        print(f"{label:<16}" + "".join(f"{cell(*table[field][s]):>16}" for s in splits))
    times = timing(rows)
    print()
    for label, key in (("text files", "text"), ("scanned (OCR)", "ocr")):
        t = times[key]
        if t:
            print(
                f"time per file, {label}: median {t['median_s']:.2f} s, max {t['max_s']:.2f} s "
                f"({t['files']} files)"
            )
    print(f"slowest file: {times['slowest']}")
    print("\nFailed fields per file (H = held out, H2-H6 = the second to sixth held-out group):")
    width = max(len(r["file"]) for r in rows)
    for r in rows:
        if hide_heldout and r["heldout"]:
            continue  # held-out files are scored, never looked at one by one
        failed = [f for f in FIELDS + SECONDARY if r["scores"][f] is False]
        note = " [not read: " + r["got"]["error"][:60] + "]" if "error" in r["got"] else ""
        mark = {"heldout": "H ", **{g: "H" + g[-1] for g in LATER_GROUPS}}.get(split_of(r), "  ")
        print(f"{mark} {r['file']:<{width}} {r['seconds']:6.2f}s  {', '.join(failed) or 'all right'}{note}")


def print_one(row, entry):
    got = row["got"]
    print(json.dumps({"file": row["file"], "seconds": row["seconds"], "scores": row["scores"]}, indent=2))
    if "error" in got:
        print("not read:", got["error"])
        return
    for field in ("title", "authors", "date", "language", "keywords"):
        print(f"{field:>9}: {got[field]!r}")
        print(f"{'truth':>9}: {entry[field]!r}")
    print(f" abstract: {got['abstract'][:200]!r}")
    print(f"    truth: {entry['abstract_start']!r}")
    print(f"     body: {got['body'][:300]!r}")
    print(f"    truth: {entry['body_start']!r}")
    hits = [s for s in entry["not_in_body"] if norm_text(s) in norm_text(got["body"])]
    print(f"furniture found in the body: {hits}")
    print(f" warnings: {got['warnings']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the per-file details as JSON")
    parser.add_argument("--file", help="run one file of the corpus (its name in truth.json)")
    parser.add_argument(
        "--no-sandbox", action="store_true", help="extract in this process (same drafts, less start-up time)"
    )
    parser.add_argument(
        "--tune", action="store_true", help="tune split only: held-out files are not read (for tuning)"
    )
    parser.add_argument(
        "--hide-heldout", action="store_true", help="every split scored, no per-file line for held-out files"
    )
    args = parser.parse_args(argv)
    setup_django()
    truth = load_truth()
    names = [args.file] if args.file else sorted(truth)
    if args.tune:
        names = [n for n in names if not truth[n].get("heldout")]
        if not names:
            parser.error("--tune: that file is held out")
    unknown = [n for n in names if n not in truth]
    if unknown:
        parser.error(f"not in truth.json: {', '.join(unknown)}")
    sandbox = False if args.no_sandbox else None
    rows = [run_file(name, truth[name], sandbox=sandbox) for name in names]
    if args.json:
        for row in rows:
            row["got"].pop("body_html", None)
            if "body" in row["got"]:
                row["got"]["body"] = row["got"]["body"][:2000]
        print(json.dumps({"summary": summarise(rows), "timing": timing(rows), "files": rows}, indent=1))
    elif args.file:
        print_one(rows[0], truth[args.file])
    else:
        print_report(rows, hide_heldout=args.hide_heldout or args.tune)


if __name__ == "__main__":
    main()
