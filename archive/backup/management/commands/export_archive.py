"""`manage.py export_archive DIR`: write the whole archive (drafts, authors, keywords, files) to DIR."""

from django.core.management.base import BaseCommand, CommandError

from archive.backup.services import BackupError, archive_export


class Command(BaseCommand):
    help = (
        "Export every article (drafts included) as archive JSON, plus authors' bios, keywords and the "
        "uploaded original files, into a new or empty folder. Restore with import_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new or empty folder")

    def handle(self, *args, directory, verbosity, **options):
        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"\r  {done}/{total} articles", ending="")

        try:
            counts = archive_export(directory=directory, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 2:
            self.stdout.write("")
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Exported {counts['articles']} articles, {counts['authors']} authors, "
                    f"{counts['keywords']} keywords and {counts['files']} files to {directory}."
                )
            )
