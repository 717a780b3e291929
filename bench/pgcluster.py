"""A throw-away PostgreSQL cluster of its own, which a test or the soak may stop and restart.

`ScratchPostgres(folder)` runs `initdb` into `folder` and `pg_ctl` on 127.0.0.1 and a free port
(Debian's PostgreSQL 15 binaries in /usr/lib/postgresql/15/bin, or `ARCHIVE_PG_BIN`). As root it
runs them as the `postgres` user (initdb refuses root). Trust authentication, fsync off: the data
is scratch. Never the shared server on 5432.

    with ScratchPostgres.create() as pg:        # initdb + start
        url = pg.create_database("archive")      # postgres://postgres@127.0.0.1:PORT/archive
        pg.stop(); pg.start(); pg.restart()
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("ARCHIVE_PG_BIN") or "/usr/lib/postgresql/15/bin")


def unavailable_reason():
    """Why no scratch cluster can be made here (None when one can)."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"{PG_BIN / tool} is missing (apt-get install postgresql-15, or set ARCHIVE_PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run initdb as"
    return None


def free_tcp_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchPostgres:
    def __init__(self, folder, *, port=None):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = port or free_tcp_port()

    @classmethod
    def create(cls, *, port=None, settings=()):
        """A new cluster in a fresh folder under /tmp (readable by the postgres user), started."""
        folder = Path(tempfile.mkdtemp(prefix="archive-pg-"))
        cluster = cls(folder, port=port)
        cluster.init(settings=settings)
        cluster.start()
        return cluster

    # --- running the binaries as the right user ---

    def _run(self, *argv, check=True, timeout=120):
        command = [str(PG_BIN / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
        return result

    def init(self, *, settings=()):
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.folder}'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 100",
            *settings,
        ]
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# scratch cluster\n" + "\n".join(lines) + "\n")

    def start(self, timeout=60):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(timeout), "start")
        return self

    def stop(self, mode="fast"):
        """Stop the server (`fast`: clients are disconnected; `immediate`: as a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self, mode="fast"):
        """Stop and start again; returns the seconds the server did not answer."""
        started = time.monotonic()
        self.stop(mode)
        self.start()
        return time.monotonic() - started

    def is_running(self):
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, dbname="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql, dbname="postgres"):
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def close(self):
        """Stop the server and remove its folder."""
        if self.data.exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
