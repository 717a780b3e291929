"""Test collections with relevance judgements, read from the files committed under bench/.

- `bench/collections/<name>/`: public test collections in the SMART/Glasgow format (CISI, MED,
  CACM; see each folder's SOURCE.md). Documents and queries are `.I id` records with field lines
  `.T` (title), `.A` (authors), `.W` (text), `.B` (bibliographic line, CACM's date) and others we
  ignore; judgements are a SMART relation file (`qid did ...`) or TREC qrels (`qid 0 did rel`).
- `bench/judged/`: queries of the archive's own kind, judged by pooling (see its README), over
  documents of ../shared/corpus referenced by a stable id and read from there at run time.

`load(name)` -> `Collection(name, docs, queries, qrels, split)`; every collection has a fixed
`split.tsv` (query id -> `tune` or `test`) beside its files, written once and never changed.
"""

import datetime
import gzip
import json
import random
import re
import tarfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
COLLECTIONS_DIR = BENCH / "collections"
JUDGED_DIR = BENCH / "judged"
DEFAULT_CORPUS = BENCH.parent.parent / "shared" / "corpus"

# A fixed publication date for collections that carry none (the archive needs one per piece).
FIXED_DATE = "2000-01-01"
SPLIT_SEED = 14  # issue 14
SPLITS = ("tune", "test")

_FIELD = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}


@dataclass
class Doc:
    id: str
    title: str
    text: str = ""
    authors: list = field(default_factory=list)
    date: str = FIXED_DATE
    language: str = "en"


@dataclass
class Collection:
    name: str
    docs: dict  # doc id -> Doc, in file order
    queries: dict  # query id -> text (whitespace collapsed)
    qrels: dict  # query id -> {doc id: grade}
    split: dict = field(default_factory=dict)  # query id -> "tune" | "test"
    renamed: list = field(default_factory=list)  # doc ids whose repeated title was numbered

    @property
    def judged_queries(self):
        """Query ids with at least one relevant document: the only ones that are scored."""
        return [q for q in self.queries if any(g > 0 for g in self.qrels.get(q, {}).values())]

    def query_ids(self, split="all"):
        """Judged query ids of `split` (all, tune or test), in query order."""
        return [q for q in self.judged_queries if split == "all" or self.split.get(q) == split]


# --- the SMART/Glasgow format ----------------------------------------------------------------


def smart_records(text):
    """(id, {field letter: [lines]}) per `.I` record of a SMART file, fields in file order."""
    record_id, fields, current = None, {}, None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = _FIELD.match(raw.rstrip())
        if match and match.group(1) == "I":
            if record_id:
                yield record_id, fields
            record_id = (match.group(2) or "").strip()
            fields, current = {}, None
        elif match and record_id is not None:
            current = match.group(1)
            fields.setdefault(current, [])
            if match.group(2):  # a field marker with text on the same line
                fields[current].append(match.group(2))
        elif current is not None:
            fields[current].append(raw)
    if record_id:
        yield record_id, fields


def squash(lines):
    """Lines of a field as one string, runs of whitespace collapsed to one space."""
    return " ".join(" ".join(lines).split())


def smart_docs(text, *, date_field=None, titles=True):
    """Doc records from a SMART `.ALL` file. Without titles (MED), the text's first sentence
    becomes the title and the rest the body, so title + body hold the record's words once."""
    docs = {}
    for record_id, fields in smart_records(text):
        body = squash(fields.get("W", []))
        title = squash(fields.get("T", []))
        if not titles or not title:
            title, body = first_sentence(body)
        authors = [" ".join(line.split()) for line in fields.get("A", []) if line.strip()]
        date = FIXED_DATE
        if date_field and fields.get(date_field):
            date = cacm_date(squash(fields[date_field])) or FIXED_DATE
        doc_id = str(int(record_id))
        docs[doc_id] = Doc(id=doc_id, title=title, text=body, authors=authors, date=date)
    return docs


def first_sentence(text, *, max_words=25):
    """(title, rest): the text up to its first full stop, or its first `max_words` words."""
    words = text.split()
    for i, word in enumerate(words[:max_words]):
        if word.endswith(".") and i > 0:
            cut = i if word == "." else i + 1
            return " ".join(words[:cut]).rstrip(" ."), " ".join(words[i + 1 :])
    return " ".join(words[:max_words]), " ".join(words[max_words:])


def cacm_date(line):
    """'CACM December, 1958' -> '1958-12-01' (None when no month and year are found)."""
    match = re.search(r"([A-Za-z]+),?\s+(\d{4})", line)
    if not match or match.group(1).lower() not in _MONTHS:
        return None
    return datetime.date(int(match.group(2)), _MONTHS[match.group(1).lower()], 1).isoformat()


def smart_queries(text):
    """Query id -> the query's `.W` text (whitespace collapsed), as a reader would paste it."""
    return {str(int(record_id)): squash(fields.get("W", [])) for record_id, fields in smart_records(text)}


def smart_relations(text):
    """A SMART relation file (`qid did ...` per line; CISI.REL, CACM's qrels.text): all grade 1."""
    qrels = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels.setdefault(str(int(parts[0])), {})[str(int(parts[1]))] = 1
    return qrels


def trec_qrels(text):
    """TREC qrels (`qid iteration did grade` per line; MED.REL, bench/judged/qrels.txt)."""
    qrels = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and not line.startswith("#"):
            qid, _, did, grade = parts
            qid = str(int(qid)) if qid.isdigit() else qid
            did = str(int(did)) if did.isdigit() else did
            qrels.setdefault(qid, {})[did] = int(grade)
    return qrels


# --- the collections -------------------------------------------------------------------------


def _tar_member(path, name):
    with tarfile.open(path) as tar:
        return tar.extractfile(name).read().decode("ascii")


def _gz(path):
    return gzip.decompress(path.read_bytes()).decode("ascii")


def load_cisi(folder):
    tar = folder / "cisi.tar.gz"
    return (
        smart_docs(_tar_member(tar, "CISI.ALL")),
        smart_queries(_tar_member(tar, "CISI.QRY")),
        smart_relations(_tar_member(tar, "CISI.REL")),
    )


def load_med(folder):
    tar = folder / "med.tar.gz"
    return (
        smart_docs(_tar_member(tar, "MED.ALL"), titles=False),
        smart_queries(_tar_member(tar, "MED.QRY")),
        trec_qrels(_tar_member(tar, "MED.REL")),
    )


def load_cacm(folder):
    return (
        smart_docs(_gz(folder / "cacm.all.gz"), date_field="B"),
        smart_queries((folder / "query.text").read_text("ascii")),
        smart_relations((folder / "qrels.text").read_text("ascii")),
    )


LOADERS = {"cisi": load_cisi, "med": load_med, "cacm": load_cacm}
NAMES = (*LOADERS, "judged")


def load(name, *, corpus=None):
    """The named collection (one of NAMES) with its fixed tune/test split."""
    if name == "judged":
        folder = JUDGED_DIR
        docs = judged_docs(corpus or DEFAULT_CORPUS)
        queries = judged_queries(folder / "queries.tsv")
        qrels_path = folder / "qrels.txt"
        qrels = trec_qrels(qrels_path.read_text("utf-8")) if qrels_path.exists() else {}
    elif name in LOADERS:
        folder = COLLECTIONS_DIR / name
        docs, queries, qrels = LOADERS[name](folder)
    else:
        raise ValueError(f"unknown collection {name!r} (known: {', '.join(NAMES)})")
    renamed = keep_apart(docs)
    return Collection(
        name=name, docs=docs, queries=queries, qrels=qrels, split=read_split(folder), renamed=renamed
    )


def identity(text):
    """The archive's identity form of a title or name (archive.articles.text.normalise_for_identity):
    case-, accent- and punctuation-insensitive."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def keep_apart(docs):
    """Number repeated titles so that every document stays its own article.

    The import takes two pieces with the same title and first author for one piece (PRODUCT.md:
    a likely duplicate), and the collections hold such pairs (CISI's three "Documentation" by
    Bradford, CACM's glossaries). The second of a pair becomes "Documentation (2)", and so on, for
    the archive and the references alike. Returns the renamed doc ids.

    Also: `unique_slug` (archive/articles/services.py) gives a third title whose slug is cut at
    its 120 characters the same slug as the second (its `-2` suffix replaces the cut-off end, so
    the next search for taken slugs misses it) and the import stops on the unique constraint.
    A third such title is numbered at its start, "(3) Survey of ...", which changes its slug.
    """
    from django.utils.text import slugify

    seen, cut_slugs, renamed = {}, {}, []
    for doc in docs.values():
        key = (identity(doc.title), identity(doc.authors[0]) if doc.authors else "")
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            doc.title = f"{doc.title} ({seen[key]})"
            renamed.append(doc.id)
        slug = slugify(doc.title, allow_unicode=True)
        if len(slug) > SLUG_CHARS:
            cut = slug[:SLUG_CHARS].strip("-")
            cut_slugs[cut] = cut_slugs.get(cut, 0) + 1
            if cut_slugs[cut] > 2:
                doc.title = f"({cut_slugs[cut]}) {doc.title}"
                renamed.append(doc.id)
    return renamed


SLUG_CHARS = 120  # archive.articles.text.SLUG_MAX_LENGTH


# --- tune / test split -----------------------------------------------------------------------


def make_split(query_ids, *, seed=SPLIT_SEED, strata=None):
    """Half the queries for tuning, half for the final test figure: a seeded shuffle, within each
    stratum when `strata` ({query id: group}, e.g. the judged set's kinds of query) is given."""
    groups = {}
    for q in query_ids:
        groups.setdefault((strata or {}).get(q, ""), []).append(q)
    split = {}
    for group, ids in sorted(groups.items()):
        ids = sorted(ids, key=lambda q: (len(q), q))
        random.Random(f"{seed}:{group}" if group else seed).shuffle(ids)
        half = (len(ids) + 1) // 2
        split.update({q: ("tune" if i < half else "test") for i, q in enumerate(ids)})
    return split


def read_split(folder):
    path = Path(folder) / "split.tsv"
    if not path.exists():
        return {}
    split = {}
    for line in path.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            qid, which = line.split("\t")
            split[qid] = which
    return split


def write_split(folder, collection, *, strata=None):
    """Write split.tsv for the collection's judged queries, once: an existing split never changes."""
    path = Path(folder) / "split.tsv"
    if path.exists():
        raise FileExistsError(f"{path} exists; a split is fixed once written")
    split = make_split(collection.judged_queries, strata=strata)
    how = "within each kind of query, " if strata else ""
    lines = [f"# {collection.name}: judged query id -> tune|test (seeded shuffle {how}seed {SPLIT_SEED})"]
    lines += [f"{q}\t{split[q]}" for q in sorted(split, key=lambda q: (len(q), q))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return split


# --- the judged set over ../shared/corpus ----------------------------------------------------

# The fixed subset: (folder/file, how many records from the start). Never change it: the
# judgements in bench/judged/qrels.txt refer to these documents.
JUDGED_SUBSET = (
    ("globalvoices_cocolofa/dev.json", None),
    ("globalvoices_cocolofa/test.json", None),
    ("huffpost_news_category_10k/News_Category_Dataset_v3.json", 1500),
    ("farsi_news_rss/hamshahri.json", 300),
    ("farsi_news_rss/radiofarda.json", 100),
    ("saudinewsnet_ar/2015-07-21.zip", 400),
)


def judged_docs(corpus):
    """Doc id (`file#index`) -> Doc for the fixed subset of the shared corpus, read at run time."""
    corpus = Path(corpus)
    docs = {}
    for name, limit in JUDGED_SUBSET:
        for index, record in enumerate(_corpus_records(corpus / name)):
            if limit is not None and index >= limit:
                break
            doc = _judged_doc(name, record)
            if doc.title:
                doc.id = f"{name}#{index}"
                docs[doc.id] = doc
    return docs


def _corpus_records(path):
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return json.loads(z.read(z.namelist()[0]).decode("utf-8"))
    text = path.read_text("utf-8")
    if path.name.startswith("News_Category"):  # JSON Lines
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def _judged_doc(name, record):
    folder = name.split("/")[0]
    if folder == "globalvoices_cocolofa":
        date = datetime.datetime.strptime(record["date"].strip(), "%d %B %Y").date().isoformat()
        return Doc(
            id="",
            title=record["title"].strip(),
            text=record["content"],  # HTML: the import sanitises it; the references strip tags
            authors=[record["author"].strip()] if record.get("author", "").strip() else [],
            date=date,
        )
    if folder == "huffpost_news_category_10k":
        return Doc(
            id="",
            title=record["headline"].strip(),
            text=record["short_description"].strip(),
            authors=[record["authors"].strip()] if record.get("authors", "").strip() else [],
            date=record["date"],
        )
    if folder == "farsi_news_rss":
        return Doc(id="", title=record["title"].strip(), text=record["summary"].strip(), language="fa")
    if folder == "saudinewsnet_ar":
        author = (record.get("author") or "").strip()
        return Doc(
            id="",
            title=record["title"].strip(),
            text=record["content"].strip(),
            authors=[author] if author else [],
            date=record["date_extracted"][:10],
            language="ar",
        )
    raise ValueError(f"no reader for {name}")


def judged_queries(path):
    """bench/judged/queries.tsv -> {id: query, exactly as typed}."""
    return {qid: row["query"] for qid, row in judged_query_rows(path).items()}


def judged_query_rows(path):
    """{id: {kind, query, need}} from bench/judged/queries.tsv (`id kind query need`, tab-separated)."""
    rows = {}
    for line in Path(path).read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, kind, text, need = line.split("\t")
            rows[qid] = {"kind": kind, "query": text, "need": need}
    return rows


def html_text(value):
    """Plain text of an HTML body (for the reference indexes, which take no HTML)."""
    from html.parser import HTMLParser

    parts = []

    class Text(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

        def handle_starttag(self, tag, attrs):
            if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote"):
                parts.append("\n")

    parser = Text(convert_charrefs=True)
    parser.feed(value)
    parser.close()
    return " ".join("".join(parts).split())


def reference_text(doc):
    """Title and text of a doc as plain text: what the reference systems index."""
    text = html_text(doc.text) if "<" in doc.text else doc.text
    return f"{doc.title}\n{text}"
