"""Soak: the production configuration under sustained reading and writing, with faults (issue 19).

    .venv/bin/python bench/soak.py --articles 3000 --minutes 5
    /work/main/.venv/bin/python bench/soak.py --articles 5000 --minutes 20 --code /work/base

What one run does, all on 127.0.0.1 and inside its work folder (`--out`, default
bench/out/soak-<articles>-<minutes>m[-<code name>]/):
1. A scratch PostgreSQL 15 cluster of its own on a free port (bench/pgcluster.py; never the
   shared server), so the soak may restart it.
2. A corpus (bench/corpus.py) of `--articles` pieces plus one import file of `--import-size` new
   pieces per minute; migrate, import the articles (the index catches up), collectstatic.
3. gunicorn with the production settings as the README says (DJANGO_DEBUG=0, the checkout's
   gunicorn.conf.py: its workers and threads unless `--workers` / `--threads` say otherwise),
   serving the checkout `--code` (default this one), with the same Python as this script.
4. For `--minutes`: `--clients` reading clients (threads; a connection per request, as behind a proxy)
   over article, list, author and keyword pages, the search page and `/api/search/`, feeds, OAI-PMH
   and exports; an `import_articles` of a new file every minute (each with one piece already in
   the archive: a re-import); an editor process (bench/soak_writer.py, the checkout's ORM) that
   edits titles (`--edits-per-minute`), publishes and unpublishes, and deletes as many pieces as
   the imports add, so the archive's size stays steady; each edit's new word is looked for
   through `/api/search/` until found (save-to-search). Faults at fractions of the run (`--faults`):
   `rebuild_index` (0.25), a gunicorn worker `kill -9` (0.4), an import `kill -9` (0.5; its file
   is imported again at the next minute), a PostgreSQL restart (0.6). RssAnon of every worker
   every 10 s.
5. Audit, once the index queue is empty: every write is in the database (edited titles, deleted
   and unpublished pieces, every imported piece exactly once, no duplicate source), the index
   (`check_index --json`: nothing missing, stale or orphaned), the pages (edited titles shown,
   deleted and unpublished ones 404) and OAI-PMH (edited titles; deleted and unpublished ones
   reported deleted).

Printed: requests per minute, latency percentiles per endpoint, status counts per fault window,
save-to-search percentiles (outside and inside the rebuild), RssAnon per worker over time, the
audit, the issue's targets met or not; the last line is one JSON object. Details in docs/soak.md.
"""

import argparse
import gzip
import html
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

SOAK_REPO = Path(__file__).resolve().parent.parent
if str(SOAK_REPO) not in sys.path:
    sys.path.insert(0, str(SOAK_REPO))

from bench.http_load import Gunicorn, production_env  # noqa: E402
from bench.measure import proc_status_kb  # noqa: E402
from bench.pgcluster import ScratchPostgres, free_tcp_port, unavailable_reason  # noqa: E402

FAULTS = {"rebuild": 0.25, "worker_kill": 0.4, "import_kill": 0.5, "postgres_restart": 0.6}
GRACE = {"rebuild": 2.0, "worker_kill": 10.0, "import_kill": 5.0, "postgres_restart": 5.0}
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
# Appended to the workers' settings with --trace-memory: a thread per worker that writes, every
# minute, the allocations that grew most since the worker started.
TRACE_MEMORY = """
import threading as _threading, time as _time, tracemalloc as _tm


def _trace_memory():
    first = _tm.take_snapshot()
    while True:
        _time.sleep(60)
        now = _tm.take_snapshot()
        with open(f"{folder}/memtrace-{{os.getpid()}}.txt", "a") as out:
            out.write(f"== {{_time.strftime('%H:%M:%S')}} traced {{_tm.get_traced_memory()[0] >> 20}} MB\\n")
            for stat in now.compare_to(first, "traceback")[:12]:
                out.write(f"{{stat.size_diff >> 10}} KB {{stat.count_diff}} blocks\\n")
                out.write("".join(f"    {{line}}\\n" for line in stat.traceback.format()[-8:]))


if _tm.is_tracing():
    _threading.Thread(target=_trace_memory, daemon=True).start()
"""

WEIGHTS = {
    "article": 28, "list": 12, "author": 10, "keyword": 10, "search": 10, "api_search": 10,
    "feed": 6, "oai": 6, "export": 6, "missing": 2,
}  # fmt: skip
# What each kind answers when all is well: "missing" asks for a piece the editor deleted (a 404
# page, which offers the closest titles), at a steady share of the load.
EXPECTED_STATUS = {"missing": 404}
# Readers follow links to pieces that exist: their pool is re-read from the database this often.
# (A pool fixed at the start made more and more of the article requests 404s for deleted pieces,
# a load that changed through the run, and dearer, since a 404 searches for the closest titles.)
POOL_SECONDS = 10


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class Soak:
    def __init__(self, args):
        self.args = args
        self.code = Path(args.code).resolve()
        name = f"soak-{args.articles}-{args.minutes}m" + (
            "" if self.code == SOAK_REPO else f"-{self.code.name}"
        )
        self.work = Path(args.out or SOAK_REPO / "bench" / "out" / name).resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.requests = []  # (t, kind, status, ms, retry_after)
        self.windows = []  # [name, start, end]
        self.imports = []
        self.writes = []
        self.probes = []  # (t_commit, seconds or None, the finding search's answer, last miss)
        self.memory = []  # (t, pid, MB)
        self.stop = threading.Event()
        self.pg = None
        self.server = None
        self.t0 = None
        self.children = []  # processes to end if the soak is stopped early

    def log(self, message):
        elapsed = f"{time.monotonic() - self.t0:7.1f}s" if self.t0 else "  setup "
        print(f"[{elapsed}] {message}", flush=True)

    def now(self):
        return time.monotonic() - self.t0

    # --- setup ---------------------------------------------------------------------------------

    def env(self):
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_", "GUNICORN_"))},
            "DATABASE_URL": self.pg.url("archive"),
            "ARCHIVE_INDEX_DIR": str(self.work / "index"),
            "ARCHIVE_MEDIA_DIR": str(self.work / "media"),
            "ARCHIVE_CACHE_DIR": str(self.work / "cache"),
            "DJANGO_SETTINGS_MODULE": "archive.settings",
            "STATIC_ROOT_OVERRIDE": str(self.work / "static"),
            "PYTHONPATH": str(self.code),
            "PYTHONUNBUFFERED": "1",
            **({"GUNICORN_THREADS": str(self.args.threads)} if self.args.threads else {}),
        }

    def manage(self, *argv, env=None, check=True, timeout=3600):
        result = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=self.code,
            env=env or self.prod_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(argv)} failed:\n{result.stderr[-3000:]}")
        return result

    def prepare(self):
        reason = unavailable_reason()
        if reason:
            raise SystemExit(f"the soak needs a scratch PostgreSQL cluster: {reason}")
        settings = ["max_connections = 200"]
        if self.args.pg_stats:
            settings.append("shared_preload_libraries = 'pg_stat_statements'")
        self.pg = ScratchPostgres.create(settings=settings)
        self.pg.create_database("archive")
        if self.args.pg_stats:
            self.sql("CREATE EXTENSION pg_stat_statements")
        self.log(f"scratch PostgreSQL on 127.0.0.1:{self.pg.port} ({self.pg.folder})")
        for folder in ("index", "cache", "media", "imports", "static"):  # a new database: start afresh
            shutil.rmtree(self.work / folder, ignore_errors=True)
            (self.work / folder).mkdir()
        (self.work / "gunicorn.log").unlink(missing_ok=True)
        self.prod_env = production_env(self.env(), self.work)
        # The production static files storage needs a manifest: collect into the work folder.
        self.prod_env["DJANGO_SETTINGS_MODULE"] = "soak_settings"
        (self.work / "soak_settings.py").write_text(
            "import os\nfrom archive.settings import *  # noqa\n"
            "STATIC_ROOT = os.environ['STATIC_ROOT_OVERRIDE']\n"
        )
        self.prod_env["PYTHONPATH"] = f"{self.code}{os.pathsep}{self.work}"
        if self.args.trace_memory:
            # Each worker writes what has grown since its start (tracemalloc, by line) every minute.
            with open(self.work / "soak_settings.py", "a") as handle:
                handle.write(TRACE_MEMORY.format(folder=str(self.work)))

        extra = self.args.minutes * self.args.import_size + self.args.import_size
        corpus = self.work / "corpus"
        manifest = corpus / "manifest.json"
        if manifest.exists() and json.loads(manifest.read_text())["articles"] != self.args.articles + extra:
            # A corpus kept from a run of another size: its imports would run dry part way.
            shutil.rmtree(corpus)
        if not manifest.exists():
            subprocess.run(
                [
                    sys.executable,
                    "bench/corpus.py",
                    "--articles",
                    str(self.args.articles + extra),
                    "--out",
                    str(corpus),
                ],
                cwd=SOAK_REPO,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        items = []
        for path in sorted(corpus.glob("articles-*.json")):
            items.extend(json.loads(path.read_text()))
        self.manifest = json.loads((corpus / "manifest.json").read_text())
        initial, pool = items[: self.args.articles], items[self.args.articles :]
        # Files of 1,000 items: an import file may hold at most ARCHIVE_INGEST_MAX_FILE_BYTES (20 MB).
        initial_files = []
        for start in range(0, len(initial), 1000):
            path = self.work / "imports" / f"initial-{start // 1000:03d}.json"
            path.write_text(json.dumps(initial[start : start + 1000], ensure_ascii=False))
            initial_files.append(str(path))
        self.import_files = []
        for minute in range(self.args.minutes + 1):
            batch = pool[minute * self.args.import_size : (minute + 1) * self.args.import_size]
            batch = [*batch, initial[(minute * 37) % len(initial)]]  # one re-import per file
            path = self.work / "imports" / f"minute-{minute:03d}.json"
            path.write_text(json.dumps(batch, ensure_ascii=False))
            self.import_files.append(path)
        self.initial_items = initial

        started = time.monotonic()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        loaded = self.manage("import_articles", *initial_files, "--json")
        failed = [entry for entry in json.loads(loaded.stdout) if entry["status"] == "failed"]
        if failed:
            raise SystemExit(f"the initial import failed for {len(failed)} item(s): {failed[0]['error']}")
        self.log(f"loaded {len(initial)} articles in {time.monotonic() - started:.0f} s")
        report = json.loads(self.manage("check_index", "--json").stdout)
        self.log(
            f"check_index after the load: {report['database']} in the database, {report['index']} indexed"
        )
        self.slugs = dict(self.sql("SELECT id, slug FROM articles_article WHERE status = 'published'"))
        self.live_slugs = list(self.slugs.values())
        self.words = [w for w in self.manifest.get("watch_df", {}) if w.isascii()] or ["government"]
        self.rare = self.manifest.get("rare_word") or "government"
        self.authors = [row[0] for row in self.sql("SELECT slug FROM articles_author ORDER BY id LIMIT 300")]
        self.keywords = [
            row[0] for row in self.sql("SELECT slug FROM articles_keyword ORDER BY id LIMIT 300")
        ]

    def sql(self, query, params=None):
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.pg.port, user="postgres", dbname="archive")
        try:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                rows = cursor.fetchall() if cursor.description else None
            connection.commit()
            return rows
        finally:
            connection.close()

    def start_server(self):
        self.port = self.args.port or free_tcp_port()
        env = {**self.prod_env, "PYTHONTRACEMALLOC": "8"} if self.args.trace_memory else self.prod_env
        self.server = Gunicorn(env, self.work, port=self.port, workers=self.args.workers, cwd=self.code)
        self.server.start(timeout=120)
        self.log(
            f"gunicorn on {self.server.base}: {self.args.workers or 'gunicorn.conf.py'} workers x "
            f"{self.args.threads or 'gunicorn.conf.py'} threads"
        )

    # --- reading clients ---------------------------------------------------------------------------

    def url(self, kind, rng):
        return quote(self._url(kind, rng), safe="/?=&:")

    def _url(self, kind, rng):
        slugs = self.live_slugs
        if kind == "article":
            return f"/articles/{rng.choice(slugs)}/"
        if kind == "missing":
            gone = self.gone_slugs
            return f"/articles/{rng.choice(gone) if gone else 'a-piece-that-never-was'}/"
        if kind == "list":
            return f"/articles/?page={rng.randint(1, max(1, len(slugs) // 20))}"
        if kind == "author":
            return f"/authors/{rng.choice(self.authors)}/"
        if kind == "keyword":
            return f"/keywords/{rng.choice(self.keywords)}/"
        word = rng.choice([*self.words, self.rare])
        if kind == "search":
            return f"/search/?q={word}" + rng.choice(["", "&sort=newest", "&page=2"])
        if kind == "api_search":
            return f"/api/search/?q={word}"
        if kind == "feed":
            return rng.choice(["/feeds/atom/", "/feeds/rss/", f"/feeds/search/atom/?q={word}"])
        if kind == "oai":
            if rng.random() < 0.5:
                return "/oai/?verb=ListRecords&metadataPrefix=oai_dc"
            identifier = f"oai:archive.localhost:{rng.choice(list(self.slugs))}"
            return f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier}"
        return rng.choice([f"/export/articles/{rng.choice(slugs)}/bibtex/", f"/export/search/ris/?q={word}"])

    def reader(self, n):
        rng = random.Random(self.args.seed * 1000 + n)
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        local = []
        while not self.stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            path = self.url(kind, rng)
            started = time.monotonic()
            try:
                connection.request("GET", path, headers=HEADERS)
                response = connection.getresponse()
                response.read()
                status, retry = response.status, response.getheader("Retry-After") is not None
                # A connection per request, as a proxy in front opens them by default (nginx's
                # upstream HTTP/1.0): kept alive, a gthread worker that accepted most of the six
                # connections served them on one core while the others idled.
                connection.close()
            except (OSError, http.client.HTTPException):
                status, retry = 0, False  # the connection broke (a killed worker)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                time.sleep(0.05)
            except Exception as error:  # a bug of the client: counted, never the end of a reader
                status, retry = -1, False
                self.log(f"reader {n}: {type(error).__name__}: {error} ({path})")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            local.append((started - self.t0, kind, status, (time.monotonic() - started) * 1000, retry))
            if len(local) >= 20:
                with self.lock:
                    self.requests.extend(local)
                local = []
        with self.lock:
            self.requests.extend(local)
        connection.close()

    # --- writers -------------------------------------------------------------------------------

    def run_import(self, paths, *, kill_after=None):
        started = self.now()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_articles", *map(str, paths), "--json"],
            cwd=self.code,
            env=self.prod_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.children.append(process)
        if kill_after is not None:
            time.sleep(kill_after)
            process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=1800)
        try:
            statuses = Counter(entry["status"] for entry in json.loads(out)) if out.strip() else Counter()
        except json.JSONDecodeError:
            statuses = Counter({"unreadable report": 1})
        record = {
            "files": [p.name for p in paths],
            "start": round(started, 1),
            "seconds": round(self.now() - started, 1),
            "exit": process.returncode,
            "statuses": dict(statuses),
            "killed": kill_after is not None,
            "note": next((line for line in err.splitlines() if "did not catch up" in line), ""),
            "traceback": "Traceback" in err,
        }
        with self.lock:
            self.imports.append(record)
            with open(self.work / "imports.log", "a") as log:  # slow index writes, merges, notes
                log.write(f"== {'+'.join(record['files'])} at {started:.1f} s\n{err}")
        self.log(
            f"import {'+'.join(record['files'])}: exit {record['exit']}, "
            f"{record['statuses']}, {record['seconds']} s"
        )
        return record

    def importer(self):
        minute, carry = 0, []
        while not self.stop.wait(max(0.0, 30 + 60 * minute - self.now())):
            if minute >= self.args.minutes:
                return
            paths = [*carry, self.import_files[minute]]
            carry = []
            if self.fault_due("import_kill"):
                self.window_start("import_kill")
                self.run_import([self.import_files[minute]], kill_after=2.0)
                self.window_end("import_kill")
                carry = [self.import_files[minute]]  # finished by the next minute's import
            else:
                self.run_import(paths)
            minute += 1
        if carry:
            self.run_import(carry)

    def writer(self):
        seconds = self.args.minutes * 60 - 20
        process = subprocess.Popen(
            [
                sys.executable,
                str(SOAK_REPO / "bench" / "soak_writer.py"),
                "--seconds",
                str(seconds),
                "--edits-per-minute",
                str(self.args.edits_per_minute),
                "--deletes-per-minute",
                str(self.args.import_size),
                "--status-per-minute",
                str(self.args.status_per_minute),
                "--seed",
                str(self.args.seed),
            ],
            cwd=self.code,
            env=self.prod_env,
            stdout=subprocess.PIPE,
            # A file, not a pipe: the editor's log (its index drains) must never block it.
            stderr=(log := open(self.work / "writer.log", "w")),  # noqa: SIM115 (closed below)
            text=True,
        )
        self.children.append(process)
        # A thread per probe: a pool would start a probe late while others wait out the rebuild,
        # and count that queueing as save-to-search time.
        probes = []
        for line in process.stdout:
            if line.startswith("FINAL "):
                self.final = json.loads(line[6:])
                continue
            record = json.loads(line)
            with self.lock:
                self.writes.append(record)
            if record["op"] == "edit":
                probe = threading.Thread(target=self.probe, args=(record,), daemon=True)
                probe.start()
                probes.append(probe)
        process.wait()
        log.close()
        self.writer_stderr = (self.work / "writer.log").read_text()
        for probe in probes:
            probe.join()

    def probe(self, record):
        """Seconds from the edit's commit until /api/search/ finds its word in a title. Also kept:
        how long the search that found it took to answer, and when the last search that missed it
        started: the piece became searchable between the two (a lower and an upper bound)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        deadline = time.time() + 180  # a save made during a rebuild waits for it
        found = answer = None
        missed = 0.0  # when the last search that missed started, after the commit
        while time.time() < deadline:
            started = time.time()
            try:
                connection.request("GET", f"/api/search/?q={record['token']}", headers=HEADERS)
                response = connection.getresponse()
                body = response.read()
                if response.getheader("Content-Encoding") == "gzip":  # asked for, as browsers do
                    body = gzip.decompress(body)
                if response.status == 200:
                    data = json.loads(body)
                    if any(record["token"] in hit["title"] for hit in data["results"]):
                        found, answer = time.time() - record["t"], time.time() - started
                        break
                    missed = max(0.0, started - record["t"])
            except (OSError, http.client.HTTPException, ValueError):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            # Every 50 ms for the first seconds, then less often: probes waiting out the rebuild
            # must not add a load of their own.
            time.sleep(0.05 if time.time() - record["t"] < 3 else 0.5)
        connection.close()
        with self.lock:
            waited = record.get("returned", record["t"]) - record["t"]
            self.probes.append((record["t"] - self.wall0, found, answer, missed, waited))

    # --- faults and memory ---------------------------------------------------------------------

    def fault_due(self, name):
        at = self.faults.get(name)
        if at is None or name in self.done_faults or self.now() < at * self.args.minutes * 60:
            return False
        self.done_faults.add(name)
        return True

    def window_start(self, name):
        with self.lock:
            self.windows.append([name, self.now(), None])
        self.log(f"fault: {name}")

    def window_end(self, name):
        with self.lock:
            for window in self.windows:
                if window[0] == name and window[2] is None:
                    window[2] = self.now()

    def faulter(self):
        """Each fault in its own thread at its time, so a long rebuild delays no other fault."""
        actions = {
            "rebuild": self.rebuild,
            "worker_kill": self.kill_worker,
            "postgres_restart": self.restart_pg,
        }
        started = []
        while not self.stop.wait(1.0):
            for name, action in actions.items():
                if self.fault_due(name):
                    thread = threading.Thread(target=action, daemon=True)
                    thread.start()
                    started.append(thread)
        for thread in started:
            thread.join(timeout=1800)

    def rebuild(self):
        self.window_start("rebuild")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "rebuild_index"],
            cwd=self.code,
            env=self.prod_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.children.append(process)
        _, err = process.communicate()
        self.window_end("rebuild")
        self.log(
            f"rebuild_index exit {process.returncode}" + (f": {err[-300:]}" if process.returncode else "")
        )

    def kill_worker(self):
        pids = self.server.worker_pids()
        if pids:
            self.window_start("worker_kill")
            os.kill(pids[0], signal.SIGKILL)
            self.window_end("worker_kill")

    def restart_pg(self):
        self.window_start("postgres_restart")
        down = self.pg.restart("fast")
        self.window_end("postgres_restart")
        self.log(f"PostgreSQL restarted: {down:.2f} s without a server")

    def pool_keeper(self):
        """Every POOL_SECONDS, the published pieces readers ask for, and the deleted ones "missing"
        asks for. During the database restart the last pool stays."""
        while not self.stop.wait(POOL_SECONDS):
            try:
                live = dict(self.sql("SELECT id, slug FROM articles_article WHERE status = 'published'"))
            except Exception:
                continue
            self.live_slugs = list(live.values()) or self.live_slugs
            self.gone_slugs = [slug for pk, slug in self.slugs.items() if pk not in live]

    def sampler(self):
        while not self.stop.wait(10.0):
            for pid in self.server.worker_pids():
                kb = proc_status_kb(pid, "RssAnon")
                if kb:
                    with self.lock:
                        self.memory.append((self.now(), pid, kb / 1024))

    def pg_stats_sampler(self):
        """With --pg-stats, each minute's table and statement statistics, appended to
        pgstats.jsonl: what got dearer in the database as the run went on."""
        tables = (
            "SELECT relname, n_live_tup, n_dead_tup, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd,"
            " n_tup_del, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables"
        )
        statements = (
            "SELECT left(query, 4000), calls, total_exec_time, rows, shared_blks_hit + shared_blks_read"
            " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 60"
        )
        while not self.stop.wait(60.0):
            try:
                snapshot = {"t": round(self.now()), "tables": self.sql(tables)}
                snapshot["statements"] = self.sql(statements)
            except Exception as error:  # the database restart
                snapshot = {"t": round(self.now()), "error": str(error)}
            with open(self.work / "pgstats.jsonl", "a") as out:
                out.write(json.dumps(snapshot, default=float) + "\n")

    # --- the run -------------------------------------------------------------------------------

    def run(self):
        self.faults = {} if self.args.no_faults else dict(FAULTS)
        for spec in filter(None, (self.args.faults or "").split(",")):
            name, _, value = spec.partition("=")
            self.faults[name] = float(value) if value not in ("", "off") else None
        self.done_faults = set()
        self.final = {}
        self.writer_stderr = ""
        self.t0, self.wall0 = time.monotonic(), time.time()
        self.log(f"load for {self.args.minutes} min: {self.args.clients} readers, faults {self.faults}")
        threads = [
            threading.Thread(target=self.reader, args=(n,), daemon=True) for n in range(self.args.clients)
        ]
        self.gone_slugs = []
        threads += [
            threading.Thread(target=f, daemon=True) for f in (self.faulter, self.sampler, self.pool_keeper)
        ]
        if self.args.pg_stats:
            (self.work / "pgstats.jsonl").unlink(missing_ok=True)
            threads.append(threading.Thread(target=self.pg_stats_sampler, daemon=True))
        background = [threading.Thread(target=f, daemon=True) for f in (self.importer, self.writer)]
        for thread in threads + background:
            thread.start()
        deadline = self.args.minutes * 60
        for minute in range(1, self.args.minutes + 1):
            time.sleep(max(0.0, min(minute * 60, deadline) - self.now()))
            with self.lock:
                done = sum(1 for r in self.requests if minute - 1 <= r[0] / 60 < minute)
            self.log(f"minute {minute}: {done} requests (counted so far)")
        self.stop.set()
        for thread in threads:
            thread.join(timeout=120)
        for thread in background:
            thread.join(timeout=1800)
        self.end = self.now()
        self.log("load over; waiting for the index queue to empty")

    # --- audit ---------------------------------------------------------------------------------

    def wait_for_queue(self, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.sql("SELECT count(*) FROM archive_search_pendingindexupdate")[0][0] == 0:
                    return True
            except Exception:
                pass
            time.sleep(1)
        self.manage("update_index", check=False)
        return False

    def audit(self):
        audit = {"queue_drained_by_itself": self.wait_for_queue()}
        final = self.final or {}
        problems = []
        titles = {int(k): v for k, v in final.get("titles", {}).items()}
        rows = (
            dict(self.sql("SELECT id, title FROM articles_article WHERE id = ANY(%s)", (list(titles),)))
            if titles
            else {}
        )
        problems += [f"edit of {pk} lost" for pk, title in titles.items() if rows.get(pk) != title]
        deleted = final.get("deleted", [])
        still = self.sql("SELECT id FROM articles_article WHERE id = ANY(%s)", (deleted,)) if deleted else []
        problems += [f"deleted {pk} still there" for (pk,) in still]
        for state, ids in (("draft", final.get("draft", [])), ("published", final.get("published", []))):
            if ids:
                wrong = self.sql(
                    "SELECT id FROM articles_article WHERE id = ANY(%s) AND status <> %s", (ids, state)
                )
                problems += [f"{pk} is not {state}" for (pk,) in wrong]
        # Every new piece the imports brought is there exactly once (by its source URL), and no
        # source is in the archive twice (the re-imported pieces included).
        # Only the files an import finished with exit 0: when imports run long, the last minutes'
        # files may never have been started, and nothing is lost then.
        initial_urls = {item["source"]["url"] for item in self.initial_items}
        finished = {name for record in self.imports if record["exit"] == 0 for name in record["files"]}
        imported = [
            item
            for path in self.import_files[: self.args.minutes]
            if path.name in finished
            for item in json.loads(path.read_text())
        ]
        urls = sorted({item["source"]["url"] for item in imported} - initial_urls)
        counts = dict(
            self.sql(
                "SELECT source_url, count(*) FROM articles_article WHERE source_url = ANY(%s) GROUP BY 1",
                (urls,),
            )
        )
        missing = [url for url in urls if counts.get(url, 0) == 0]
        duplicates = self.sql(
            "SELECT source_url, count(*) FROM articles_article WHERE source_url <> '' "
            "GROUP BY 1 HAVING count(*) > 1"
        )
        audit["imported_pieces"] = len(urls)
        audit["imported_missing"] = len(missing)
        audit["duplicate_sources"] = len(duplicates)
        problems += [f"imported piece missing: {url}" for url in missing[:20]]
        problems += [f"duplicate: {url} x{n}" for url, n in duplicates[:20]]
        # The index.
        report = json.loads(self.manage("check_index", "--json", check=False).stdout)  # exits 2 if damaged
        audit["index"] = {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}
        problems += [
            f"index {k}: {len(report[k])}"
            for k in ("missing", "stale", "orphaned", "damaged", "problems")
            if report.get(k)
        ]
        # Pages and OAI-PMH, for a sample of what the editor touched.
        sample = self.rng.sample(sorted(titles), min(100, len(titles)))
        slugs = (
            dict(self.sql("SELECT id, slug FROM articles_article WHERE id = ANY(%s)", (sample,)))
            if sample
            else {}
        )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

        def get(path):
            connection.request("GET", quote(path, safe="/?=&:"), headers={"X-Forwarded-Proto": "https"})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")

        checked = Counter()
        hidden = set(final.get("draft", []))
        for pk in sample:
            status, body = get(f"/articles/{slugs[pk]}/")
            token = titles[pk].rsplit(" ", 1)[-1]
            shown = status == 200 and html.escape(titles[pk]) in body
            ok = status == 404 if pk in hidden else shown
            checked["page ok" if ok else "page WRONG"] += 1
            if not ok:
                problems.append(f"page of {pk}: {status}")
            status, body = get(
                f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive.localhost:{pk}"
            )
            ok = ('status="deleted"' in body) if pk in hidden else (token in body)
            checked["oai ok" if ok else "oai WRONG"] += 1
        for pk in self.rng.sample(deleted, min(50, len(deleted))):
            status, _ = get(f"/articles/{self.slugs.get(pk, 'unknown')}/")
            checked["deleted page 404" if status == 404 else "deleted page WRONG"] += 1
            _, body = get(f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive.localhost:{pk}")
            checked["deleted oai ok" if 'status="deleted"' in body else "deleted oai WRONG"] += 1
        connection.close()
        problems += [f"{key}: {n}" for key, n in checked.items() if "WRONG" in key]
        audit["checked"] = dict(checked)
        audit["writes"] = final.get("writes", 0)
        audit["problems"] = problems
        audit["articles_now"] = self.sql("SELECT count(*) FROM articles_article")[0][0]
        self.audit_result = audit
        return audit

    # --- report --------------------------------------------------------------------------------

    def window_of(self, t, seconds=0.0):
        """The fault window a request (started at `t`, lasting `seconds`) overlaps; where two do,
        the one most likely to explain an error (a PostgreSQL restart before a worker kill, before
        an import kill, before a rebuild)."""
        for priority in ("postgres_restart", "worker_kill", "import_kill", "rebuild"):
            for name, start, end in self.windows:
                if name == priority and start <= t + seconds and t <= (end or self.end) + GRACE[name]:
                    return name
        return "outside faults"

    def report(self):
        minutes = self.args.minutes
        print("\n== Requests per minute (all readers)")
        per_minute = Counter(int(t // 60) for t, *_ in self.requests)
        for minute in range(minutes):
            print(f"  minute {minute + 1:2d}: {per_minute.get(minute, 0):6d}")
        span = max(1, min(5, minutes // 4))
        first = statistics.mean(per_minute.get(m, 0) for m in range(span))
        last = statistics.mean(per_minute.get(m, 0) for m in range(minutes - span, minutes))
        print(f"  first {span} min: {first:.0f}/min, last {span} min: {last:.0f}/min ({last / first:.0%})")

        print("\n== Latency per endpoint (ms; answers with the expected status: 200, a 404 for missing)")
        by_kind = defaultdict(list)
        for _, kind, status, ms, _ in self.requests:
            if status == EXPECTED_STATUS.get(kind, 200):
                by_kind[kind].append(ms)
        latency = {}
        for kind in WEIGHTS:
            values = by_kind.get(kind, [])
            latency[kind] = {p: round(pct(values, p) or 0, 1) for p in (50, 95, 99)} | {"n": len(values)}
            row = latency[kind]
            print(
                f"  {kind:11} n={len(values):6d}  p50 {row[50]:7.1f}  p95 {row[95]:7.1f}  p99 {row[99]:7.1f}"
            )

        print("\n== Median latency per endpoint per minute (ms; expected status): where a fall comes from")
        by_minute = defaultdict(list)
        for t, kind, status, ms, _ in self.requests:
            if status == EXPECTED_STATUS.get(kind, 200):
                by_minute[(kind, int(t // 60))].append(ms)
        latency_by_minute = {
            kind: [round(pct(by_minute[(kind, m)], 50) or 0) for m in range(minutes)] for kind in WEIGHTS
        }
        for kind, medians in latency_by_minute.items():
            print(f"  {kind:11} " + " ".join(f"{ms:5d}" for ms in medians))

        print("\n== Status per fault window")
        windows = defaultdict(Counter)
        bad = Counter()
        for t, _kind, status, ms, retry in self.requests:
            window = self.window_of(t, ms / 1000)
            windows[window][status] += 1
            if status >= 500 or status == 0:
                bad[(window, status, retry)] += 1
        for name, start, end in self.windows:
            print(
                f"  {name:17} {start:7.1f}-{(end or self.end):7.1f} s: {dict(sorted(windows[name].items()))}"
            )
        print(f"  outside faults: {dict(sorted(windows['outside faults'].items()))}")
        errors_outside = sum(n for (w, s, r), n in bad.items() if w != "postgres_restart" and s >= 500)
        broken = sum(n for (w, s, r), n in bad.items() if s == 0)
        restart_not_503 = sum(
            n for (w, s, r), n in bad.items() if w == "postgres_restart" and s != 0 and not (s == 503 and r)
        )
        print(
            f"  5xx outside the PostgreSQL restart: {errors_outside}; in it, 5xx other than 503 with "
            f"Retry-After: {restart_not_503}; broken connections (a killed worker's): {broken}"
        )

        print("\n== Save to search (s from the edit's commit until /api/search/ finds it)")
        rebuild = [w for w in self.windows if w[0] == "rebuild"]

        def in_rebuild(t, seconds):
            """Whether the save's wait overlapped a rebuild (which holds the index's write lock)."""
            return any(t <= (e or self.end) and t + seconds >= s for _, s, e in rebuild)

        kept = [p for p in self.probes if p[1] is not None and not in_rebuild(p[0], p[1])]
        outside = [p[1] for p in kept]
        inside = [s for t, s, *_ in self.probes if s is not None and in_rebuild(t, s)]
        not_found = sum(1 for _, s, *_ in self.probes if s is None)
        save = {
            "n": len(self.probes), "not_found": not_found,
            "p50": round(pct(outside, 50) or 0, 2), "p95": round(pct(outside, 95) or 0, 2),
            "max": round(max(outside, default=0), 2), "rebuild_max": round(max(inside, default=0), 2),
        }  # fmt: skip
        # Where the time goes: the finding search's own answer, and the last miss's start (the
        # piece was searchable after it).
        # And how long the save itself waited after its commit (for its index write, where the
        # code under test does so): the editor searches once the save returns.
        for key, values in (
            ("answer", [p[2] for p in kept]),
            ("last_miss", [p[3] for p in kept]),
            ("save_returned", [p[4] for p in kept]),
        ):
            save[f"{key}_p50"], save[f"{key}_p95"] = (round(pct(values, q) or 0, 2) for q in (50, 95))
        print(
            f"  outside the rebuild: n={len(outside)} p50 {save['p50']} p95 {save['p95']} "
            f"max {save['max']}; during the rebuild: n={len(inside)} max {save['rebuild_max']}; "
            f"not found in 180 s: {not_found}\n"
            f"  the search that found it answered in p50 {save['answer_p50']} p95 {save['answer_p95']}; "
            f"the last that missed it started p50 {save['last_miss_p50']} p95 {save['last_miss_p95']}; "
            f"the save returned p50 {save['save_returned_p50']} p95 {save['save_returned_p95']} "
            "after its commit"
        )

        print("\n== RssAnon per worker (MB)")
        by_pid = defaultdict(list)
        for t, pid, mb in self.memory:
            by_pid[pid].append((t, mb))
        for pid, samples in by_pid.items():
            marks = ", ".join(f"{t / 60:.0f}m {mb:.0f}" for t, mb in samples[:: max(1, len(samples) // 8)])
            print(f"  worker {pid}: {marks}; max {max(mb for _, mb in samples):.0f}")
        worker_max = max((mb for _, _, mb in self.memory), default=0)

        print("\n== Imports")
        for record in self.imports:
            print(f"  {record}")
        print("\n== Audit")
        for key, value in self.audit_result.items():
            print(f"  {key}: {value}")

        targets = {
            "throughput_last_over_first": (round(last / first, 3) if first else None, ">= 0.9"),
            "errors_outside_restart": (errors_outside, "0"),
            "restart_not_503_retry_after": (restart_not_503, "0"),
            "broken_connections": (broken, "report"),
            "save_to_search_p95_s": (save["p95"], "<= 1"),
            "worker_rss_anon_max_mb": (round(worker_max, 1), "< 300"),
            "audit_problems": (len(self.audit_result["problems"]), "0"),
        }
        met = {
            "throughput_last_over_first": first and last / first >= 0.9,
            "errors_outside_restart": errors_outside == 0,
            "restart_not_503_retry_after": restart_not_503 == 0,
            "broken_connections": True,
            "save_to_search_p95_s": bool(outside) and save["p95"] <= 1,
            "worker_rss_anon_max_mb": worker_max < 300,
            "audit_problems": not self.audit_result["problems"],
        }
        print("\n== Targets (issue 19)")
        for key, (value, target) in targets.items():
            print(f"  {key:30} {value!s:>10}  target {target:8} {'met' if met[key] else 'NOT met'}")
        summary = {
            "code": str(self.code), "articles": self.args.articles, "minutes": minutes,
            "requests": len(self.requests), "per_minute": [per_minute.get(m, 0) for m in range(minutes)],
            "first_rpm": round(first), "last_rpm": round(last), "latency_ms": latency,
            "latency_p50_ms_by_minute": latency_by_minute,
            "windows": {w[0]: [round(w[1], 1), round(w[2] or self.end, 1)] for w in self.windows},
            "status_by_window": {k: dict(v) for k, v in windows.items()},
            "save_to_search_s": save, "worker_rss_anon_max_mb": round(worker_max, 1),
            "save_to_search_probes": sorted(
                (round(t, 1), s and round(s, 2), a and round(a, 2), round(m, 2), round(w, 2))
                for t, s, a, m, w in self.probes
            ),
            "worker_rss_anon_mb": {pid: [(round(t), round(mb, 1)) for t, mb in samples]
                                   for pid, samples in by_pid.items()},
            "imports": self.imports, "audit": self.audit_result,
            "targets": {k: v[0] for k, v in targets.items()}, "met": met,
        }  # fmt: skip
        (self.work / "soak.json").write_text(json.dumps(summary, indent=1, default=str))
        print(json.dumps(summary, default=str))

    def cleanup(self):
        self.stop.set()
        for process in self.children:
            if process.poll() is None:
                process.kill()
        if self.server:
            self.server.stop()
        if self.pg:
            self.pg.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--code", default=str(SOAK_REPO), help="the checkout to serve (default: this one)")
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py's (cores + 1)")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py's (2; 1 gives sync workers)")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--import-size", type=int, default=200, help="new pieces imported every minute")
    parser.add_argument("--edits-per-minute", type=float, default=20)
    parser.add_argument("--status-per-minute", type=float, default=4)
    parser.add_argument("--faults", default="", help="e.g. rebuild=0.3,postgres_restart=off")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument(
        "--trace-memory", action="store_true", help="workers write memtrace-PID.txt: what grew (slow)"
    )
    parser.add_argument(
        "--pg-stats", action="store_true", help="each minute's database statistics in pgstats.jsonl"
    )
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    # SIGTERM (or Ctrl-C) ends the run through `cleanup`: no server or database left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    soak = Soak(args)
    try:
        soak.prepare()
        soak.start_server()
        soak.run()
        soak.audit()
        soak.report()
    finally:
        soak.cleanup()


if __name__ == "__main__":
    main()
