"""Report how the search index differs from the database and whether its files are whole, and
repair it with --repair."""

import json

from django.core.management.base import BaseCommand, CommandError

from archive.search import indexing

DIFFERENCES = ("missing", "stale", "orphaned")
# Exit status when the index needs more than --repair of documents: damaged files (until
# --repair rebuilt it) or an index that cannot be written (a full disk, a read-only folder).
EXIT_NEEDS_ATTENTION = 2


class Command(BaseCommand):
    help = (
        "Compare the search index with the database (missing, stale and orphaned documents), check "
        "its files against the sizes and checksums their commits recorded, and check that it can "
        "be written. --repair rewrites what differs, or rebuilds the index aside and swaps it in "
        "when its files are damaged; --json prints the report as JSON. Exits 2 while the index is "
        "damaged or cannot be written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Fix every difference found.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, repair=False, json=False, **options):
        report = indexing.health()
        damaged = list(report["damaged"])
        fixed = sum(len(report[key]) for key in DIFFERENCES)
        if repair:
            report = indexing.repair(report)
        if json:
            self.stdout.write(_dumps(report))
        elif options["verbosity"]:
            self._describe(report, repaired=repair, damaged_before=damaged, fixed=fixed)
        if report["damaged"] or report["problems"]:
            raise CommandError(
                " ".join(report["damaged"] + report["problems"]) if json else "The index needs attention.",
                returncode=EXIT_NEEDS_ATTENTION,
            )

    def _describe(self, report, *, repaired, damaged_before, fixed):
        index = "unreadable" if report["index"] is None else report["index"]
        self.stdout.write(
            f"Database: {report['database']} published articles (scheduled ones included); "
            f"index: {index} documents; queued updates: {report['pending']}."
        )
        if report["damaged"]:
            self.stderr.write("The index is damaged; search answers 503 until it is rebuilt:")
            for line in report["damaged"]:
                self.stderr.write(f"  {line}")
            self.stderr.write("Run manage.py check_index --repair: it rebuilds the index aside and swaps.")
        else:
            for key in DIFFERENCES:
                ids = report[key]
                line = f"{key}: {len(ids)}" + (
                    f" ({', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''})" if ids else ""
                )
                self.stdout.write(line)
        for line in report["problems"]:
            self.stderr.write(line)
        if repaired and damaged_before and not report["damaged"]:
            self.stdout.write(
                self.style.SUCCESS(
                    "Rebuilt the index from the database (its files were damaged: "
                    f"{' '.join(damaged_before)}); it now holds {report['index']} documents."
                )
            )
        elif repaired and not report["damaged"]:
            self.stdout.write(self.style.SUCCESS(f"Repaired {fixed} document(s)."))
        elif report["damaged"]:
            pass
        elif any(report[key] for key in DIFFERENCES):
            self.stdout.write(self.style.WARNING("The index differs from the database; run with --repair."))
        elif not report["problems"]:
            self.stdout.write(self.style.SUCCESS("The index is in step with the database."))


def _dumps(report):
    keys = ("database", "index", *DIFFERENCES, "damaged", "pending", "pending_since", "problems")
    return json.dumps({key: report[key] for key in keys})
