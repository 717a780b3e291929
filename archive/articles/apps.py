from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "archive.articles"
    verbose_name = "Articles"

    def ready(self):
        from archive.articles import pagecache

        pagecache.connect()
