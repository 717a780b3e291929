"""Lighthouse and the Nu HTML checker on every kind of page, against a production-mode server.

    .venv/bin/python bench/page_audit.py                    # everything: about 10 minutes on 2 cores
    .venv/bin/python bench/page_audit.py --only nu,gzip     # the HTML checker and compression only
    .venv/bin/python bench/page_audit.py --pages home,404 --only lighthouse

What it does, in a work folder (default bench/out/audit/, ignored by git):
1. Tools: Lighthouse and the Nu HTML checker (vnu.jar) from npm, at the versions pinned in
   bench/package.json and bench/package-lock.json, installed into bench/node_modules with
   `npm ci --ignore-scripts` (only when missing or different). Chromium is Debian's
   (/usr/bin/chromium, or CHROME_PATH); vnu.jar runs on the system's java.
2. A site: a fresh SQLite database with the demo content (`load_demo`), its search index, static
   files collected as in production, an editor and a staff user without permissions (their
   sessions open the admin and 403 pages), and one upload waiting to be checked.
3. gunicorn with the production settings (DJANGO_DEBUG=0, a generated secret key, whitenoise,
   the page cache on disk), on 127.0.0.1 only; http, so SECURE_SSL_REDIRECT is off. Two more
   servers show the pages that need a failure: one whose database and index are missing (500 on
   every reading page, 503 on search) and one whose search limit is one a minute (429). The 400
   page is what a host we do not serve gets (http://localhost:PORT/ when only 127.0.0.1 is
   allowed), the 403 page what a staff user without permissions gets on the upload page.
4. Lighthouse (mobile, its default, and desktop) on each page; the scores of performance,
   accessibility, best practices and SEO, and the audits that kept a score under 100.
5. The Nu HTML checker on the HTML of every page, public and admin (errors only).
6. Compression: bytes of the home, list, article, author, keyword and search pages without and
   with gzip; CPU time per page in one process, served from the page cache and rendered (a
   signed-in editor's), without and with `Accept-Encoding: gzip`; and requests per second on
   cached article, list, author, keyword and home pages, both ways, alternated in rounds (wrk if
   installed, else a threaded client; 8 clients).

The targets (issue 18): 100/100/100/100 on home, list, article, author, keyword and about,
mobile and desktop; accessibility 100 on search and error pages; no Nu error. The last line is
one JSON object with every figure; the exit status is 1 when a target is missed.
"""

import argparse
import gzip
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.http_load import Gunicorn, free_port, load_threads, load_wrk  # noqa: E402

BENCH = REPO / "bench"
NODE_MODULES = BENCH / "node_modules"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
FULL = ["home", "list", "article", "author", "keyword", "about"]  # 100 in every category
A11Y = ["search", "search-none", "404", "404-article", "400", "403", "429", "500", "503"]  # 100 accessibility

SETUP = r"""
import json
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from archive.articles.models import Article, Author, Keyword

public = Article.objects.published()
users = get_user_model().objects
sessions = {}
for name, user in [
    ("editor", users.create_superuser("audit-editor", "editor@example.org", None)),
    ("clerk", users.create_user("audit-clerk", is_staff=True)),
]:
    client = Client()
    client.force_login(user)
    sessions[name] = client.cookies["sessionid"].value
client = Client(HTTP_HOST="127.0.0.1")
client.cookies["sessionid"] = sessions["editor"]
with open("tests/data/article.html", "rb") as file:
    pending = client.post("/admin/ingest/upload/", {"files": file})["Location"]
by_bylines = public.exclude(abstract="").filter(language="en").annotate(n=Count("authorships"))
article = by_bylines.order_by("-n", "-date").first()
sectioned = public.filter(body__contains="<h4").order_by("-date").first()
authors = Author.objects.filter(authorships__article__in=public).annotate(n=Count("authorships"))
author = authors.order_by("-n", "name").first()
keyword = Keyword.objects.filter(articles__in=public).annotate(n=Count("articles")).order_by("-n").first()
print("AUDIT " + json.dumps({
    "sessions": sessions,
    "pending": pending,
    "article": article.get_absolute_url(),
    "article_slug": article.slug,
    "article_id": article.pk,
    "sectioned": sectioned.get_absolute_url() if sectioned else None,
    "author": author.get_absolute_url(),
    "keyword": keyword.get_absolute_url(),
    "year": article.date.year,
}))
"""


CPU = r"""
import json, statistics, time
from django.test import Client

paths = json.loads(PATHS)
cached = Client(HTTP_HOST="127.0.0.1")
rendered = Client(HTTP_HOST="127.0.0.1")
rendered.cookies["sessionid"] = SESSION  # a session: every request renders its page
for path in paths:
    cached.get(path)
figures = {}
for name, client, rounds in (("cached", cached, 40), ("rendered", rendered, 4)):
    runs = {"plain": [], "gzip": []}
    for _ in range(3):  # alternated
        for label, extra in (("plain", {}), ("gzip", {"HTTP_ACCEPT_ENCODING": "gzip"})):
            start = time.process_time()
            for _ in range(rounds):
                for path in paths:
                    assert client.get(path, **extra).status_code == 200
            runs[label].append((time.process_time() - start) / (rounds * len(paths)) * 1e6)
    figures[name] = {label: round(statistics.median(values)) for label, values in runs.items()}
print("CPU " + json.dumps(figures))
"""


class Audit:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.out).resolve()
        self.servers = {}
        self.result = {"lighthouse": {}, "nu": {}, "gzip": {}, "rps": {}, "met": {}}
        self.failed = []

    def log(self, message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # -- tools -------------------------------------------------------------------------------
    def tools(self):
        """npm ci into bench/node_modules when what is there is not what package-lock.json pins."""
        lock = json.loads((BENCH / "package-lock.json").read_text())
        wanted = {
            name: lock["packages"][f"node_modules/{name}"]["version"] for name in ("lighthouse", "vnu-jar")
        }
        have = {}
        for name in wanted:
            manifest = NODE_MODULES / name / "package.json"
            if manifest.exists():
                have[name] = json.loads(manifest.read_text())["version"]
        if have != wanted or not VNU_JAR.exists():
            self.log(f"npm ci in bench/ ({', '.join(f'{k} {v}' for k, v in wanted.items())})")
            subprocess.run(
                ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=BENCH,
                check=True,
            )
        self.chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
        if not Path(self.chrome).exists():
            raise SystemExit("Chromium not found: apt-get install chromium, or set CHROME_PATH")
        if not shutil.which("java"):
            raise SystemExit(
                "java not found (the Nu HTML checker needs it): apt-get install default-jre-headless"
            )
        self.result["tools"] = {"lighthouse": wanted["lighthouse"], "vnu-jar": wanted["vnu-jar"]}

    # -- the site ----------------------------------------------------------------------------
    def env(self, **extra):
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_", "DATABASE_URL"))
        }
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{self.work / 'db.sqlite3'}",
                "ARCHIVE_INDEX_DIR": str(self.work / "index"),
                "ARCHIVE_MEDIA_DIR": str(self.work / "media"),
                "ARCHIVE_CACHE_DIR": str(self.work / "cache"),
                "BENCH_STATIC_ROOT": str(self.work / "static"),
                "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
                "PYTHONPATH": str(REPO),
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": self.secret,
                # Lighthouse talks plain http to 127.0.0.1; "localhost" is left out on purpose: a
                # host we do not serve, which gets the 400 page.
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_SECURE_COOKIES": "0",
                "ARCHIVE_SEARCH_RATE": "0",
                "ARCHIVE_SUGGEST_RATE": "0",
            }
        )
        env.update(extra)
        return env

    def manage(self, *argv, env=None):
        proc = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=REPO,
            env=env or self.env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            raise SystemExit(
                f"manage.py {' '.join(argv)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return proc.stdout

    def site(self):
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        self.secret = secrets.token_urlsafe(50)
        self.log(f"site in {self.work}: migrate, load_demo, index, collectstatic")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_demo", "-v", "0")
        self.manage("check_index", "--repair")
        self.manage("collectstatic", "--noinput", "-v", "0")
        out = self.manage("shell", "-c", SETUP)
        self.facts = json.loads(next(line for line in out.splitlines() if line.startswith("AUDIT "))[6:])

    def start(self):
        port = free_port(8180, 8199)
        self.servers["main"] = Gunicorn(self.env(), self.work, port=port, workers=2).start()
        broken = self.env(
            DATABASE_URL=f"sqlite:///{self.work / 'no-such-folder' / 'db.sqlite3'}",
            ARCHIVE_INDEX_DIR=str(self.work / "no-such-index"),
        )
        self.servers["broken"] = Gunicorn(
            broken, self.work, port=free_port(port + 1, 8199), workers=1
        ).start()
        limited = self.env(ARCHIVE_SEARCH_RATE="1", ARCHIVE_SEARCH_BURST="1")
        port = free_port(self.servers["broken"].port + 1, 8199)
        self.servers["limited"] = Gunicorn(limited, self.work, port=port, workers=1).start()
        self.log(", ".join(f"{name} on {server.base}" for name, server in self.servers.items()))

    def stop(self):
        for server in self.servers.values():
            server.stop()

    # -- pages ------------------------------------------------------------------------------
    def pages(self):
        """name -> (server, path, headers, expected status, host). Public pages first."""
        f = self.facts
        editor = {"Cookie": f"sessionid={f['sessions']['editor']}"}
        clerk = {"Cookie": f"sessionid={f['sessions']['clerk']}"}
        pages = {
            "home": ("main", "/", {}, 200),
            "list": ("main", "/articles/", {}, 200),
            "list-2": ("main", "/articles/?page=2", {}, 200),
            "article": ("main", f["article"], {}, 200),
            "article-sections": ("main", f["sectioned"], {}, 200),
            "author": ("main", f["author"], {}, 200),
            "keyword": ("main", f["keyword"], {}, 200),
            "about": ("main", "/about/", {}, 200),
            "archive": ("main", "/archive/", {}, 200),
            "archive-year": ("main", f"/archive/{f['year']}/", {}, 200),
            "authors": ("main", "/authors/", {}, 200),
            "keywords": ("main", "/keywords/", {}, 200),
            "search": ("main", "/search/?q=iraq", {}, 200),
            "search-none": ("main", "/search/?q=zzxxqqj", {}, 200),
            "404": ("main", "/no/such/page/", {}, 404),
            "404-article": ("main", f"/articles/{f['article_slug'][:-4]}/", {}, 404),
            "400": ("main", "/articles/", {}, 400, "localhost"),
            "403": ("main", "/admin/ingest/upload/", clerk, 403),
            "429": ("limited", "/search/?q=iraq", {}, 429),
            "500": ("broken", "/articles/", {}, 500),
            "503": ("broken", "/search/?q=iraq", {}, 503),
            "admin-login": ("main", "/admin/login/", {}, 200),
            "admin-index": ("main", "/admin/", editor, 200),
            "admin-articles": ("main", "/admin/articles/article/", editor, 200),
            "admin-authors": ("main", "/admin/articles/author/", editor, 200),
            "admin-upload": ("main", "/admin/ingest/upload/", editor, 200),
            "admin-pending": ("main", "/admin/ingest/pending/", editor, 200),
            "admin-check": ("main", f["pending"], editor, 200),
            "admin-health": ("main", "/admin/search/health/", editor, 200),
            "admin-preview": ("main", f"/admin/articles/article/{f['article_id']}/preview/", editor, 200),
        }
        pages = {name: (*spec, "127.0.0.1") if len(spec) == 4 else spec for name, spec in pages.items()}
        if self.args.pages:
            wanted = self.args.pages.split(",")
            unknown = set(wanted) - set(pages)
            if unknown:
                raise SystemExit(f"unknown pages {sorted(unknown)}; known: {', '.join(pages)}")
            pages = {name: pages[name] for name in wanted}
        return pages

    def url(self, server, path, host):
        return f"http://{host}:{self.servers[server].port}{path}"

    def fetch(self, url, headers=None, *, accept_gzip=False):
        """(status, body bytes as sent, headers)."""
        request = urllib.request.Request(url, headers={**(headers or {})})
        if accept_gzip:
            request.add_header("Accept-Encoding", "gzip")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def use_up_search_limit(self, server, path, host):
        """The limited server allows one search a minute: take it, so the next request is a 429."""
        if server == "limited":
            self.fetch(self.url(server, path, host))

    # -- Lighthouse ---------------------------------------------------------------------------
    def lighthouse(self, pages):
        targets = {name: spec for name, spec in pages.items() if name in FULL + A11Y}
        out = self.work / "lighthouse"
        out.mkdir(exist_ok=True)
        # Lighthouse refuses to audit a page answered with an error status unless told to
        # (settings.ignoreStatusCode, no command-line flag): error pages get these configurations,
        # its defaults otherwise unchanged.
        (out / "errors-mobile.json").write_text(
            json.dumps({"extends": "lighthouse:default", "settings": {"ignoreStatusCode": True}})
        )
        desktop = (NODE_MODULES / "lighthouse" / "core" / "config" / "desktop-config.js").as_uri()
        (out / "errors-desktop.mjs").write_text(
            f"import desktop from {json.dumps(desktop)};\n"
            "export default {...desktop, settings: {...desktop.settings, ignoreStatusCode: true}};\n"
        )
        for name, (server, path, headers, status, host) in targets.items():
            for form in self.args.form_factors.split(","):
                runs = []
                for run in range(self.args.runs):
                    report = out / f"{name}-{form}-{run + 1}.json"
                    scores = self.lighthouse_run(
                        self.url(server, path, host),
                        form,
                        headers,
                        status,
                        report,
                        before=lambda: self.use_up_search_limit(server, path, host),  # noqa: B023
                    )
                    if scores is not None:
                        scores["expected_status"] = status
                        runs.append(scores)
                        shown = " ".join(f"{scores[c]:3}" for c in CATEGORIES)
                        self.log(f"lighthouse {name:16} {form:7} HTTP {scores['status']} {shown}")
                # The median run by performance (the one score that varies between runs).
                runs.sort(key=lambda scores: scores["performance"])
                median = (
                    {**runs[len(runs) // 2], "performance_runs": [r["performance"] for r in runs]}
                    if runs
                    else None
                )
                self.result["lighthouse"].setdefault(name, {})[form] = median

    def lighthouse_run(self, url, form, headers, status, report, *, before, attempts=3):
        """One Lighthouse run: the four scores, the document's status, and the audits that kept a
        category under 100; None when Lighthouse fails three times (it sometimes loses its trace on
        a busy machine)."""
        command = [
            "node",
            str(LIGHTHOUSE),
            url,
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ]
        if status != 200:
            config = report.parent / ("errors-desktop.mjs" if form == "desktop" else "errors-mobile.json")
            command.append(f"--config-path={config}")
        elif form == "desktop":
            command.append("--preset=desktop")
        if headers:
            command.append(f"--extra-headers={json.dumps(headers)}")
        for attempt in range(attempts):
            before()
            proc = subprocess.run(
                command, env={**os.environ, "CHROME_PATH": self.chrome}, capture_output=True, text=True
            )
            if proc.returncode == 0 and report.exists():
                break
            self.log(f"lighthouse {url} {form}: attempt {attempt + 1} failed: {proc.stderr.strip()[-300:]}")
        else:
            return None
        data = json.loads(report.read_text())
        weighted = {
            ref["id"] for c in CATEGORIES for ref in data["categories"][c]["auditRefs"] if ref["weight"]
        }
        documents = data["audits"]["network-requests"]["details"]["items"]
        return {
            **{c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES},
            "status": next(
                (r.get("statusCode") for r in documents if r.get("resourceType") == "Document"), None
            ),
            "below_100": sorted(
                audit_id
                for audit_id, audit in data["audits"].items()
                if audit_id in weighted and audit.get("score") is not None and audit["score"] < 1
            ),
        }

    # -- Nu HTML checker ----------------------------------------------------------------------
    def nu(self, pages):
        folder = self.work / "html"
        folder.mkdir(exist_ok=True)
        files = {}
        for name, (server, path, headers, status, host) in pages.items():
            self.use_up_search_limit(server, path, host)
            got, body, _ = self.fetch(self.url(server, path, host), headers)
            if got != status:
                self.failed.append(f"{name}: HTTP {got}, expected {status}")
            files[name] = folder / f"{name}.html"
            files[name].write_bytes(body)
        merge = self.merge_confirmation()
        if merge is not None:
            files["admin-merge"] = folder / "admin-merge.html"
            files["admin-merge"].write_bytes(merge)
        proc = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU_JAR),
                "--errors-only",
                "--format",
                "json",
                "--stdout",
                *map(str, files.values()),
            ],
            capture_output=True,
            text=True,
        )
        messages = json.loads(proc.stdout or '{"messages": []}')["messages"]
        by_file = {name: [] for name in files}
        names = {str(path.resolve()): name for name, path in files.items()}
        for message in messages:
            where = urllib.parse.unquote(urllib.parse.urlparse(message.get("url", "")).path)
            name = names.get(where, where)
            by_file.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message.get('message')} "
                f"[{message.get('extract', '').strip()[:80]}]"
            )
        self.result["nu"] = {name: len(found) for name, found in by_file.items()}
        for name, found in by_file.items():
            self.log(f"nu {name:18} {len(found)} error(s)")
            for line in found[:10]:
                self.log(f"    {line}")
        self.nu_messages = by_file

    def merge_confirmation(self):
        """The merge confirmation page: a POST of the author list's "Merge selected" action."""
        server = self.servers["main"]
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        cookie = f"sessionid={self.facts['sessions']['editor']}"
        with opener.open(
            urllib.request.Request(f"{server.base}/admin/articles/author/", headers={"Cookie": cookie})
        ) as response:
            html = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        ids = re.findall(r'name="_selected_action" value="(\d+)"', html)[:2]
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        data = urllib.parse.urlencode(
            [("csrfmiddlewaretoken", token), ("action", "merge_selected"), ("index", "0")]
            + [("_selected_action", i) for i in ids]
        ).encode()
        request = urllib.request.Request(
            f"{server.base}/admin/articles/author/",
            data=data,
            headers={
                "Cookie": f"{cookie}; csrftoken={csrf}",
                "Referer": f"{server.base}/admin/articles/author/",
            },
        )
        with urllib.request.build_opener().open(request) as response:
            body = response.read()
        return body if b'name="keep"' in body else None

    # -- compression --------------------------------------------------------------------------
    def compression(self, pages):
        for name in ["home", "list", "article", "author", "keyword", "search"]:
            if name not in pages:
                continue
            server, path, headers, _, host = pages[name]
            url = self.url(server, path, host)
            _, plain, _ = self.fetch(url)
            _, packed, response_headers = self.fetch(url, accept_gzip=True)
            assert response_headers.get("Content-Encoding") == "gzip", name
            assert gzip.decompress(packed) == plain, name
            self.result["gzip"][name] = {"plain": len(plain), "gzip": len(packed)}
            self.log(
                f"gzip {name:8} {len(plain):7,} -> {len(packed):6,} bytes ({len(packed) / len(plain):.0%})"
            )
        # CPU per page in one process (the production settings and page cache): what compression
        # costs, free of the noise of a shared machine that the load test below carries.
        f = self.facts
        paths = [f["article"], "/articles/", f["author"], f["keyword"], "/"]
        snippet = CPU.replace("PATHS", repr(json.dumps(paths))).replace(
            "SESSION", repr(f["sessions"]["editor"])
        )
        out = self.manage("shell", "-c", snippet)
        self.result["cpu_us"] = json.loads(
            next(line for line in out.splitlines() if line.startswith("CPU "))[4:]
        )
        for name, figures in self.result["cpu_us"].items():
            self.log(f"CPU per {name} page: {figures['plain']} us plain, {figures['gzip']} us with gzip")
        if self.args.http_seconds <= 0:
            return
        base = self.servers["main"].base
        for path in paths:  # into the page cache first, as visitors find them
            self.fetch(base + path)
        load = load_wrk if shutil.which("wrk") else load_threads
        variants = [("plain", {}), ("gzip", {"Accept-Encoding": "gzip"})]
        for _, headers in variants:
            load(base, paths, seconds=2, clients=8, headers=headers)  # warm-up
        runs = {label: [] for label, _ in variants}
        for _ in range(self.args.http_rounds):  # alternated, so the machine's other load hits both
            for label, headers in variants:
                runs[label].append(
                    load(base, paths, seconds=self.args.http_seconds, clients=8, headers=headers)
                )
        for label, figures in runs.items():
            rps = sorted(run["rps"] for run in figures)
            self.result["rps"][label] = {
                "median_rps": rps[len(rps) // 2],
                "runs_rps": rps,
                "p50_ms": sorted(run["p50_ms"] for run in figures)[len(rps) // 2],
                "tool": figures[0]["tool"],
            }
            self.log(f"cached pages, {label:5}: {rps} req/s ({figures[0]['tool']}, 8 clients)")

    # -- report -------------------------------------------------------------------------------
    def report(self):
        lines = []
        lh = self.result["lighthouse"]
        if lh:
            lines.append(f"{'page':18} {'mobile P/A/BP/SEO':>20} {'desktop P/A/BP/SEO':>20}")
            for name, forms in lh.items():
                cells = []
                for form in ("mobile", "desktop"):
                    s = forms.get(form)
                    cells.append("-" if s is None else "/".join(str(s[c]) for c in CATEGORIES))
                lines.append(f"{name:18} {cells[0]:>20} {cells[1]:>20}")
                for form, s in forms.items():
                    if s and len(s["performance_runs"]) > 1:
                        lines.append(f"{'':18}   {form}: performance of each run {s['performance_runs']}")
                    if s and s["below_100"]:
                        lines.append(f"{'':18}   {form}: under 100 on {', '.join(s['below_100'])}")
            for name, forms in lh.items():
                for form, s in forms.items():
                    need = CATEGORIES if name in FULL else ["accessibility"]
                    ok = (
                        s is not None
                        and s["status"] == s["expected_status"]
                        and all(s[c] == 100 for c in need)
                    )
                    self.result["met"][f"lighthouse:{name}:{form}"] = ok
                    if not ok:
                        self.failed.append(f"Lighthouse {name} {form}: {s and {c: s[c] for c in need}}")
        if self.result["nu"]:
            total = sum(self.result["nu"].values())
            lines.append(f"Nu HTML checker: {total} error(s) on {len(self.result['nu'])} pages")
            self.result["met"]["nu"] = total == 0
            if total:
                self.failed.append(f"Nu HTML checker: {total} error(s)")
        for name, sizes in self.result["gzip"].items():
            lines.append(f"gzip {name:8} {sizes['plain']:7,} -> {sizes['gzip']:6,} bytes")
        for name, figures in self.result.get("cpu_us", {}).items():
            lines.append(f"CPU per {name} page: {figures['plain']} us plain, {figures['gzip']} us gzip")
        for label, figures in self.result["rps"].items():
            lines.append(
                f"cached pages, {label:5}: median {figures['median_rps']} req/s of {figures['runs_rps']} "
                f"(p50 {figures['p50_ms']} ms)"
            )
        print("\n".join(lines))
        if self.failed:
            print("NOT met:\n  " + "\n  ".join(self.failed))
        else:
            print("Every target met.")
        print(json.dumps(self.result))

    def run(self):
        only = set(self.args.only.split(","))
        self.tools()
        self.site()
        self.start()
        try:
            pages = self.pages()
            if "nu" in only:
                self.nu(pages)
            if "gzip" in only:
                self.compression(pages)
            if "lighthouse" in only:
                self.lighthouse(pages)
        finally:
            self.stop()
        self.report()
        return 1 if self.failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(BENCH / "out" / "audit"), help="work folder (emptied first)")
    parser.add_argument("--only", default="lighthouse,nu,gzip", help="any of lighthouse,nu,gzip")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--form-factors", default="mobile,desktop", help="Lighthouse: mobile,desktop")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and form (median)")
    parser.add_argument("--http-seconds", type=float, default=5, help="load per run; 0 skips the load")
    parser.add_argument("--http-rounds", type=int, default=3, help="runs of each variant, alternated")
    return Audit(parser.parse_args(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
