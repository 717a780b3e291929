"""Mark the articles public when archive.interop is installed as exposed to harvesters."""

from django.db import migrations
from django.utils import timezone


def mark_public(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    OaiExposure = apps.get_model("archive_interop", "OaiExposure")
    public = Article.objects.filter(status="published", date__lte=timezone.localdate()).values_list("pk", flat=True)
    OaiExposure.objects.bulk_create([OaiExposure(article_id=pk) for pk in public.iterator()], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("archive_interop", "0001_tombstones"),
        ("articles", "0001_initial"),
    ]

    operations = [migrations.RunPython(mark_public, migrations.RunPython.noop)]
