"""Import articles from files, folders, zips, archive JSON and CSV.

    python manage.py import_articles PATH [PATH ...] [--dry-run] [--json]
        [--status draft|published] [--kind KIND] [--language CODE]

Each piece is imported on its own: a bad file or item is reported as `failed` with the reason
and the others go on. Running it twice creates nothing new (`duplicate`). Exits non-zero only on
bad usage. When the search index cannot catch up at the end (the database restarting, after the
retries), the stored pieces stay queued for it, the report is still written in full, and the
summary says so.
"""

import json
import sys
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from archive.articles.models import Article
from archive.articles.signals import bulk_writes
from archive.ingest.importer import import_paths


class Command(BaseCommand):
    help = (
        "Import articles from PDF, DOCX, HTML, TXT and Markdown files, folders, zips, archive JSON and CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything; write nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as a JSON list on stdout.")
        parser.add_argument(
            "--status",
            choices=[s for s, _ in Article.Status.choices],
            default=None,
            help="Status of pieces from files, which carry none (default: draft for new pieces; a "
            "piece already in the archive keeps its status). JSON/CSV items without a status are published.",
        )
        parser.add_argument(
            "--kind", choices=[k for k, _ in Article.Kind.choices], help="Kind of pieces from files."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _ in Article.Language.choices],
            help="Language of pieces from files (default: detected from the script).",
        )

    def handle(self, *paths, **options):
        paths = options["paths"]
        if not paths:
            raise CommandError("Give at least one PATH.")
        verbosity = options["verbosity"]
        show_bar = verbosity >= 1 and sys.stderr.isatty()

        def progress(done, total, result):
            if show_bar:
                width = 30
                filled = int(width * done / total) if total else width
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                if done == total:
                    sys.stderr.write("\n")
                sys.stderr.flush()
            if verbosity >= 2 and not options["json"]:
                self.stdout.write(f"{result.status:9} {result.source}")

        # The block ends with the search index's catch-up; a failure there is reported below.
        with bulk_writes() as run:
            results = import_paths(
                paths,
                defaults={
                    "status": options["status"],
                    "kind": options["kind"],
                    "language": options["language"],
                },
                dry_run=options["dry_run"],
                progress=progress,
            )
        if options["json"]:
            self.stdout.write(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
        elif verbosity >= 1:
            for result in results:
                if result.status == "failed":
                    self.stdout.write(self.style.ERROR(f"failed    {result.source}: {result.error}"))
                elif verbosity >= 2:
                    for warning in result.warnings:
                        self.stdout.write(self.style.WARNING(f"          {result.source}: {warning}"))
        counts = Counter(r.status for r in results)
        summary = (
            f"{'Dry run: would have ' if options['dry_run'] else ''}"
            f"created {counts['created']}, updated {counts['updated']}, "
            f"skipped {counts['duplicate']} as duplicate, failed {counts['failed']} "
            f"({len(results)} piece{'s' if len(results) != 1 else ''})."
        )
        stream = self.stderr if options["json"] else self.stdout
        if verbosity >= 1:
            style = self.style.SUCCESS if not counts["failed"] else self.style.WARNING
            stream.write(style(summary))
        if run.followup_errors:
            problem = "; ".join(run.followup_errors)
            stored = counts["created"] + counts["updated"]
            kept = f"The {stored} stored pieces are" if stored != 1 else "The 1 stored piece is"
            stream.write(
                self.style.WARNING(
                    f"{problem[:1].upper()}{problem[1:]}. {kept} kept and queued for the index: "
                    "`manage.py update_index` (or the next save) applies them."
                )
            )
