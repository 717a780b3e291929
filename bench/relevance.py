"""Ranking quality of the archive's search, measured on judged test collections (issue 14).

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/python bench/relevance.py [--collection NAME] [--split tune|test|all] [--code DIR]

For each collection (CISI, MED, CACM from bench/collections/, and the judged set of the archive's
own kind of material from bench/judged/ over ../shared/corpus):

1. Loads its documents into a fresh archive (bench/out/relevance/<code>/<collection>/: its own
   SQLite database, or a scratch PostgreSQL database when DATABASE_URL names one, index, media
   and cache) through that checkout's `manage.py import_articles`, in the archive JSON format, and
   checks that there is exactly one published article per document.
2. Runs every query, exactly as the collection gives it, through `/api/search/` in-process
   (bench/relevance_stage.py) to depth 1000, and asks each sampled document's article for its
   related pieces.
3. Does the same with the references on the same documents, in the same run: raw Whoosh BM25F
   with OR-grouped words, and rank_bm25's BM25Okapi (bench/relevance_refs.py).
4. Scores every system with ir-measures (trec_eval's measures through pytrec_eval): MAP (AP to
   depth 1000), nDCG@10, P@10, Recall@100, queries without any result; only queries with at least
   one relevant document count, and a query without results scores 0 on every measure.

`--split tune|test|all` picks the queries (each collection's split.tsv; default: both halves and
all). Tune ranking on `tune`; report `test`. `--code DIR` also measures another checkout (a git
worktree) in the same run, so "before" and "after" come from one run. Prints a table per
collection, then one JSON line.
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import ir_collections  # noqa: E402
from bench.measure import last_json_line  # noqa: E402
from bench.relevance_refs import RankBM25Reference, WhooshReference  # noqa: E402
from bench.workspace import Workspace  # noqa: E402

DEPTH = 1000
PAGE_SIZE = 100
RELATED_LIMIT = 5
RELATED_SAMPLE = 300
POOL_DEPTH = 20
SEED = 14
URL_PREFIX = "https://collections.invalid/"
MEASURES = ("MAP", "nDCG@10", "P@10", "R@100")
STAGE = Path(__file__).resolve().parent / "relevance_stage.py"
DEFAULT_OUT = REPO / "bench" / "out" / "relevance"


# --- evaluation ------------------------------------------------------------------------------


def evaluate(qrels, ranked, query_ids):
    """Mean MAP (AP@1000), nDCG@10, P@10, R@100 over `query_ids`, computed by ir-measures, and
    how many of them have no result. `ranked`: {query id: [doc ids, best first]}. A query without
    results scores 0 (trec_eval would leave it out of the mean)."""
    import ir_measures
    from ir_measures import AP, P, R, nDCG

    names = {AP @ 1000: "MAP", nDCG @ 10: "nDCG@10", P @ 10: "P@10", R @ 100: "R@100"}
    wanted = [q for q in query_ids if q in qrels]
    run = {
        q: {d: float(len(ranked[q]) - i) for i, d in enumerate(ranked[q])} for q in wanted if ranked.get(q)
    }
    sums = dict.fromkeys(MEASURES, 0.0)
    for metric in ir_measures.iter_calc(list(names), {q: qrels[q] for q in wanted}, run):
        sums[names[metric.measure]] += metric.value
    n = len(wanted)
    result = {name: round(value / n, 4) if n else None for name, value in sums.items()}
    result["queries"] = n
    result["empty"] = sum(1 for q in wanted if not ranked.get(q))
    return result


def related_scores(related, targets):
    """Related pieces against the judgements: for each source document with targets (the other
    documents relevant to a query it is relevant to), precision@5 of its related list and whether
    any of them is a target; averaged over those documents."""
    scored = [d for d in targets if targets[d] and related.get(d) is not None]
    if not scored:
        return {"documents": 0, "P@5": None, "any": None}
    hits = [len(set(related[d][:RELATED_LIMIT]) & targets[d]) for d in scored]
    return {
        "documents": len(scored),
        "P@5": round(sum(h / RELATED_LIMIT for h in hits) / len(scored), 4),
        "any": round(sum(1 for h in hits if h) / len(scored), 4),
    }


def related_targets(collection, query_ids, sample):
    """{doc id: the other documents relevant to any of `query_ids` it is relevant to}."""
    targets = {d: set() for d in sample}
    for q in query_ids:
        relevant = {d for d, g in collection.qrels.get(q, {}).items() if g > 0}
        for d in relevant & targets.keys():
            targets[d] |= relevant - {d}
    return targets


def related_sample(collection, *, size, seed):
    """Up to `size` documents (seeded) relevant to a judged query that has other relevant ones."""
    candidates = set()
    for q in collection.judged_queries:
        relevant = sorted(d for d, g in collection.qrels[q].items() if g > 0 and d in collection.docs)
        if len(relevant) > 1:
            candidates.update(relevant)
    ordered = sorted(candidates, key=lambda d: (len(d), d))
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))), key=lambda d: (len(d), d))


# --- the archive under test ------------------------------------------------------------------


class Checkout:
    """A checkout of the archive's code to measure: this one, or another (`--code DIR`)."""

    def __init__(self, folder, *, python=None, name=None):
        self.folder = Path(folder).resolve()
        if not (self.folder / "manage.py").exists():
            raise SystemExit(f"{self.folder} is not a checkout of the archive (no manage.py)")
        own = self.folder / ".venv" / "bin" / "python"
        self.python = python or (str(own) if own.exists() else sys.executable)
        self.commit = _git(self.folder, "rev-parse", "--short", "HEAD") or "?"
        dirty = _git(self.folder, "status", "--porcelain", "--", "archive", "templates")
        self.label = name or f"archive@{self.commit}{'+' if dirty else ''}"

    def measure(self, collection, tasks, *, work, scratch, keep):
        """Import the collection into a fresh archive of this checkout; search and related lists."""
        ws = Workspace(work, code=self.folder, python=self.python, scratch_suffix=scratch)
        ws.prepare()
        try:
            items = work / "articles.json"
            items.write_text(json.dumps(archive_json(collection), ensure_ascii=False), encoding="utf-8")
            ws.manage("migrate", "--noinput", "-v", "0")
            started = time.perf_counter()
            ws.manage("import_articles", str(items))
            imported = time.perf_counter() - started
            health = last_json_line(ws.manage("check_index", "--json"))
            if any(health[k] for k in ("missing", "stale", "orphaned")):
                ws.manage("check_index", "--repair")
            tasks_path = work / "tasks.json"
            tasks_path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
            out = work / "results.json"
            summary = ws.stage(
                str(STAGE), "--collection", collection.name, "--tasks", str(tasks_path), "--out", str(out)
            )
            result = json.loads(out.read_text(encoding="utf-8"))
            result["summary"] = summary
            result["import_seconds"] = round(imported, 1)
            result["index_health"] = {k: len(v) if isinstance(v, list) else v for k, v in health.items()}
            result["database"] = ws.database
            return result
        finally:
            if not keep:
                ws.drop_database()


def _git(folder, *argv):
    proc = subprocess.run(["git", "-C", str(folder), *argv], capture_output=True, text=True, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def archive_json(collection):
    """The collection's documents as archive JSON (PRODUCT.md "Fixed points"), one per document,
    each with its own `source.url` so that no two are taken for one piece."""
    return [
        {
            "title": doc.title,
            "authors": [{"name": name} for name in doc.authors],
            "date": doc.date,
            "kind": "paper" if collection.name in ir_collections.LOADERS else "commentary",
            "language": doc.language,
            "body": doc.text,
            "source": {"url": f"{URL_PREFIX}{collection.name}/{quote(doc.id, safe='')}"},
            "status": "published",
        }
        for doc in collection.docs.values()
    ]


def was_cut(note):
    """Whether the archive's query note says the query was shortened (500 characters, 20 words)."""
    note = (note or "").lower()
    return "shortened" in note or "only the first" in note


# --- one collection --------------------------------------------------------------------------


def measure_collection(collection, checkouts, args, log):
    """Every system's ranked lists and related lists for the collection; the references' too."""
    # Only queries with a relevant document are scored; a pool for assessors wants them all.
    query_ids = list(collection.queries) if args.pool else collection.judged_queries
    queries = {q: collection.queries[q] for q in query_ids}
    sample = (
        related_sample(collection, size=args.related_sample, seed=args.seed) if args.related_sample else []
    )
    tasks = {
        "docs": list(collection.docs),
        "queries": queries,
        "related": sample,
        "related_limit": RELATED_LIMIT,
        "depth": args.depth,
        "page_size": PAGE_SIZE,
    }
    systems = {}
    for i, checkout in enumerate(checkouts):
        log(f"{collection.name}: {checkout.label}: {len(collection.docs)} documents, {len(queries)} queries")
        work = Path(args.out) / checkout.label / collection.name
        result = checkout.measure(
            collection, tasks, work=work, scratch=f"rel_{collection.name}_{i}", keep=args.keep
        )
        searches = result["searches"]
        systems[checkout.label] = {
            "kind": "archive",
            "ranked": {q: s["ranked"] for q, s in searches.items()},
            "cut": sorted(q for q, s in searches.items() if was_cut(s["note"])),
            "related": result["related"],
            "seconds": {
                "import": result["import_seconds"],
                "search": result["search_seconds"],
                "related": result["related_seconds"],
            },
            "database": result["database"],
        }
    log(f"{collection.name}: references (Whoosh BM25F, rank_bm25)")
    started = time.perf_counter()
    texts = {d: ir_collections.reference_text(doc) for d, doc in collection.docs.items()}
    whoosh = WhooshReference(texts)
    built = time.perf_counter()
    ranked = {q: whoosh.search(text, depth=args.depth) for q, text in queries.items()}
    related = {d: whoosh.related(d, top=RELATED_LIMIT) for d in sample}
    systems["whoosh-bm25f"] = {
        "kind": "reference",
        "ranked": ranked,
        "cut": [],
        "related": related,
        "seconds": {"index": round(built - started, 1), "search": round(time.perf_counter() - built, 1)},
    }
    started = time.perf_counter()
    okapi = RankBM25Reference(texts, whoosh.tokens)
    systems["rank_bm25"] = {
        "kind": "reference",
        "ranked": {q: okapi.search(text, depth=args.depth) for q, text in queries.items()},
        "cut": [],
        "related": None,
        "seconds": {"all": round(time.perf_counter() - started, 1)},
    }
    whoosh.close()
    return systems, sample


def score_collection(collection, systems, sample, splits):
    scores = {}
    for split in splits:
        query_ids = collection.query_ids(split)
        targets = related_targets(collection, query_ids, sample)
        scores[split] = {}
        for name, system in systems.items():
            row = evaluate(collection.qrels, system["ranked"], query_ids)
            row["cut"] = sum(1 for q in system["cut"] if q in set(query_ids))
            if system["related"] is not None:
                related = related_scores(system["related"], targets)
                row["related_P@5"], row["related_any"] = related["P@5"], related["any"]
                row["related_docs"] = related["documents"]
            scores[split][name] = row
    return scores


def judged_at(collection, ranked, query_ids, k=10):
    """Share of the top k results that carry a judgement (pooled sets: unjudged counts as 0)."""
    shown = [d for q in query_ids for d in ranked.get(q, [])[:k]]
    judged = sum(1 for q in query_ids for d in ranked.get(q, [])[:k] if d in collection.qrels.get(q, {}))
    return round(judged / len(shown), 3) if shown else None


def write_pool(collection, systems, path, *, depth=POOL_DEPTH):
    """The top `depth` of every system per query, with whether each is judged yet (for assessors)."""
    pool = {}
    for q in collection.queries:
        docs = []
        for system in systems.values():
            for d in system["ranked"].get(q, [])[:depth]:
                if d not in docs:
                    docs.append(d)
        pool[q] = [{"doc": d, "judged": d in collection.qrels.get(q, {})} for d in docs]
    Path(path).write_text(json.dumps(pool, ensure_ascii=False, indent=1), encoding="utf-8")
    return sum(1 for docs in pool.values() for d in docs if not d["judged"])


# --- report ----------------------------------------------------------------------------------


def print_table(collection, scores, systems, sample, extra):
    n = {s: len(collection.query_ids(s)) for s in ("tune", "test", "all")}
    print(
        f"\n{collection.name.upper()}: {len(collection.docs)} documents, {len(collection.queries)} queries, "
        f"{n['all']} with a relevant document (tune {n['tune']}, test {n['test']}); "
        f"{len(collection.renamed)} repeated titles numbered"
    )
    header = f"  {'split':6}{'system':24}" + "".join(f"{m:>9}" for m in MEASURES)
    header += f"{'empty':>7}{'cut':>5}{'rel P@5':>9}{'rel any':>9}"
    print(header)
    for split, rows in scores.items():
        for name, row in rows.items():
            cells = "".join(f"{row[m]:>9.4f}" if row[m] is not None else f"{'-':>9}" for m in MEASURES)
            rel = (
                f"{row['related_P@5']:>9.4f}{row['related_any']:>9.4f}"
                if row.get("related_P@5") is not None
                else f"{'-':>9}{'-':>9}"
            )
            print(f"  {split:6}{name:24}{cells}{row['empty']:>7}{row['cut']:>5}{rel}")
    scored = {
        split: next((r["related_docs"] for r in rows.values() if r.get("related_docs") is not None), 0)
        for split, rows in scores.items()
    }
    print(
        f"  related pieces: {len(sample)} source documents sampled (seed {SEED}), scored where another "
        "document shares a relevant query: " + ", ".join(f"{split} {n}" for split, n in scored.items())
    )
    for name, system in systems.items():
        seconds = ", ".join(f"{k} {v} s" for k, v in system["seconds"].items())
        print(f"  {name}: {seconds}" + (f"; {system['database']}" if system.get("database") else ""))
    for line in extra:
        print(f"  {line}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Ranking quality on judged test collections (issue 14).")
    parser.add_argument(
        "--collection",
        action="append",
        choices=ir_collections.NAMES,
        help="a collection to measure (repeatable; default: all of them)",
    )
    parser.add_argument(
        "--split", choices=("tune", "test", "all"), help="the queries to score (default: tune, test and all)"
    )
    parser.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="DIR",
        help="also measure the archive code of this checkout (repeatable)",
    )
    parser.add_argument(
        "--python", help="the Python for --code checkouts (default: DIR/.venv, else this one)"
    )
    parser.add_argument("--no-self", action="store_true", help="measure only the --code checkouts")
    parser.add_argument("--corpus", default=str(ir_collections.DEFAULT_CORPUS), help="../shared/corpus")
    parser.add_argument("--depth", type=int, default=DEPTH, help="results read per query (default 1000)")
    parser.add_argument(
        "--related-sample", type=int, default=RELATED_SAMPLE, help="source documents for related pieces"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="work folder (default bench/out/relevance)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL scratch databases")
    parser.add_argument(
        "--pool", metavar="FILE", help="judged set: write the top 20 of every system per query"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()

    def log(message):
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    checkouts = [] if args.no_self else [Checkout(REPO)]
    checkouts += [Checkout(folder, python=args.python) for folder in args.code]
    if not checkouts:
        raise SystemExit("nothing to measure: --no-self without --code")
    splits = [args.split] if args.split else ["tune", "test", "all"]
    names = args.collection or list(ir_collections.NAMES)
    report = {"collections": {}, "systems": [c.label for c in checkouts] + ["whoosh-bm25f", "rank_bm25"]}
    for name in names:
        if name == "judged" and not Path(args.corpus).is_dir():
            log(f"judged: skipped, no corpus at {args.corpus}")
            continue
        collection = ir_collections.load(name, corpus=args.corpus)
        systems, sample = measure_collection(collection, checkouts, args, log)
        scores = score_collection(collection, systems, sample, splits)
        extra = []
        if name == "judged":
            rows = ir_collections.judged_query_rows(ir_collections.JUDGED_DIR / "queries.tsv")
            kinds = sorted({r["kind"] for r in rows.values()})
            extra.append("by kind of query (all), MAP / nDCG@10 / empty: " + ", ".join(systems))
            for kind in kinds:
                ids = [q for q in collection.judged_queries if rows[q]["kind"] == kind]
                cells = []
                for system in systems.values():
                    row = evaluate(collection.qrels, system["ranked"], ids)
                    cells.append(f"{row['MAP']:.3f} / {row['nDCG@10']:.3f} / {row['empty']}")
                extra.append(f"  {kind:9} ({len(ids)}): " + " | ".join(cells))
            for system_name, system in systems.items():
                coverage = judged_at(collection, system["ranked"], collection.judged_queries)
                extra.append(f"{system_name}: {coverage} of its top 10 results judged (unjudged count as 0)")
            if args.pool:
                unjudged = write_pool(collection, systems, args.pool)
                extra.append(f"pool written to {args.pool}: {unjudged} unjudged documents in the top 20s")
        print_table(collection, scores, systems, sample, extra)
        report["collections"][name] = {
            "documents": len(collection.docs),
            "queries": {s: len(collection.query_ids(s)) for s in splits},
            "scores": scores,
            "related_sample": len(sample),
        }
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\ntotal {report['seconds']} s; work folders under {args.out}")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
