from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "archive.backup"
    label = "archive_backup"
