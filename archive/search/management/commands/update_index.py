"""Bring the search index in step with the database (pending updates, then any drift)."""

from django.core.management.base import BaseCommand

from archive.search import indexing


class Command(BaseCommand):
    help = "Apply queued index updates and repair any drift (the same as check_index --repair)."

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_true", help="Accepted; never prompts.")

    def handle(self, *args, **options):
        applied = indexing.process_queue(wait=True)
        report = indexing.repair()
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Applied {applied} queued update(s); index holds {report['index']} documents."
                )
            )
