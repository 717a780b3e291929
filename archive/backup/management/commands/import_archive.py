"""`manage.py import_archive DIR`: restore a backup made by export_archive into an empty archive."""

from django.core.management.base import BaseCommand, CommandError

from archive.backup.services import BackupError, archive_restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by export_archive into an empty archive: the same articles, slugs, "
        "authors, keywords and files. Nothing is written unless the whole backup checks out."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a folder written by export_archive")

    def handle(self, *args, directory, verbosity, **options):
        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"\r  {done}/{total} articles", ending="")

        try:
            counts = archive_restore(directory=directory, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 2:
            self.stdout.write("")
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {counts['articles']} articles, {counts['authors']} authors, "
                    f"{counts['keywords']} keywords and {counts['files']} files from {directory}. "
                    "The search index follows; `manage.py check_index --repair` confirms it."
                )
            )
