"""A benchmark's work folder: its own database, index, media and cache, and the commands run in it.

`bench/run.py` (speed) and `bench/relevance.py` (ranking quality) both prepare a fresh archive this
way: SQLite in the folder, or, when DATABASE_URL names PostgreSQL, a scratch database
`<name>_<suffix>` on that server which the run creates and drops; `ARCHIVE_INDEX_DIR`,
`ARCHIVE_MEDIA_DIR` and `ARCHIVE_CACHE_DIR` in the folder; Django's `manage.py` and Python stages
run as child processes of the archive code in `code` (this checkout, or another one's, e.g. a git
worktree of an older commit), every command and its output appended to `stages.log`.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench.measure import last_json_line

REPO = Path(__file__).resolve().parent.parent

# What a fresh run clears in its folder (the static files and a lean index survive --reuse).
WORK_ITEMS = ("index", "media", "static", "db.sqlite3", "stages.log", "gunicorn.log", "lean-index", "cache")


class Workspace:
    def __init__(self, work, *, code=REPO, python=None, scratch_suffix="scratch"):
        self.work = Path(work).resolve()
        self.code = Path(code).resolve()
        self.python = python or sys.executable
        self.scratch_suffix = scratch_suffix
        self.pg_admin_url = None
        self.pg_scratch = None
        self.pg_url = None
        self.database = None
        self.env = None

    def prepare(self, *, clear=WORK_ITEMS, create_database=True):
        """Clear `clear` in the folder and set `self.env` for the children: the folder's database,
        index, media and cache, the benchmark settings, DJANGO_DEBUG unset."""
        self.work.mkdir(parents=True, exist_ok=True)
        for name in clear:
            path = self.work / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        url = os.environ.get("DATABASE_URL", "")
        env = dict(os.environ)
        if url.startswith(("postgres://", "postgresql://")):
            parsed = urlparse(url)
            base = parsed.path.lstrip("/") or "archive"
            self.pg_scratch = f"{base}_{self.scratch_suffix}"
            self.pg_admin_url = urlunparse(parsed._replace(path="/postgres"))
            self.pg_url = urlunparse(parsed._replace(path="/" + self.pg_scratch))
            if create_database:
                self.pg_admin(
                    f'DROP DATABASE IF EXISTS "{self.pg_scratch}"', f'CREATE DATABASE "{self.pg_scratch}"'
                )
            env["DATABASE_URL"] = self.pg_url
            self.database = f"postgresql ({self.pg_scratch})"
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.work / 'db.sqlite3'}"
            self.database = "sqlite"
        env.update(
            {
                "ARCHIVE_INDEX_DIR": str(self.work / "index"),
                "ARCHIVE_MEDIA_DIR": str(self.work / "media"),
                "ARCHIVE_CACHE_DIR": str(self.work / "cache"),
                "BENCH_STATIC_ROOT": str(self.work / "static"),
                "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
                "PYTHONPATH": str(self.code),
            }
        )
        env.pop("DJANGO_DEBUG", None)
        self.env = env
        return env

    def pg_admin(self, *statements):
        import psycopg2

        conn = psycopg2.connect(self.pg_admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
        conn.close()

    def drop_database(self):
        """Drop the PostgreSQL scratch database, if any; a failure is reported, never raised."""
        if not self.pg_scratch:
            return
        try:
            self.pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_scratch}" WITH (FORCE)')
        except Exception as error:  # report, never hide the figures
            print(f"could not drop {self.pg_scratch}: {error}", file=sys.stderr)

    def log_path(self):
        return self.work / "stages.log"

    def stage(self, *argv, env=None, timeout=3600):
        """Run `python ARGV` in the code's folder with the folder's environment; its last JSON line."""
        cmd = [self.python, *argv]
        proc = subprocess.run(
            cmd,
            cwd=self.code,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with self.log_path().open("a") as log:
            log.write(f"$ {' '.join(cmd)}\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}\n")
        if proc.returncode != 0:
            raise RuntimeError(
                f"stage {' '.join(argv[:3])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        return last_json_line(proc.stdout)

    def manage(self, *argv, env=None, measure=False):
        """manage.py in a child process; with measure=True also its wall time and peak RSS."""
        import time

        cmd = [self.python, "manage.py", *argv]
        start = time.perf_counter()
        with self.log_path().open("a") as log:
            log.write(f"$ {' '.join(cmd)}\n")
            log.flush()
            proc = subprocess.Popen(
                cmd, cwd=self.code, env=env or self.env, stdout=subprocess.PIPE, stderr=log
            )
            out = proc.stdout.read().decode("utf-8", "replace")
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            log.write(out[-5000:] + "\n")
        if proc.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(argv[:2])} failed ({proc.returncode}); see {self.log_path()}"
            )
        if measure:
            return out, time.perf_counter() - start, usage.ru_maxrss / 1024
        return out
