"""Remove the characters XML 1.0 forbids from every stored text (issue 15).

Before this, a title, name, keyword or body could hold a C0 control character (text pasted from a
PDF carries them) or U+FFFE/U+FFFF, and every feed showing it answered 500. New text is cleaned
on the way in (`archive.articles.text.xml_safe_text`); this repairs what is already stored, in
one transaction:

- Articles: title, subtitle, abstract, body, source fields, original file name, slug, import_ref
  (title_key made again from the clean title). Authors: name, slug, affiliation, bio. Keywords:
  name, slug. Vertical tab and form feed become a newline, the rest is removed.
- A slug that the cleaning makes equal to another row's gets -2, -3 ... (an empty one is made
  from the title or name); an import_ref that would equal another article's is cleared (the
  piece is then known by its title and first author).
- A keyword whose clean name is another keyword's in any case ("k\\x02w" and "kw") is merged
  into it: its articles are tagged with the other, and it is deleted.
- Every article whose own text changed, or whose author or keyword did, gets a new `updated_at`
  (OAI-PMH harvesters and sitemaps see it changed) and is announced with `articles_changed`, as
  a write function does: the search index queues it in this transaction and rewrites it once the
  migration commits (`check_index` would also report it stale, from its content stamp).

Only rows that hold such a character are read: the database filters them with a regular
expression (PostgreSQL cannot store U+0000 or lone surrogates at all, SQLite can store U+0000).
Reversing it does nothing (the characters are gone).
"""

import logging
import re
import unicodedata

from django.db import DatabaseError, migrations, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

log = logging.getLogger("archive.articles")

# A copy of archive.articles.text's rule, fixed as it was when this migration was written.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}
SLUG_MAX_LENGTH = 120
TITLE_KEY_LENGTH = 300

ARTICLE_TEXT = [
    "title", "subtitle", "abstract", "body", "source_name", "source_volume", "source_issue",
    "source_pages", "doi", "source_url", "original_filename",
]  # fmt: skip
AUTHOR_TEXT = ["name", "affiliation", "bio"]
KEYWORD_TEXT = ["name"]


def clean(text):
    if not text:
        return text
    return FORBIDDEN.sub(lambda match: LINE_BREAKS.get(match.group(0), ""), text)


def clean_line(text):
    """A one-line field (a name): cleaned, and its whitespace collapsed as the forms do."""
    return " ".join(clean(text).split())


def pattern(vendor):
    """The database's regular expression for a row holding a forbidden character."""
    characters = "\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
    if vendor != "postgresql":  # PostgreSQL text cannot hold U+0000 (nor take it in a pattern)
        characters = "\x00" + characters
    return f"[{characters}]"


def dirty(queryset, fields, regex):
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__regex": regex})
    return queryset.filter(condition).order_by("pk")


def unique_slug(model, wanted, *, pk, fallback):
    base = slugify(wanted or "", allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-") or fallback
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=pk).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug = base[: SLUG_MAX_LENGTH - len(suffix)] + suffix
        n += 1
    return slug


def clean_slug(model, row, *, source, fallback):
    """The row's slug without forbidden characters; made from `source` if nothing is left, and
    kept unique."""
    slug = clean(row.slug)
    if slug == row.slug:
        return slug
    slug = slugify(slug, allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-")
    if not slug or model.objects.filter(slug=slug).exclude(pk=row.pk).exists():
        return unique_slug(model, slug or source, pk=row.pk, fallback=fallback)
    return slug


def normalise_for_identity(text):
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\W_]+", " ", text.casefold())
    return " ".join(text.split())


def repair(apps, schema_editor):
    db = schema_editor.connection.alias
    regex = pattern(schema_editor.connection.vendor)
    Article = apps.get_model("articles", "Article")
    Author = apps.get_model("articles", "Author")
    Keyword = apps.get_model("articles", "Keyword")
    Authorship = apps.get_model("articles", "Authorship")
    Tag = Article.keywords.through
    changed = set()

    for article in dirty(Article.objects.using(db), [*ARTICLE_TEXT, "slug", "import_ref"], regex):
        for name in ARTICLE_TEXT:
            setattr(article, name, clean(getattr(article, name)))
        article.title = clean_line(article.title) or "Untitled"
        article.title_key = normalise_for_identity(article.title)[:TITLE_KEY_LENGTH]
        article.slug = clean_slug(Article, article, source=article.title, fallback="article")
        ref = clean(article.import_ref)
        if (
            ref != article.import_ref
            and Article.objects.filter(import_ref=ref).exclude(pk=article.pk).exists()
        ):
            ref = ""
        article.import_ref = ref
        article.save()
        changed.add(article.pk)

    for author in dirty(Author.objects.using(db), [*AUTHOR_TEXT, "slug"], regex):
        author.name = clean_line(author.name) or "Unknown author"
        author.affiliation = clean_line(author.affiliation)
        author.bio = clean(author.bio)
        author.slug = clean_slug(Author, author, source=author.name, fallback="author")
        author.save()
        changed.update(Authorship.objects.filter(author_id=author.pk).values_list("article_id", flat=True))

    for keyword in dirty(Keyword.objects.using(db), [*KEYWORD_TEXT, "slug"], regex):
        tagged = set(Tag.objects.filter(keyword_id=keyword.pk).values_list("article_id", flat=True))
        changed.update(tagged)
        name = clean_line(keyword.name).strip(" .;,")
        twin = (
            Keyword.objects.filter(name__iexact=name).exclude(pk=keyword.pk).order_by("pk").first()
            if name
            else None
        )
        if twin is not None or not name:
            # One keyword in any case: its articles take the twin (or just lose an empty tag).
            if twin is not None:
                have = set(
                    Tag.objects.filter(keyword_id=twin.pk, article_id__in=tagged).values_list(
                        "article_id", flat=True
                    )
                )
                Tag.objects.bulk_create(
                    [Tag(article_id=pk, keyword_id=twin.pk) for pk in sorted(tagged - have)]
                )
            Tag.objects.filter(keyword_id=keyword.pk).delete()
            keyword.delete()
            continue
        keyword.name = name
        keyword.slug = clean_slug(Keyword, keyword, source=name, fallback="keyword")
        keyword.save()

    if not changed:
        return
    Article.objects.using(db).filter(pk__in=changed).update(updated_at=timezone.now())
    _announce(changed, db)
    log.info("Removed characters XML 1.0 forbids from %d article(s) and their authors/keywords", len(changed))


def _announce(article_ids, db):
    """`articles_changed`, as the write functions send it: listeners (the search index queue, the
    page cache, OAI-PMH tombstones) record the change in this transaction. A listener whose
    tables are not there yet (an old database migrated in one go) is skipped: `check_index`
    finds those articles stale by their content instead."""
    from archive.articles.signals import articles_changed

    try:
        with transaction.atomic(using=db):
            articles_changed.send(sender=None, article_ids=set(article_ids))
    except DatabaseError:
        log.warning("Could not queue the repaired articles for the index; run check_index --repair")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_identity_and_ocr"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop, elidable=True),
    ]
