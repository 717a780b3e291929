"""gunicorn with the production settings, and a load generator of 8 concurrent clients.

The load generator is Debian's `wrk` when it is installed (`apt-get install wrk`): it is light
enough to share the 2 cores with the server. Without it, a small threaded client stands in
(it costs the server some CPU, so its figures are a lower bound).
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.measure import percentile, proc_status_kb

REPO = Path(__file__).resolve().parent.parent
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}


def free_port(first=8160, last=8179):
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {first}-{last}")


def production_env(env, work):
    """The run's environment with the production settings: DEBUG off, a generated secret key."""
    env = dict(env)
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # As deployed behind a TLS proxy: the proxy redirects to https and sets
            # X-Forwarded-Proto, which every benchmark request carries.
            "DJANGO_BEHIND_PROXY": "1",
            # The per-client search rate limits would answer 429 to a load test from one address:
            # the benchmark measures what the server can serve, with the limiter off.
            "ARCHIVE_SEARCH_RATE": "0",
            "ARCHIVE_SUGGEST_RATE": "0",
        }
    )
    return env


class Gunicorn:
    def __init__(self, env, work, *, port, workers, cwd=REPO):
        """`cwd`: the checkout to serve (its gunicorn.conf.py is read from there)."""
        self.env, self.work, self.port, self.workers = env, Path(work), port, workers
        self.cwd = Path(cwd)
        self.proc = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        log = open(self.work / "gunicorn.log", "ab")  # noqa: SIM115 (closed with the process)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "archive.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                *(["--workers", str(self.workers)] if self.workers else []),  # else gunicorn.conf.py's
                "--timeout",
                "120",
                "--error-logfile",
                "-",
            ],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {self.proc.returncode}; see {self.work / 'gunicorn.log'}"
                )
            try:
                get(self.base + "/robots.txt", timeout=2)
                return self  # it answers; the status is the page's business
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s")

    def worker_pids(self):
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def worker_memory_mb(self):
        """Max over workers of RssAnon (private memory) and VmRSS (includes mapped index files)."""
        anon = [proc_status_kb(p, "RssAnon") or 0 for p in self.worker_pids()]
        rss = [proc_status_kb(p, "VmRSS") or 0 for p in self.worker_pids()]
        return {
            "rss_anon_mb": round(max(anon, default=0) / 1024, 1),
            "rss_mb": round(max(rss, default=0) / 1024, 1),
        }

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def get(url, timeout=30):
    """(status, body bytes) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


WRK_SCRIPT = """
paths = %(paths)s
headers = %(headers)s
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  io.write(string.format(
    "WRKJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"status_errors\\": %%d, " ..
    "\\"socket_errors\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, \\"p99_us\\": %%d}\\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _lua_list(paths):
    return "{" + ", ".join(json.dumps(p) for p in paths) + "}"


def _lua_table(headers):
    return "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()) + "}"


def load_wrk(base, paths, *, seconds, clients, headers):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": _lua_list(paths), "headers": _lua_table(headers)})
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON ") :])
    return {
        "tool": "wrk",
        "requests": data["requests"],
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "errors": data["status_errors"] + data["socket_errors"],
    }


def load_threads(base, paths, *, seconds, clients, headers):
    """Fallback: `clients` threads, each requesting the paths in turn until time is up."""
    host, port = base.split("//")[1].split(":")
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(offset):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        i = offset
        local = []
        while time.perf_counter() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    with lock:
                        errors[0] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(host, int(port), timeout=10)
            except OSError:
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
            local.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "tool": "python threads",
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) or 0, 1),
        "p95_ms": round(percentile(latencies, 95) or 0, 1),
        "errors": errors[0],
    }


def load_test(base, paths, *, seconds, clients=8, headers=None):
    """`clients` concurrent clients requesting `paths` in turn; `headers` are sent besides HEADERS."""
    headers = {"X-Forwarded-Proto": "https", **(headers or {})}
    if shutil.which("wrk"):
        return load_wrk(base, paths, seconds=seconds, clients=clients, headers=headers)
    return load_threads(base, paths, seconds=seconds, clients=clients, headers={**HEADERS, **headers})
