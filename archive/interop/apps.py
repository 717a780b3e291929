from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "archive.interop"
    label = "archive_interop"
