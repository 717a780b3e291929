"""Report how the search index differs from the database, and repair it with --repair."""

import json

from django.core.management.base import BaseCommand

from archive.search import indexing


class Command(BaseCommand):
    help = (
        "Compare the search index with the database: missing, stale and orphaned documents. "
        "--repair rewrites them (building the index if there is none); --json prints the report."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Fix every difference found.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, repair=False, json=False, **options):
        report = indexing.compare()
        if repair:
            fixed = len(report["missing"]) + len(report["stale"]) + len(report["orphaned"])
            report = indexing.repair(report)
        if json:
            self.stdout.write(_dumps(report))
            return
        verbosity = options["verbosity"]
        if verbosity:
            self.stdout.write(
                f"Database: {report['database']} published articles (scheduled ones included); "
                f"index: {report['index']} documents."
            )
            for key in ("missing", "stale", "orphaned"):
                ids = report[key]
                line = f"{key}: {len(ids)}" + (
                    f" ({', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''})" if ids else ""
                )
                self.stdout.write(line)
            if repair:
                self.stdout.write(self.style.SUCCESS(f"Repaired {fixed} document(s)."))
            elif any(report[key] for key in ("missing", "stale", "orphaned")):
                self.stdout.write(
                    self.style.WARNING("The index differs from the database; run with --repair.")
                )
            else:
                self.stdout.write(self.style.SUCCESS("The index is in step with the database."))


def _dumps(report):
    return json.dumps({key: report[key] for key in ("database", "index", "missing", "stale", "orphaned")})
