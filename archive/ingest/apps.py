from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "archive.ingest"
    label = "archive_ingest"
