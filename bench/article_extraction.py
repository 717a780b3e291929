"""Body text of web pages, scored on the public article-extraction benchmark (issue 16).

    .venv/bin/python bench/article_extraction.py                  # our HTML extractor on the 181 pages
    .venv/bin/python bench/article_extraction.py --score output/readability.json.gz  # score a file
    .venv/bin/python bench/article_extraction.py --check          # the scorer against the published table
    .venv/bin/python bench/article_extraction.py --compare        # the libraries alone (bench requirements)

The data is scrapinghub/article-extraction-benchmark (MIT; see bench/data/article-extraction/
SOURCE.md): 181 saved pages (`html/<id>.html.gz`) and their ground-truth article bodies
(`ground-truth.json.gz`). Each page goes through the admin upload's own steps
(`bench.ingest_accuracy.form_fields`: `extract_file`, `draft_fields`, the check form), and the
form's body, as text, is the prediction.

Scoring follows the benchmark's evaluate.py (read, not copied): text is split into tokens with
the regular expression `\\w+`; each text becomes a multiset of 4-token shingles (a text shorter
than four tokens is one shingle of all its tokens; an empty text has none); per page, true
positives are the shingles both share (counted with multiplicity), false positives the extra
ones predicted, false negatives the missed ones, and the three are divided by their sum so that
long pages weigh no more than short ones. Precision is the mean over pages with tp + fp > 0 of
tp / (tp + fp), recall the mean over pages with tp + fn > 0 of tp / (tp + fn) (a page where
fp = fn = 0 scores 1 on both), and F1 is computed from those two means. `accuracy` is the share
of pages whose token lists are identical. The ± figures are the standard deviations over
bootstrap resamples of the pages, as the benchmark prints them (seeded here, so runs repeat).
"""

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DATA = REPO / "bench" / "data" / "article-extraction"
# The benchmark's published table (its README), for the extractors issue 16 names.
PUBLISHED = {
    "AutoExtract": 0.970,
    "Diffbot": 0.951,
    "readability-lxml": 0.922,
    "newspaper": 0.912,
    "dragnet": 0.907,
}
# output/*.json files kept beside the data, and the F1 the README prints for each.
CHECKS = {
    "AutoExtract": ("output/AutoExtract.json.gz", 0.970),
    "Diffbot": ("output/Diffbot.json.gz", 0.951),
    "readability": ("output/readability.json.gz", 0.922),
    "dragnet": ("output/dragnet.json.gz", 0.907),
    "newspaper4k": ("output/newspaper.json.gz", 0.949),
    "trafilatura": ("output/trafilatura.json.gz", 0.958),
}
_TOKEN = re.compile(r"\w+")
NGRAM = 4


def load_json(path):
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    # Prediction files may be wrapped as {"version": ..., "output": {...}}.
    if isinstance(data, dict) and set(data) == {"version", "output"}:
        return data["output"]
    return data


# --- the scorer --------------------------------------------------------------------------------


def tokens(text):
    return _TOKEN.findall(text or "")


def shingles(text, n=NGRAM):
    words = tokens(text)
    found = Counter()
    for i in range(max(1, len(words) - n + 1)):
        shingle = tuple(words[i : i + n])
        if shingle:
            found[shingle] += 1
    return found


def tp_fp_fn(true, pred):
    """Shingle matches of one page, divided by their sum (zeros when both texts are empty)."""
    want, got = shingles(true), shingles(pred)
    tp = fp = fn = 0
    for key in want.keys() | got.keys():
        a, b = want.get(key, 0), got.get(key, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def metrics(counts):
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"f1": 2 * precision * recall / (precision + recall), "precision": precision, "recall": recall}


def evaluate(truth, prediction, *, bootstrap=1000, seed=0):
    if truth.keys() != prediction.keys():
        raise SystemExit("The prediction's page ids do not match the ground truth's.")
    counts, exact = [], []
    for key in truth:
        true, pred = truth[key].get("articleBody", ""), prediction[key].get("articleBody", "")
        counts.append(tp_fp_fn(true, pred))
        exact.append(float(tokens(true) == tokens(pred)))
    result = metrics(counts)
    result["accuracy"] = statistics.mean(exact)
    rng = random.Random(seed)
    samples = {name: [] for name in ("f1", "precision", "recall", "accuracy")}
    for _ in range(bootstrap):
        picks = [rng.randrange(len(counts)) for _ in counts]
        for name, value in metrics([counts[i] for i in picks]).items():
            samples[name].append(value)
        samples["accuracy"].append(statistics.mean(exact[i] for i in picks))
    for name, values in samples.items():
        result[f"{name}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
    result["pages"] = len(counts)
    return result


def line(name, m):
    return (
        f"{name:<22} {m['f1']:.3f} ± {m['f1_std']:.3f}  {m['precision']:.3f} ± {m['precision_std']:.3f}  "
        f"{m['recall']:.3f} ± {m['recall_std']:.3f}  {m['accuracy']:.3f} ± {m['accuracy_std']:.3f}"
    )


HEADER = f"{'':<22} {'F1':<13}  {'precision':<13}  {'recall':<13}  {'accuracy':<13}"


# --- our extractor -----------------------------------------------------------------------------


def predict(data_dir, *, sandbox=None, limit=None):
    """{page id: {"articleBody": text}} from our extractor, and the seconds each page took."""
    from bench.ingest_accuracy import form_fields, html_to_text, setup_django

    setup_django()
    ids = sorted(load_json(data_dir / "ground-truth.json.gz"))
    if limit:
        ids = ids[:limit]
    out, seconds = {}, []
    for page_id in ids:
        raw = gzip.decompress((data_dir / "html" / f"{page_id}.html.gz").read_bytes())
        start = time.perf_counter()
        got = form_fields(raw, f"{page_id}.html", sandbox=sandbox)
        seconds.append(time.perf_counter() - start)
        body = "" if "error" in got else html_to_text(got["body_html"])
        out[page_id] = {"articleBody": _SPACE_LINES.sub("\n\n", body).strip()}
    return out, seconds


_SPACE_LINES = re.compile(r"\s*\n\s*")

# trafilatura 2.3.1 settings compared (docs/ingest-accuracy.md); the last is the one the archive
# uses (formats/html.py).
TRAFILATURA_SETTINGS = {
    "traf. default": {},
    "traf. favor_recall": {"favor_recall": True},
    "traf. favor_precision": {"favor_precision": True},
    "traf. no comments": {"include_comments": False},
    "traf. no comm./tables": {"include_comments": False, "include_tables": False},
    "traf. no comm., prec.": {"include_comments": False, "favor_precision": True},
}


def compare(data_dir, truth, *, bootstrap):
    """Each library alone on the raw pages (its plain text as the prediction)."""
    import trafilatura

    pages = {key: gzip.decompress((data_dir / "html" / f"{key}.html.gz").read_bytes()) for key in truth}
    rows = []
    for name, options in TRAFILATURA_SETTINGS.items():
        prediction = {
            key: {"articleBody": trafilatura.extract(raw, output_format="txt", **options) or ""}
            for key, raw in pages.items()
        }
        rows.append((name, evaluate(truth, prediction, bootstrap=bootstrap)))
        print(line(name[:22], rows[-1][1]), flush=True)
    try:
        from readability import Document  # readability-lxml, requirements-bench.txt
    except ImportError:
        Document = None
    if Document is not None:
        import lxml.html

        def readable(raw):
            try:
                summary = Document(raw.decode("utf-8", errors="replace")).summary(html_partial=True)
                return lxml.html.fromstring(summary).text_content()
            except Exception:  # readability on a page it cannot parse: nothing
                return ""

        prediction = {key: {"articleBody": readable(raw)} for key, raw in pages.items()}
        rows.append(("readability-lxml", evaluate(truth, prediction, bootstrap=bootstrap)))
        print(line("readability-lxml", rows[-1][1]), flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DATA, help="the benchmark's files (default: %(default)s)"
    )
    parser.add_argument(
        "--score", type=Path, help="score this prediction file instead of running our extractor"
    )
    parser.add_argument(
        "--check", action="store_true", help="score the kept output/*.json beside the published F1"
    )
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the ± figures")
    parser.add_argument(
        "--no-sandbox", action="store_true", help="extract in this process (same drafts, faster)"
    )
    parser.add_argument("--out", type=Path, help="write our predictions here (the benchmark's JSON shape)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--compare", action="store_true", help="score trafilatura's settings and readability-lxml alone"
    )
    args = parser.parse_args(argv)
    data_dir = args.data if args.data.is_absolute() else Path.cwd() / args.data
    truth = load_json(data_dir / "ground-truth.json.gz")

    if args.check:
        print(HEADER + "   published F1")
        ok = True
        for name, (path, published) in CHECKS.items():
            m = evaluate(truth, load_json(data_dir / path), bootstrap=args.bootstrap)
            same = round(m["f1"], 3) == published
            ok &= same
            print(f"{line(name, m)}   {published:.3f} {'same' if same else 'DIFFERENT'}")
        return 0 if ok else 1

    if args.compare:
        print(HEADER)
        compare(data_dir, truth, bootstrap=args.bootstrap)  # prints each row as it is scored
        return 0

    if args.score:
        path = args.score if args.score.is_absolute() or args.score.exists() else data_dir / args.score
        m = evaluate(truth, load_json(path), bootstrap=args.bootstrap)
        print(json.dumps(m) if args.json else HEADER + "\n" + line(path.name, m))
        return 0

    prediction, seconds = predict(data_dir, sandbox=False if args.no_sandbox else None)
    if args.out:
        args.out.write_text(json.dumps(prediction, ensure_ascii=False, indent=1))
    m = evaluate(truth, prediction, bootstrap=args.bootstrap)
    m["seconds_median"] = statistics.median(seconds)
    m["seconds_max"] = max(seconds)
    if args.json:
        print(json.dumps(m))
        return 0
    print(f"Article bodies of {m['pages']} pages (scrapinghub/article-extraction-benchmark)\n")
    print(HEADER)
    print(line("the archive (ours)", m))
    print(f"\ntime per page: median {m['seconds_median']:.2f} s, max {m['seconds_max']:.2f} s\n")
    print("published F1 (the benchmark's README):")
    for name, f1 in sorted(
        {**PUBLISHED, "the archive (ours)": round(m["f1"], 3)}.items(), key=lambda x: -x[1]
    ):
        print(f"  {name:<20} {f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
