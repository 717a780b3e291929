"""A throw-away instance of the archive for tests that run real processes against it.

`ScratchSite` is a database file (SQLite in a temp folder), or a scratch PostgreSQL database when
the suite runs with a PostgreSQL DATABASE_URL, plus an index folder and a media folder of its own.
`site.manage(...)` runs `manage.py` in a fresh process against it; `site.spawn(...)` starts one
and returns the Popen. Nothing here touches the test database of the process running the tests.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]
WORKER = "tests.hardening.worker"


def _postgres_url():
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _admin(url, statement):
    """Run `statement` outside any transaction on the server of `url` (CREATE/DROP DATABASE)."""
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


class ScratchSite:
    def __init__(self, folder, *, template=None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.postgres = _postgres_url()
        if self.postgres:
            self.db_name = f"archive_hardening_scratch_{uuid.uuid4().hex[:12]}"
            parts = urlsplit(self.postgres)
            self.database_url = urlunsplit(parts._replace(path=f"/{self.db_name}"))
            clause = f' TEMPLATE "{template.db_name}"' if template else ""
            _admin(self.postgres, f'CREATE DATABASE "{self.db_name}"{clause}')
        else:
            self.db_file = self.folder / "archive.sqlite3"
            if template:
                shutil.copyfile(template.db_file, self.db_file)
            self.database_url = f"sqlite:///{self.db_file}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_", "PYTEST"))},
            "DATABASE_URL": self.database_url,
            "ARCHIVE_INDEX_DIR": str(self.folder / "index"),
            "ARCHIVE_MEDIA_DIR": str(self.folder / "media"),
            "DJANGO_SETTINGS_MODULE": "archive.settings",
            "PYTHONUNBUFFERED": "1",
        }

    def close(self):
        if self.postgres:
            _admin(self.postgres, f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def _command(self, args):
        if args and args[0] == "-m":
            return [sys.executable, *args]
        return [sys.executable, "manage.py", *args]

    def manage(self, *args, timeout=180, check=True):
        """Run `manage.py ARGS` (or `python -m MODULE ...` when args start with "-m") to completion."""
        result = subprocess.run(
            self._command(args), cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check:
            assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-4000:])
        return result

    def spawn(self, *args, **kwargs):
        return subprocess.Popen(
            self._command(args),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,
        )

    def index_report(self):
        return json.loads(self.manage("check_index", "--json").stdout)

    def dump(self):
        """The site's articles (with ordered authors and keywords), authors, keywords and queue length."""
        return json.loads(self.manage("-m", WORKER, "dump").stdout.strip().splitlines()[-1])
