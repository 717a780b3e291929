"""Synthetic archive articles shaped like real ones, deterministic for a seed.

The generator learns from the real corpus in ../shared/corpus (read-only; never copied into git):
- English text: a word-bigram chain over Global Voices article bodies (real long-form commentary)
  and HuffPost standfirsts; titles from a chain over HuffPost headlines and Global Voices titles,
  with lengths drawn from the real title lengths; paragraph lengths drawn from Global Voices
  paragraphs; about 800 words an article.
- Persian text: a chain over Hamshahri and Radio Farda titles and summaries (`farsi_news_rss`),
  keywords from their topic tags.
- Arabic text: a chain over SaudiNewsNet articles (`saudinewsnet_ar`), bylines from its authors.
- Authors: real bylines first, then first/last names recombined; articles per author follow a
  Zipf-like law (a few prolific authors, a long tail), authors per article 1-4.
- Keywords: HuffPost sections and the capitalised names Global Voices uses most (countries,
  people, organisations), again Zipf-like.
- Dates over 1998-2024, more pieces in later years; a few drafts; kinds like a think tank's.
- Rare words: a synthetic lexicon of proper-noun-like words sized to N, sprinkled in a few times
  an article, so the vocabulary keeps growing with the corpus as a real archive's does.

Everything comes from one `random.Random(seed)` over inputs read in a fixed order, so the same
(corpus, N, seed) gives byte-identical output. Output is the archive JSON (PRODUCT.md "Fixed
points"), in files of `chunk` articles, plus `manifest.json` with what the query mix needs.

    python bench/corpus.py --articles 1000 --out bench/out/corpus-1000
"""

import argparse
import itertools
import json
import random
import re
import zipfile
from bisect import bisect_left
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
if not DEFAULT_CORPUS.is_dir():  # worktrees live one level deeper than a clone's siblings
    DEFAULT_CORPUS = REPO.parent.parent / "shared" / "corpus"

# Words whose document frequency the manifest records, so a run can show what each query hits.
WATCH_WORDS = (
    "government",
    "police",
    "election",
    "human",
    "rights",
    "people",
    "journalists",
    "freedom",
    "ایران",
    "المملكة",
)

KIND_WEIGHTS = (
    ("commentary", 55),
    ("paper", 15),
    ("report", 10),
    ("interview", 8),
    ("news", 8),
    ("review", 4),
)
AUTHORS_PER_ARTICLE = ((1, 72), (2, 20), (3, 6), (4, 2))
PUBLICATIONS = (
    "Strategic Review",
    "Journal of Regional Affairs",
    "Middle East Quarterly Review",
    "Foreign Policy Analysis",
    "International Studies Bulletin",
    "Security and Diplomacy",
    "The Commentary Series",
    "Discussion Papers",
)
ROLES = (
    "Senior Fellow",
    "Research Fellow",
    "PhD Candidate",
    "Professor of International Relations",
    "Associate Professor of Political Science",
    "Expert on Middle East Issues",
    "Journalist",
    "Former Ambassador",
    "Analyst",
)
INSTITUTIONS = (
    "University of Tehran",
    "Allameh Tabatabaei University",
    "Institute for Strategic Studies",
    "Center for Regional Studies",
    "King Saud University",
    "University of Oxford",
    "Institute for Political and International Studies",
    "Center for Middle East Strategic Studies",
    "Georgetown University",
    "American University of Beirut",
)
# Persian bylines: the Persian corpus has none. Common given names and surnames.
FA_FIRST = (
    "علی",
    "محمد",
    "حسین",
    "رضا",
    "مهدی",
    "زهرا",
    "فاطمه",
    "مریم",
    "سارا",
    "نرگس",
    "امیر",
    "حمید",
    "کاوه",
    "پرویز",
    "شیرین",
    "لیلا",
)
FA_LAST = (
    "احمدی",
    "محمدی",
    "حسینی",
    "رضایی",
    "کریمی",
    "موسوی",
    "جعفری",
    "صادقی",
    "رحیمی",
    "تهرانی",
    "شیرازی",
    "اصفهانی",
    "کاظمی",
    "نوری",
    "هاشمی",
    "اسدی",
)
SYLLABLES = (
    "ka",
    "vo",
    "reth",
    "mi",
    "lan",
    "dor",
    "is",
    "tu",
    "bek",
    "sa",
    "ra",
    "nel",
    "qu",
    "zo",
    "fi",
    "gar",
    "om",
    "pra",
    "sul",
    "te",
    "vin",
    "ash",
    "el",
    "ny",
)
SENTENCE_END = (".", "!", "?", "؟", ".»", '."', ".”")
WORD_RE = re.compile(r"\w+")
TAG_RE = re.compile(r"<[^>]+>")
PARA_RE = re.compile(r"<p[^>]*>(.*?)</p>", re.S)


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _zipf_cum(n, offset):
    """Cumulative weights 1/(i+offset): a Zipf-like popularity over n ranked items."""
    return list(itertools.accumulate(1.0 / (i + offset) for i in range(n)))


def _pick(rng, items, cum):
    return items[bisect_left(cum, rng.random() * cum[-1])]


class Chain:
    """A word-bigram chain: successor lists keep duplicates, so a uniform pick is frequency-weighted."""

    def __init__(self):
        self.next = {}
        self.starts = []

    def learn(self, text):
        words = text.split()
        if not words:
            return
        self.starts.append(words[0])
        for a, b in itertools.pairwise(words):
            self.next.setdefault(a, []).append(b)
            if a.endswith(SENTENCE_END):
                self.starts.append(b)

    def sentence_words(self, rng, n_words, *, stop_at_sentence_end=True):
        """At least n_words words, ending at a sentence end when one comes within 40 more words."""
        r = rng.random
        starts = self.starts
        word = starts[int(r() * len(starts))]
        out = [word]
        while True:
            if len(out) >= n_words and (not stop_at_sentence_end or word.endswith(SENTENCE_END)):
                break
            if len(out) >= n_words + 40:
                break
            succ = self.next.get(word)
            word = starts[int(r() * len(starts))] if not succ else succ[int(r() * len(succ))]
            out.append(word)
        return out


class Language:
    """What one language's articles are made from."""

    def __init__(self, code):
        self.code = code
        self.body = Chain()
        self.title = Chain()
        self.title_lengths = []
        self.paragraph_lengths = []
        self.names = []
        self.keywords = []


def _clean(text):
    return " ".join(TAG_RE.sub(" ", text).split())


def load_sources(corpus_dir):
    """Read the real corpus once (a few seconds) into one Language per code."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise SystemExit(f"corpus folder not found: {corpus_dir} (pass --corpus DIR)")
    en, fa, ar = Language("en"), Language("fa"), Language("ar")

    gv = []
    for name in ("dev.json", "test.json"):
        gv += json.loads((corpus_dir / "globalvoices_cocolofa" / name).read_text(encoding="utf-8"))
    en_names = []
    capitals = Counter()
    lower = Counter()
    for item in gv:
        for raw in PARA_RE.findall(item["content"]):
            para = _clean(raw)
            if len(para.split()) < 5:
                continue
            en.body.learn(para)
            en.paragraph_lengths.append(len(para.split()))
            for word in WORD_RE.findall(para):
                (capitals if word[0].isupper() else lower)[word] += 1
        en.title.learn(item["title"])
        en.title_lengths.append(len(item["title"].split()))
        en_names.append(item["author"].strip())

    huff = corpus_dir / "huffpost_news_category_10k" / "News_Category_Dataset_v3.json"
    categories = Counter()
    with huff.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            en.title.learn(item["headline"])
            en.title_lengths.append(len(item["headline"].split()))
            if item["short_description"]:
                en.body.learn(item["short_description"])
            categories[item["category"].title()] += 1
            for name in re.split(r",| and ", item["authors"]):
                en_names.append(name.strip())
    en.names = _usable_names(en_names)
    # Keywords: sections, then the capitalised words writers use most that are not sentence starters.
    names = [w for w, n in capitals.most_common() if n >= 8 and len(w) > 2 and lower[w.lower()] < n / 4]
    en.keywords = list(dict.fromkeys([c for c, _ in categories.most_common()] + names[:600]))

    fa_items = []
    for name in ("hamshahri.json", "radiofarda.json"):
        fa_items += json.loads((corpus_dir / "farsi_news_rss" / name).read_text(encoding="utf-8"))
    fa_tags = Counter()
    for item in fa_items:
        fa.title.learn(item["title"])
        fa.title_lengths.append(len(item["title"].split()))
        if item["summary"]:
            fa.body.learn(item["summary"])
        for tag in item["tags"]:
            for part in str(tag).split(">"):
                if part.strip() and part.strip() != "بایگانی":
                    fa_tags[part.strip()] += 1
    fa.paragraph_lengths = [40, 55, 60, 70, 80, 90, 110]
    fa.names = [f"{a} {b}" for a in FA_FIRST for b in FA_LAST]
    fa.keywords = [t for t, _ in fa_tags.most_common()]

    ar_names = []
    ar_words = Counter()
    tokens = 0
    for name in ("2015-07-21.zip", "2015-07-22.zip"):
        with zipfile.ZipFile(corpus_dir / "saudinewsnet_ar" / name) as zf:
            items = json.loads(zf.read(zf.namelist()[0]))
        for item in items:
            if tokens > 600_000:  # plenty for a chain; keeps loading fast
                break
            content = " ".join(item["content"].split())
            tokens += content.count(" ")
            ar.title.learn(item["title"])
            ar.title_lengths.append(len(item["title"].split()))
            ar.body.learn(content)
            author = item["author"].split(" - ")[-1].strip()
            if 2 <= len(author.split()) <= 3 and not re.search(r"[:«»\d]|واس|الرياض|جدة", author):
                ar_names.append(author)
            ar_words.update(w for w in item["title"].split() if len(w) >= 5 and w.startswith("ال"))
    ar.paragraph_lengths = list(en.paragraph_lengths)  # Arabic news paragraphs run long too
    ar.names = _usable_names(ar_names)
    ar.keywords = [w for w, n in ar_words.most_common(300) if n >= 3]
    return {"en": en, "fa": fa, "ar": ar}


def _usable_names(raw):
    seen = {}
    for name in raw:
        if not name or any(ch.isdigit() for ch in name) or name.isupper():
            continue
        if not 2 <= len(name.split()) <= 4 or len(name) > 60:
            continue
        seen.setdefault(name, None)
    return list(seen)


def _author_pool(rng, lang, size):
    """`size` distinct names: the real ones first, then first and last names recombined."""
    names = list(lang.names)
    rng.shuffle(names)
    pool = dict.fromkeys(names[:size])
    firsts = [n.split()[0] for n in lang.names]
    lasts = [n.split()[-1] for n in lang.names]
    attempts = 0
    while len(pool) < size and attempts < size * 20:
        attempts += 1
        pool.setdefault(f"{rng.choice(firsts)} {rng.choice(lasts)}", None)
    n = 0
    while len(pool) < size:  # tiny name lists (Persian): number the rest
        n += 1
        pool.setdefault(f"{rng.choice(firsts)} {rng.choice(lasts)} {n}", None)
    return [
        {"name": name, "affiliation": f"{rng.choice(ROLES)}, {rng.choice(INSTITUTIONS)}"} for name in pool
    ]


def _rare_lexicon(rng, size):
    words = {}
    while len(words) < size:
        parts = rng.randint(2, 4)
        word = "".join(rng.choice(SYLLABLES) for _ in range(parts))
        words.setdefault(word.capitalize(), None)
    return list(words)


def generate(corpus_dir, n_articles, *, seed=1, languages=None):
    """Yield (index, archive-JSON dict) for n_articles; also returns stats through `generate.stats`."""
    sources = languages or load_sources(corpus_dir)
    rng = random.Random(seed)
    share = {"fa": 0.05, "ar": 0.05}
    pools = {}
    for code, lang in sources.items():
        fraction = share.get(code, 1 - sum(share.values()))
        n_authors = max(20, int(n_articles * fraction / 4))
        authors = _author_pool(rng, lang, n_authors)
        pools[code] = {
            "authors": authors,
            "authors_cum": _zipf_cum(len(authors), 10),
            "keywords": lang.keywords,
            "keywords_cum": _zipf_cum(len(lang.keywords), 5),
        }
    rare = _rare_lexicon(rng, max(2000, n_articles * 2))
    rare_cum = _zipf_cum(len(rare), 50)
    years = list(range(1998, 2025))
    year_weights = [y - 1990 for y in years]
    stats = {"watch_df": dict.fromkeys(WATCH_WORDS, 0), "rare_df": Counter(), "authors": Counter()}
    stats["keywords"] = Counter()
    stats["languages"] = Counter()
    watch = set(WATCH_WORDS)

    for i in range(n_articles):
        x = rng.random()
        code = "fa" if x < share["fa"] else "ar" if x < share["fa"] + share["ar"] else "en"
        lang, pool = sources[code], pools[code]
        target = max(300, min(2000, int(rng.gauss(800, 180))))
        paragraphs, total = [], 0
        while total < target:
            want = max(15, min(150, rng.choice(lang.paragraph_lengths)))
            words = lang.body.sentence_words(rng, min(want, target - total + 10))
            paragraphs.append(words)
            total += len(words)
        rare_used = set()
        if code == "en":
            for _ in range(rng.randint(1, 4)):
                word = _pick(rng, rare, rare_cum)
                rare_used.add(word)
                para = paragraphs[int(rng.random() * len(paragraphs))]
                para.insert(int(rng.random() * len(para)), word)
        tokens = {w.lower() for para in paragraphs for w in WORD_RE.findall(" ".join(para))}
        for word in watch & tokens:
            stats["watch_df"][word] += 1
        for word in rare_used:
            stats["rare_df"][word] += 1

        title_len = max(3, min(20, rng.choice(lang.title_lengths)))
        title = " ".join(lang.title.sentence_words(rng, title_len, stop_at_sentence_end=False)[:title_len])
        title = title.rstrip(".,:;!?،") or f"Article {i}"
        title = title[0].upper() + title[1:]
        n_auth = _weighted(rng, AUTHORS_PER_ARTICLE)
        authors = []
        while len(authors) < n_auth:
            author = _pick(rng, pool["authors"], pool["authors_cum"])
            if author not in authors:
                authors.append(author)
        keywords = []
        for _ in range(rng.randint(2, 6)):
            keyword = _pick(rng, pool["keywords"], pool["keywords_cum"])
            if keyword not in keywords:
                keywords.append(keyword)
        year = rng.choices(years, weights=year_weights)[0]
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        kind = _weighted(rng, KIND_WEIGHTS)
        abstract = " ".join(lang.body.sentence_words(rng, rng.randint(30, 60)))
        subtitle = ""
        if rng.random() < 0.3:
            subtitle = " ".join(lang.title.sentence_words(rng, 8, stop_at_sentence_end=False)[:10])
        source = {
            "name": rng.choice(PUBLICATIONS),
            "volume": str(rng.randint(1, 40)) if kind == "paper" else "",
            "issue": str(rng.randint(1, 4)) if kind == "paper" else "",
            "pages": f"{(p := rng.randint(1, 200))}-{p + rng.randint(5, 30)}" if kind == "paper" else "",
            "doi": f"10.5555/bench.{seed}.{i}" if kind == "paper" else "",
            # A unique URL per piece: the importer's identity, so titles that repeat never merge.
            "url": f"https://bench.example.org/{seed}/{i}",
        }
        for author in authors:
            stats["authors"][author["name"]] += 1
        for keyword in keywords:
            stats["keywords"][keyword] += 1
        stats["languages"][code] += 1
        yield (
            i,
            {
                "title": title,
                "subtitle": subtitle,
                "authors": authors,
                "date": date,
                "kind": kind,
                "language": code,
                "abstract": abstract,
                "body": "\n\n".join(" ".join(p) for p in paragraphs),
                "keywords": keywords,
                "source": source,
                "status": "draft" if rng.random() < 0.02 else "published",
            },
        )
    generate.stats = stats


def write_corpus(corpus_dir, n_articles, out_dir, *, seed=1, chunk=1000, languages=None):
    """Write articles-NNNNN.json files of `chunk` articles and manifest.json; return the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("articles-*.json"):
        old.unlink()
    files, batch, words = [], [], 0
    published = 0
    for i, article in generate(corpus_dir, n_articles, seed=seed, languages=languages):
        batch.append(article)
        words += article["body"].count(" ") + 1
        published += article["status"] == "published"
        if len(batch) == chunk or i == n_articles - 1:
            path = out_dir / f"articles-{len(files) + 1:05d}.json"
            path.write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
            files.append(path.name)
            batch = []
    stats = generate.stats
    # The rare-word query: a synthetic word found in a handful of pieces (closest to 3).
    rare = sorted(stats["rare_df"].items(), key=lambda kv: (abs(kv[1] - 3), kv[0]))
    manifest = {
        "articles": n_articles,
        "published": published,
        "seed": seed,
        "files": files,
        "mean_words": round(words / max(1, n_articles)),
        "languages": dict(sorted(stats["languages"].items())),
        "authors": len(stats["authors"]),
        "keywords": len(stats["keywords"]),
        "top_authors": stats["authors"].most_common(5),
        "top_keywords": stats["keywords"].most_common(5),
        "rare_word": rare[0][0] if rare else "Kavoreth",
        "rare_word_df": rare[0][1] if rare else 0,
        "watch_df": stats["watch_df"],
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    manifest = write_corpus(args.corpus, args.articles, args.out, seed=args.seed)
    print(json.dumps({k: v for k, v in manifest.items() if k != "files"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
