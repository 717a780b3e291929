"""The archive's benchmark, in one command (issue 6).

    .venv/bin/python bench/run.py --articles 10000 [--corpus DIR] [--seed S] [--out DIR]

1. Generates N articles shaped like the real corpus (bench/corpus.py) as archive JSON.
2. Loads them through our import path into a fresh database and index in the work folder
   (SQLite, or a scratch database on DATABASE_URL's PostgreSQL that the run creates and drops).
3. Builds the index with `rebuild_index` (docs/s, size, peak memory) while gunicorn answers
   searches, measures save-to-searchable latency, runs the fixed query mix through our search
   in-process and over HTTP, and the same queries on raw Whoosh and PostgreSQL full-text search.
4. Loads the pages with 8 concurrent clients against gunicorn with the production settings.

Prints a table, then one JSON object on the last line. Stages that need a part of the archive
not on this branch yet are reported as skipped, with the reason.
"""

import argparse
import datetime
import json
import os
import platform
import re
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import corpus  # noqa: E402
from bench.http_load import Gunicorn, free_port, get, load_test, production_env  # noqa: E402
from bench.measure import folder_size, last_json_line, percentile  # noqa: E402
from bench.workspace import WORK_ITEMS, Workspace  # noqa: E402

# Issue 6's targets, measured at 100,000 articles; `None` marks a reference figure.
TARGETS = {
    "search_p50_ms": "<= 1.2 x whoosh_p50_ms and <= 0.5 x pg_p50_ms",
    "search_p95_ms": "<= 1.2 x whoosh_p95_ms and <= 0.5 x pg_p95_ms",
    "whoosh_p50_ms": "reference (raw Whoosh)",
    "whoosh_p95_ms": "reference (raw Whoosh)",
    "pg_p50_ms": "reference (PostgreSQL tsvector+GIN)",
    "pg_p95_ms": "reference (PostgreSQL tsvector+GIN)",
    "rebuild_docs_per_s": ">= 150, search answering throughout",
    "save_to_search_p95_s": "<= 1",
    "page_rps": ">= 300 (article and list pages, 8 clients)",
    "search_rps": ">= 50 (8 clients)",
    "worker_rss_mb": "< 300 (RssAnon of a gunicorn worker)",
}


class Run:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.out or REPO / "bench" / "out" / f"run-{args.articles}-s{args.seed}").resolve()
        self.started = time.perf_counter()
        self.rows = []  # (section, figure, value, note)
        self.skipped = []
        self.result = {"articles": args.articles}
        self.ws = Workspace(self.work)
        self.pg_scratch = None
        self.pg = None

    # -- helpers ---------------------------------------------------------------------------
    def log(self, message):
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)

    def row(self, section, figure, value, note=""):
        self.rows.append((section, figure, value, note))

    def stage(self, *argv, env=None, timeout=3600):
        """Run a python stage in the repo with the run's environment; its last JSON line."""
        return self.ws.stage(*argv, env=env, timeout=timeout)

    def manage(self, *argv, env=None, measure=False):
        """manage.py in a child process; with measure=True also its wall time and peak RSS."""
        return self.ws.manage(*argv, env=env, measure=measure)

    # -- steps -----------------------------------------------------------------------------
    def prepare(self):
        # --reuse keeps the database, index and logs of the earlier run; these are made again.
        remade = ("static", "lean-index", "cache")
        clear = [name for name in WORK_ITEMS if not self.args.reuse or name in remade]
        self.env = self.ws.prepare(clear=clear, create_database=not self.args.reuse)
        self.pg_scratch, self.pg_url = self.ws.pg_scratch, self.ws.pg_url
        self.result["database"] = self.ws.database

    def generate(self):
        self.log(f"generating {self.args.articles} articles (seed {self.args.seed}) from {self.args.corpus}")
        start = time.perf_counter()
        self.corpus_out = self.work / "corpus"
        self.manifest = corpus.write_corpus(
            self.args.corpus, self.args.articles, self.corpus_out, seed=self.args.seed
        )
        seconds = time.perf_counter() - start
        m = self.manifest
        self.row("corpus", "articles (published)", f"{m['articles']} ({m['published']})")
        self.row("corpus", "languages", ", ".join(f"{k} {v}" for k, v in m["languages"].items()))
        self.row("corpus", "authors / keywords", f"{m['authors']} / {m['keywords']}")
        self.row("corpus", "mean words per article", m["mean_words"])
        self.row("corpus", "generation", f"{seconds:.1f} s")

    def reuse(self):
        """--reuse: the corpus, database and index a previous run (with --keep) left in the folder."""
        self.corpus_out = self.work / "corpus"
        self.manifest = json.loads((self.corpus_out / "manifest.json").read_text(encoding="utf-8"))
        if self.manifest["articles"] != self.args.articles:
            raise SystemExit(
                f"{self.corpus_out} holds {self.manifest['articles']} articles, not {self.args.articles}"
            )
        self.log(f"re-measuring the archive in {self.work} (no generation, load or rebuild)")
        self.row(
            "corpus", "articles (published)", f"{self.manifest['articles']} ({self.manifest['published']})"
        )
        self.skip("load and rebuild_index", "--reuse: measured by the run that built this folder")

    def features(self):
        self.manage("migrate", "--noinput", "-v", "0")
        self.features_ = self.stage("-m", "bench.django_stage", "features")
        self.log(f"on this branch: {self.features_}")

    def _import(self, corpus_out, files, *, batch):
        if self.features_["import_articles"]:
            self.manage("import_articles", *[str(corpus_out / name) for name in files])
            return "manage.py import_articles"
        self.stage("-m", "bench.django_stage", "load", "--corpus-out", str(corpus_out), "--batch", str(batch))
        return f"write functions, {batch} per transaction (import_articles not on this branch)"

    def load(self):
        """The bulk load through the real import path.

        `import_articles` commits each piece on its own and queues it for the index; at the end
        the index catches up once (into an empty index: a new generation built aside). The
        catch-up's own time comes from its log line (archive.search logs it).
        """
        how = "import_articles" if self.features_["import_articles"] else "services"
        self.log(f"loading through {how}")
        start = time.perf_counter()
        how = self._import(self.corpus_out, self.manifest["files"], batch=200)
        seconds = time.perf_counter() - start
        rate = self.args.articles / seconds
        self.result["import_articles_per_s"] = round(rate, 1)
        caught_up = self.caught_up_seconds()
        note = f"{seconds:.1f} s via {how}"
        if caught_up is not None:
            imported = seconds - caught_up
            self.result["import_only_articles_per_s"] = round(self.args.articles / imported, 1)
            self.result["import_catch_up_s"] = round(caught_up, 1)
            note += f": {imported:.1f} s storing ({self.args.articles / imported:.1f}/s), "
            note += f"{caught_up:.1f} s index catch-up"
        self.row("load", "bulk import, index included", f"{rate:.1f} articles/s", note)
        if self.features_["search"]:
            health = last_json_line(self.manage("check_index", "--json"))
            self.row(
                "load",
                "index after import",
                f"db {health['database']}, index {health['index']}",
                ", ".join(f"{k} {len(health[k])}" for k in ("missing", "stale", "orphaned")),
            )

    def caught_up_seconds(self):
        """Seconds of the last index catch-up logged in stages.log, if any."""
        found = None
        for line in (self.work / "stages.log").read_text(errors="replace").splitlines():
            match = CAUGHT_UP.search(line)
            if match:
                found = float(match.group(1))
        return found

    def live_import(self):
        """Importing a few more articles into the full archive, the index caught up at the end."""
        n = self.args.live_sample
        if not n:
            return
        extra = self.work / "corpus-live"
        manifest = corpus.write_corpus(self.args.corpus, n, extra, seed=self.args.seed + 100_000)
        self.log(f"importing {n} more articles into the full archive")
        start = time.perf_counter()
        how = self._import(extra, manifest["files"], batch=1)
        seconds = time.perf_counter() - start
        self.result["live_import_articles_per_s"] = round(n / seconds, 1)
        self.row(
            "load",
            "import into the full archive",
            f"{n / seconds:.1f} articles/s",
            f"{n} articles, {seconds:.1f} s via {how}",
        )

    def start_server(self):
        env = production_env(self.env, self.work)
        self.manage("collectstatic", "--noinput", "-v", "0", env=env)
        port = self.args.port or free_port()
        self.server = Gunicorn(env, self.work, port=port, workers=self.args.workers).start()
        self.log(f"gunicorn on {self.server.base}, {self.args.workers} workers, DJANGO_DEBUG=0")

    def rebuild(self):
        if not self.features_["search"]:
            self.skip("rebuild_index", "archive.search is not on this branch")
            return
        probe = Prober(self.server.base, "/api/search/?q=people")
        probe.start()
        self.log("rebuild_index (gunicorn probed every 0.25 s)")
        _, seconds, peak_mb = self.manage("rebuild_index", "--noinput", measure=True)
        probe.stop()
        first = "over the live index the import built"
        docs = self.manifest["published"]
        rate = docs / seconds
        self.result["rebuild_docs_per_s"] = round(rate, 1)
        self.result["rebuild_peak_mb"] = round(peak_mb, 1)
        size = folder_size(self.work / "index")
        self.result["index_mb"] = round(size / 2**20, 1)
        self.row("index", "rebuild_index", f"{rate:.1f} docs/s", f"{docs} docs in {seconds:.1f} s")
        self.row("index", "rebuild peak memory", f"{peak_mb:.0f} MB", "max RSS of the process")
        self.row("index", "index size", f"{size / 2**20:.1f} MB")
        self.row("index", "search during rebuild", probe.summary(), first)
        self.result["search_during_rebuild"] = probe.as_dict()
        out = self.manage("check_index", "--json")
        health = last_json_line(out)
        self.row(
            "index",
            "check_index",
            f"db {health['database']}, index {health['index']}",
            ", ".join(f"{k} {len(health[k])}" for k in ("missing", "stale", "orphaned")),
        )

    def freshness(self):
        if not self.features_["search"]:
            self.skip("save-to-searchable", "archive.search is not on this branch")
            return
        r = self.stage(
            "-m",
            "bench.django_stage",
            "freshness",
            "--samples",
            str(self.args.fresh_samples),
            "--base",
            self.server.base,
        )
        self.result["save_to_search_p95_s"] = r["p95_s"]
        self.row(
            "freshness",
            "save -> searchable",
            f"p50 {r['p50_s']} s, p95 {r['p95_s']} s",
            f"{r['samples']} saves, {r['missed']} not found within 10 s; seen by {r['seen_by']}",
        )

    def references(self):
        repeats = str(self.args.repeats)
        # The targets compare with raw Whoosh on our own index; the lean index of its own is the
        # reference only while there is no index of ours (or when asked for with --lean).
        if self.args.lean or not self.features_["search"]:
            self.log("raw Whoosh lean-schema reference: build + queries")
            r = self.stage(
                "-m",
                "bench.refs",
                "whoosh",
                "--corpus-out",
                str(self.corpus_out),
                "--index",
                str(self.work / "lean-index"),
                "--repeats",
                repeats,
            )
            self.lean = r
            b = r["build"]
            self.result["whoosh_lean_p50_ms"] = r["queries"]["p50_ms"]
            self.result["whoosh_lean_p95_ms"] = r["queries"]["p95_ms"]
            self.result["whoosh_lean_docs_per_s"] = b["docs_per_s"]
            self.row(
                "raw Whoosh (lean)",
                "build",
                f"{b['docs_per_s']} docs/s",
                f"{b['docs']} docs, {b['seconds']} s, {b['bytes'] / 2**20:.1f} MB",
            )
            self.row("raw Whoosh (lean)", "query mix", _p(r["queries"]), f"RssAnon {r['rss_anon_mb']} MB")
        self.pg = None
        if self.pg_scratch:
            self.log("PostgreSQL tsvector+GIN reference: load + queries")
            r = self.stage(
                "-m",
                "bench.refs",
                "pg",
                "--corpus-out",
                str(self.corpus_out),
                "--url",
                self.pg_url,
                "--repeats",
                repeats,
            )
            self.pg = r
            b = r["build"]
            self.result["pg_p50_ms"] = r["queries"]["p50_ms"]
            self.result["pg_p95_ms"] = r["queries"]["p95_ms"]
            self.result["pg_docs_per_s"] = b["docs_per_s"]
            self.row(
                "PostgreSQL FTS",
                "load + GIN",
                f"{b['docs_per_s']} docs/s",
                f"{b['docs']} docs, {b['seconds']} s, {b['bytes'] / 2**20:.1f} MB",
            )
            self.row("PostgreSQL FTS", "query mix", _p(r["queries"]))
        else:
            self.result["pg_p50_ms"] = self.result["pg_p95_ms"] = None
            self.skip("PostgreSQL reference", "DATABASE_URL is not PostgreSQL")

    def our_search(self):
        if not self.features_["search"]:
            self.skip("search in-process", "archive.search is not on this branch")
            return
        self.log("our search in-process")
        r = self.stage(
            "-m",
            "bench.django_stage",
            "search",
            "--corpus-out",
            str(self.corpus_out),
            "--repeats",
            str(self.args.repeats),
        )
        self.ours = r
        self.result["search_p50_ms"] = r["p50_ms"]
        self.result["search_p95_ms"] = r["p95_ms"]
        self.result["search_cached_p50_ms"] = r["cached_p50_ms"]
        self.result["search_cached_p95_ms"] = r["cached_p95_ms"]
        self.row(
            "our search", "run_search in-process, uncached", _p(r), f"process RssAnon {r['rss_anon_mb']} MB"
        )
        self.row(
            "our search",
            "the same, repeated (cache)",
            f"p50 {r['cached_p50_ms']} ms, p95 {r['cached_p95_ms']} ms",
        )

    def raw_whoosh_same(self):
        if not self.features_["search"]:
            return
        self.log("raw Whoosh on our own index")
        r = self.stage(
            "-m",
            "bench.django_stage",
            "rawsame",
            "--corpus-out",
            str(self.corpus_out),
            "--repeats",
            str(self.args.repeats),
        )
        self.same = r
        self.result["whoosh_same_p50_ms"] = r["p50_ms"]
        self.result["whoosh_same_p95_ms"] = r["p95_ms"]
        self.row("raw Whoosh (our index)", "query mix", _p(r), f"generation {r['index']}")

    def raw_whoosh_figures(self):
        """whoosh_* keys: raw Whoosh on our own index when the stage exists, else the lean index."""
        if "whoosh_same_p50_ms" in self.result:
            self.result["whoosh_p50_ms"] = self.result["whoosh_same_p50_ms"]
            self.result["whoosh_p95_ms"] = self.result["whoosh_same_p95_ms"]
            self.result["whoosh_reference"] = "raw Whoosh on our index"
        else:
            self.result["whoosh_p50_ms"] = self.result.get("whoosh_lean_p50_ms")
            self.result["whoosh_p95_ms"] = self.result.get("whoosh_lean_p95_ms")
            self.result["whoosh_reference"] = "raw Whoosh, lean schema, own index"

    def pages(self):
        self.log("page URLs and load test (8 clients)")
        urls = self.stage("-m", "bench.django_stage", "urls", "--corpus-out", str(self.corpus_out))
        if not urls["search"]:
            urls.pop("search")
            self.skip("search page load", "archive.search is not on this branch")
        figures, uncached = {}, {}
        for kind, paths in urls.items():
            if not paths:
                self.skip(f"{kind} pages", "no such pages")
                continue
            status, body = get(self.server.base + paths[0])
            # Every page once (the page cache on disk then serves it to every worker), as readers
            # would have, then a few seconds of load.
            for path in paths[1:]:
                get(self.server.base + path)
            load_test(self.server.base, paths, seconds=WARM_UP_SECONDS)
            r = load_test(self.server.base, paths, seconds=self.args.http_seconds)
            figures[kind] = r
            self._page_row(
                kind, r, len(paths), f"after {WARM_UP_SECONDS} s warm-up; first: HTTP {status}, {len(body)} B"
            )
            if kind in self.UNCACHED_KINDS:
                # A session cookie bypasses the page cache: every request renders the page (the
                # related pieces, found for the cached pages above, come from the cache).
                load_test(self.server.base, paths, seconds=WARM_UP_SECONDS, headers=NO_PAGE_CACHE)
                r = load_test(self.server.base, paths, seconds=self.args.http_seconds, headers=NO_PAGE_CACHE)
                uncached[kind] = r
                self._page_row(
                    f"{kind}, rendered each time",
                    r,
                    len(paths),
                    f"with a session cookie, after {WARM_UP_SECONDS} s warm-up",
                )
        self.result["pages"] = figures
        self.result["pages_uncached"] = uncached
        ok = [figures[k] for k in ("article", "list") if k in figures and not figures[k]["errors"]]
        self.result["page_rps"] = min(r["rps"] for r in ok) if len(ok) == 2 else None
        ok = [uncached[k] for k in ("article", "list") if k in uncached and not uncached[k]["errors"]]
        self.result["page_rps_uncached"] = min(r["rps"] for r in ok) if len(ok) == 2 else None
        if len(ok) < 2:
            self.skip("page_rps", "article or list pages answered with errors (see table)")
        s = figures.get("search")
        self.result["search_rps"] = s["rps"] if s and not s["errors"] else None
        mem = self.server.worker_memory_mb()
        self.result["worker_rss_mb"] = mem["rss_anon_mb"]
        self.result["worker_vmrss_mb"] = mem["rss_mb"]
        self.row(
            "pages (gunicorn)",
            "worker memory",
            f"RssAnon {mem['rss_anon_mb']} MB",
            f"VmRSS {mem['rss_mb']} MB",
        )

    UNCACHED_KINDS = ("article", "list", "author", "keyword")

    def _page_row(self, kind, r, n_paths, note):
        note = f"{n_paths} URLs, {r['requests']} requests, {r['tool']}; {note}"
        if r["errors"]:
            note += f"; {r['errors']} errors"
        self.row(
            "pages (gunicorn)", kind, f"{r['rps']} req/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms", note
        )

    def http_search(self):
        """The query mix over HTTP (/api/search/), one client, against gunicorn."""
        if not self.features_["search"]:
            return
        urls = self.stage("-m", "bench.django_stage", "urls", "--corpus-out", str(self.corpus_out))["search"]
        api = [u.replace("/search/?", "/api/search/?", 1) for u in urls]
        samples, statuses = [], set()
        for u in api:
            get(self.server.base + u)
        for _ in range(self.args.repeats):
            for u in api:
                start = time.perf_counter()
                status, _ = get(self.server.base + u)
                samples.append((time.perf_counter() - start) * 1000)
                statuses.add(status)
        self.result["search_http_p50_ms"] = round(percentile(samples, 50), 1)
        self.result["search_http_p95_ms"] = round(percentile(samples, 95), 1)
        self.row(
            "our search",
            "/api/search/ over HTTP",
            f"p50 {self.result['search_http_p50_ms']} ms, p95 {self.result['search_http_p95_ms']} ms",
            f"statuses {sorted(statuses)}",
        )

    def profile(self):
        if self.args.no_profile or not self.features_["search"]:
            return
        self.log("profiling run_search with pyinstrument")
        r = self.stage(
            "-m",
            "bench.django_stage",
            "profile",
            "--corpus-out",
            str(self.corpus_out),
            "--repeats",
            "3",
            "--html",
            str(self.work / "profile-search.html"),
            "--text",
            str(self.work / "profile-search.txt"),
        )
        self.row("profile", "run_search (pyinstrument)", r["text"], r["html"])

    def skip(self, what, why):
        self.skipped.append(f"{what}: {why}")

    def cleanup(self):
        server = getattr(self, "server", None)
        if server:
            server.stop()
        if not self.args.keep:
            self.ws.drop_database()

    # -- report ----------------------------------------------------------------------------
    def per_query_table(self):
        engines = []
        if hasattr(self, "ours"):
            engines.append(("ours", self.ours["per_query"]))
        if hasattr(self, "same"):
            engines.append(("whoosh(same)", self.same["per_query"]))
        if hasattr(self, "lean"):
            engines.append(("whoosh(lean)", self.lean["queries"]["per_query"]))
        if self.pg:
            engines.append(("postgres", self.pg["queries"]["per_query"]))
        if not engines:
            return []
        names = list(engines[0][1])
        lines = ["", "per query, p50 ms (hits)".ljust(26) + "".join(e[0].rjust(20) for e in engines)]
        for name in names:
            cells = []
            for _, per in engines:
                q = per.get(name, {})
                cells.append(f"{q.get('p50_ms', '-')} ({q.get('count', '-')})".rjust(20))
            lines.append(name.ljust(26) + "".join(cells))
        return lines

    def report(self):
        r = self.result
        r["seconds"] = round(time.perf_counter() - self.started, 1)
        targets, met = {}, {}
        for key, target in TARGETS.items():
            r.setdefault(key, None)
            targets[key] = target
            met[key] = self.is_met(key)
        width = max(len(f) for _, f, _, _ in self.rows) + 2
        print(
            f"\nArchive benchmark: {r['articles']} articles, seed {self.args.seed}, {r['database']}, ", end=""
        )
        print(f"{platform.node()} ({os.cpu_count()} cores), {datetime.datetime.now():%Y-%m-%d %H:%M}")
        section = None
        for sec, figure, value, note in self.rows:
            if sec != section:
                print(f"\n{sec}")
                section = sec
            print(f"  {figure.ljust(width)}{str(value).ljust(40)}{note}")
        for line in self.per_query_table():
            print(line)
        print("\ntargets (issue 6; set for 100,000 articles)")
        for key, target in targets.items():
            verdict = {True: "met", False: "NOT met", None: "-"}[met[key]]
            print(f"  {key.ljust(24)}{str(r[key]).ljust(12)}{target.ljust(58)}{verdict}")
        if self.skipped:
            print("\nskipped or partial")
            for line in self.skipped:
                print(f"  {line}")
        print(f"\nwork folder {self.work}; total {r['seconds']} s")
        r["targets"] = targets
        r["met"] = met
        print(json.dumps(r, ensure_ascii=False))

    def is_met(self, key):
        r = self.result
        value = r.get(key)
        if value is None or "reference" in TARGETS[key]:
            return None
        if key.startswith("search_p"):
            which = key.split("_")[1]
            whoosh, pg = r.get(f"whoosh_{which}_ms"), r.get(f"pg_{which}_ms")
            if whoosh is None:
                return None
            ok = value <= 1.2 * whoosh
            if pg is not None:
                ok = ok and value <= 0.5 * pg
            return ok
        if key == "rebuild_docs_per_s":
            during = r.get("search_during_rebuild") or {}
            answering = not (during.get("failed") or during.get("empty"))
            return value >= 150 and answering
        limits = {"save_to_search_p95_s": (1, "le"), "page_rps": (300, "ge"), "search_rps": (50, "ge")}
        limits["worker_rss_mb"] = (300, "lt")
        limit, how = limits[key]
        return {"le": value <= limit, "ge": value >= limit, "lt": value < limit}[how]


# archive.search's log line at the end of an import's index catch-up.
CAUGHT_UP = re.compile(r"index caught up with \d+ queued articles? in ([0-9.]+) s")

WARM_UP_SECONDS = 3

# Any session cookie makes the archive render the page afresh, as it does for staff.
NO_PAGE_CACHE = {"Cookie": "sessionid=bench-rendered-each-time"}


class Prober(threading.Thread):
    """Asks gunicorn a search every 0.25 s while the index is rebuilt: search must keep answering."""

    def __init__(self, base, path):
        super().__init__(daemon=True)
        self.url = base + path
        self.done = threading.Event()
        self.probes, self.failed, self.empty = 0, 0, 0

    def run(self):
        while not self.done.is_set():
            status, body = get(self.url, timeout=10)
            self.probes += 1
            if status != 200:
                self.failed += 1
            else:
                try:
                    if not json.loads(body).get("count"):
                        self.empty += 1
                except ValueError:
                    self.failed += 1
            self.done.wait(0.25)

    def stop(self):
        self.done.set()
        self.join()

    def as_dict(self):
        return {"probes": self.probes, "failed": self.failed, "empty": self.empty}

    def summary(self):
        return f"{self.probes} probes, {self.failed} failed, {self.empty} empty"


def _p(q):
    return f"p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description="The archive's benchmark (issue 6).")
    parser.add_argument("--articles", type=int, required=True, help="how many articles to generate")
    parser.add_argument(
        "--corpus", default=str(corpus.DEFAULT_CORPUS), help="the real corpus (../shared/corpus)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="work folder (default bench/out/run-N-sS, outside git)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds of the query mix")
    parser.add_argument("--http-seconds", type=int, default=6, help="load-test length per page type")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, help="default: the first free port in 8160-8179")
    parser.add_argument("--fresh-samples", type=int, default=20)
    parser.add_argument(
        "--lean", action="store_true", help="also build the lean raw-Whoosh index (always when no search)"
    )
    parser.add_argument("--live-sample", type=int, default=20, help="articles imported into the full archive")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="re-measure a work folder a run with --keep left (skips generation, load and rebuild)",
    )
    args = parser.parse_args(argv)

    run = Run(args)
    try:
        run.prepare()
        if args.reuse:
            run.reuse()
        else:
            run.generate()
        run.features()
        if not args.reuse:
            run.load()
        run.start_server()
        # A step that fails is reported and the others still run: one broken part of the
        # archive should not hide every other figure.
        for step in (
            *(() if args.reuse else (run.rebuild,)),
            run.freshness,
            run.references,
            run.our_search,
            run.raw_whoosh_same,
            run.raw_whoosh_figures,
            run.http_search,
            run.pages,
            run.live_import,
            run.profile,
        ):
            try:
                step()
            except Exception as error:
                run.log(f"{step.__name__} failed: {error}")
                run.skip(step.__name__, "failed: " + str(error).strip().splitlines()[-1][:200])
    finally:
        run.cleanup()
    run.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
