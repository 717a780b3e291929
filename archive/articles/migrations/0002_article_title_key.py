from django.db import migrations, models

from archive.articles.text import normalise_for_identity


def fill_title_keys(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    batch = []
    for article in Article.objects.only("id", "title").iterator(chunk_size=2000):
        article.title_key = normalise_for_identity(article.title)[:300]
        batch.append(article)
        if len(batch) == 2000:
            Article.objects.bulk_update(batch, ["title_key"])
            batch = []
    Article.objects.bulk_update(batch, ["title_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="title_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=300),
        ),
        migrations.RunPython(fill_title_keys, migrations.RunPython.noop, elidable=True),
    ]
