"""How fast hostile zips are refused (issue 15): a zip of N tiny entries and a zip holding a
symbolic link, through `check_zip` in-process and through `import_articles` end to end.

    .venv/bin/python bench/zip_refusal.py [--entries 100000] [--repeats 5]

Prints the median of `--repeats` runs of: counting the entries from the end record
(`zip_entry_count`, what `check_zip` does first), parsing every entry the way the check did
before (`zipfile.ZipFile(...).infolist()`), `check_zip` itself, and `manage.py import_articles
FILE --json` as a whole process (interpreter and Django start included).
"""

import argparse
import json
import os
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def many_entries_zip(path, count):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"p{n}.txt", b"x")
    return path


def symlink_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("piece.txt", "A real piece\n\nIts body.\n")
        link = zipfile.ZipInfo("notes/passwd.txt")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


def median_ms(function, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import io

    import django

    django.setup()
    from archive.ingest.draft import ExtractionError
    from archive.ingest.files import Limits, check_zip, zip_entry_count

    limits = Limits()
    with tempfile.TemporaryDirectory() as folder:
        many = many_entries_zip(Path(folder) / "many.zip", args.entries)
        links = symlink_zip(Path(folder) / "links.zip")
        data = many.read_bytes()

        def refuse(payload, name):
            try:
                check_zip(payload, filename=name, limits=limits)
            except ExtractionError as error:
                return str(error)
            raise SystemExit(f"{name} was not refused")

        figures = {
            "zip_bytes": len(data),
            "entries": args.entries,
            "count_from_end_record_ms": median_ms(lambda: zip_entry_count(data), args.repeats),
            "parse_every_entry_ms": median_ms(
                lambda: zipfile.ZipFile(io.BytesIO(data)).infolist(), args.repeats
            ),
            "check_zip_many_ms": median_ms(lambda: refuse(data, "many.zip"), args.repeats),
            "check_zip_symlink_ms": median_ms(lambda: refuse(links.read_bytes(), "links.zip"), args.repeats),
            "message_many": refuse(data, "many.zip"),
            "message_symlink": refuse(links.read_bytes(), "links.zip"),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_"))}
        env["DATABASE_URL"] = f"sqlite:///{folder}/db.sqlite3"
        env["ARCHIVE_INDEX_DIR"] = f"{folder}/index"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
        for key, path in (("import_many", many), ("import_symlink", links)):
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "manage.py", "import_articles", str(path), "--json"],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            figures[f"{key}_s"] = round(time.perf_counter() - started, 2)
            figures[f"{key}_statuses"] = [entry["status"] for entry in json.loads(out)]
    for key, value in figures.items():
        print(f"{key:28} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
