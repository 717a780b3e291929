from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "archive.security"
    label = "archive_security"
