"""Every write to articles, authors and keywords goes through these functions.

The admin, the import command and the tests call the same code. Functions that change many
articles without `save()` (merges, bulk status changes) send `articles_changed` inside their
transaction, so listeners record the change atomically with it (the search index queues the
articles there and writes them after the commit).
"""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.articles.models import Article, Author, Authorship, Keyword
from archive.articles.signals import articles_changed
from archive.articles.text import make_slug, normalise_for_identity, xml_safe_text


def unique_slug(model, text, *, exclude_pk=None, fallback="item"):
    """`text` as a slug, with -2, -3 ... appended until no other row of `model` has it (a long
    slug is cut to make room for its number)."""
    base = make_slug(text, fallback=fallback)
    longest = model._meta.get_field("slug").max_length

    def numbered(n):
        return base if n == 1 else base[: longest - len(f"-{n}")] + f"-{n}"

    rows = model.objects.exclude(pk=exclude_pk)
    start = 1
    while True:
        # Exact look-ups of a batch of candidates: the slug's unique index answers them (a
        # LIKE 'base%' scanned every row on SQLite: most of an import's time at 10,000 pieces).
        candidates = [numbered(n) for n in range(start, start + SLUG_BATCH)]
        taken = set(rows.filter(slug__in=candidates).values_list("slug", flat=True))
        for slug in candidates:
            if slug not in taken:
                return slug
        start += SLUG_BATCH


SLUG_BATCH = 20


def _announce(article_ids):
    article_ids = set(article_ids)
    if article_ids:
        articles_changed.send(sender=Article, article_ids=article_ids)


# --- Authors ---------------------------------------------------------------------------------


def author_get_or_create(*, name, affiliation=""):
    """The author called `name` (case-insensitively), created if new.

    An affiliation fills an empty one but never overwrites what an editor set.
    """
    name = " ".join(xml_safe_text(name).split())
    affiliation = " ".join(xml_safe_text(affiliation).split())
    if not name:
        raise ValueError("An author needs a name.")
    author = _author_named(name)
    if author is None:
        author, created = _author_create(name=name, affiliation=affiliation.strip())
        if created:
            return author, True
    if affiliation.strip() and not author.affiliation:
        author.affiliation = affiliation.strip()
        author.save(update_fields=["affiliation", "updated_at"])
    return author, False


def author_create(*, name, affiliation=""):
    """A new author called `name`, even when another author has that name (two people can share
    one: the editor said so on the upload's check screen)."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("An author needs a name.")
    return Author.objects.create(
        name=name, affiliation=affiliation.strip(), slug=unique_slug(Author, name, fallback="author")
    )


def _author_named(name):
    # lower(name) = lower(%s), not iexact's upper(): author_name_lower_idx answers it.
    return Author.objects.annotate(lname=Lower("name")).filter(lname=name.lower()).order_by("id").first()


def _author_create(*, name, affiliation, attempts=3):
    """Create the author, unless another process creates the same name meanwhile (then that one).

    Two imports meeting a new name at once would otherwise both insert it: one fails on the
    unique slug (PostgreSQL), or a slug computed after the other's commit makes a twin "-2".
    """
    for attempt in range(attempts):
        slug = unique_slug(Author, name, fallback="author")
        # A writer that committed this name since our first look has taken its slug: use it.
        author = _author_named(name)
        if author is not None:
            return author, False
        try:
            with transaction.atomic():
                return Author.objects.create(name=name, affiliation=affiliation, slug=slug), True
        except IntegrityError:
            author = _author_named(name)
            if author is not None:
                return author, False
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def author_merge(*, source, target):
    """Move every article of `source` to `target`, then delete `source`.

    An article that had both keeps one authorship, at the earlier of the two positions.
    """
    if source.pk == target.pk:
        raise ValueError("Cannot merge an author into itself.")
    affected = set(source.authorships.values_list("article_id", flat=True))
    for authorship in source.authorships.select_related("article"):
        existing = Authorship.objects.filter(article_id=authorship.article_id, author=target).first()
        if existing:
            existing.position = min(existing.position, authorship.position)
            existing.save(update_fields=["position"])
            authorship.delete()
        else:
            authorship.author = target
            authorship.save(update_fields=["author"])
    if not target.affiliation and source.affiliation:
        target.affiliation = source.affiliation
    if not target.bio and source.bio:
        target.bio = source.bio
    target.save()
    source.delete()
    _announce(affected)
    return target


# --- Keywords --------------------------------------------------------------------------------


def _keyword_name(name):
    name = " ".join(xml_safe_text(name).split()).strip(" .;,")
    if not name:
        raise ValueError("A keyword needs a name.")
    return name


def keywords_get_or_create(names):
    """The keywords called `names` (in any case), in that order, each created if new.

    One query when they all exist (an import tags each piece with several)."""
    names = [_keyword_name(name) for name in names]
    found = {
        keyword.lname: keyword
        for keyword in Keyword.objects.annotate(lname=Lower("name")).filter(
            lname__in={name.lower() for name in names}
        )
    }
    keywords = []
    for name in names:
        keyword = found.get(name.lower())
        if keyword is None:
            keyword = found[name.lower()] = keyword_get_or_create(name=name)[0]
        keywords.append(keyword)
    return keywords


def keyword_get_or_create(*, name):
    """The keyword called `name` in any case, created if new."""
    name = _keyword_name(name)
    keyword = Keyword.objects.annotate(lname=Lower("name")).filter(lname=name.lower()).first()
    if keyword is not None:
        return keyword, False
    try:
        with transaction.atomic():
            keyword = Keyword.objects.create(name=name, slug=unique_slug(Keyword, name, fallback="keyword"))
    except IntegrityError:
        # Another writer created it between our read and our insert.
        keyword = Keyword.objects.annotate(lname=Lower("name")).get(lname=name.lower())
        return keyword, False
    return keyword, True


@transaction.atomic
def keyword_merge(*, source, target):
    """Tag every article of `source` with `target`, then delete `source`."""
    if source.pk == target.pk:
        raise ValueError("Cannot merge a keyword into itself.")
    affected = set(source.articles.values_list("pk", flat=True))
    through = Article.keywords.through
    already = set(
        through.objects.filter(keyword=target, article_id__in=affected).values_list("article_id", flat=True)
    )
    through.objects.bulk_create(
        [through(article_id=article_id, keyword=target) for article_id in affected - already]
    )
    source.delete()
    target.save()  # bumps updated_at
    _announce(affected)
    return target


@transaction.atomic
def keyword_rename(*, keyword, name):
    keyword.name = " ".join(xml_safe_text(name).split())
    keyword.save()
    affected = set(keyword.articles.values_list("pk", flat=True))
    _announce(affected)
    return keyword


@transaction.atomic
def author_update(*, author, **fields):
    """Change an author's name, affiliation or bio; the author's articles follow.

    Only the given fields are written: an affiliation an import fills in meanwhile is not put back
    to what this instance read (a lost update two processes met in the concurrency test)."""
    for name, value in fields.items():
        setattr(author, name, xml_safe_text(value) if isinstance(value, str) else value)
    author.save(update_fields=[*fields, "updated_at"])
    affected = set(author.authorships.values_list("article_id", flat=True))
    _announce(affected)
    return author


# --- Articles --------------------------------------------------------------------------------

# What `article_create` and `article_update` set directly on the row; authors, keywords and the
# original file are arguments of their own.
ARTICLE_FIELDS = frozenset(
    {
        "title", "subtitle", "slug", "date", "kind", "language", "status", "abstract", "body",
        "source_name", "source_volume", "source_issue", "source_pages", "doi", "source_url",
        "import_ref", "import_digest", "text_from_ocr",
        # A file already in storage (a restored backup); `original=` stores new bytes instead.
        "original_file", "original_filename", "original_sha256",
    }
)  # fmt: skip


@dataclass(frozen=True)
class OriginalFile:
    """The file a piece was read from, kept with it (stored under a generated name)."""

    data: bytes
    filename: str

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


def article_create(*, title, date, authors=(), keywords=(), original=None, **fields):
    """A new article, its byline (in the order given), keywords and original file, in one transaction.

    `authors` are Author rows, names, `(name, affiliation)` pairs or `{"name", "affiliation"}`
    objects (found or created by name, see `author_get_or_create`; with `"new": True`, always a new
    author); `keywords` are Keyword rows or names. The other fields are the Article's own
    (`ARTICLE_FIELDS`); an empty slug is made from the title. Content is stored as given: forms
    and the import's `clean_item` sanitise it first.
    A field that breaks the model's rules raises ValidationError naming it; a clash with a unique
    constraint (slug, `import_ref`) is the database's IntegrityError, so a concurrent import that
    saved the same piece first can be found and retried. Returns the article.
    """
    _check_fields(fields)
    article = Article(title=title, date=_as_date(date))
    return _article_write(article, fields, authors=authors, keywords=keywords, original=original)


def article_update(*, article, authors=None, keywords=None, original=None, **fields):
    """Change the given fields of `article` (and, when given, its byline, keywords and original
    file), in one transaction; what is not given stays. Same rules as `article_create`."""
    _check_fields(fields)
    if "date" in fields:
        fields["date"] = _as_date(fields["date"])
    return _article_write(article, fields, authors=authors, keywords=keywords, original=original)


def _check_fields(fields):
    unknown = sorted(set(fields) - ARTICLE_FIELDS)
    if unknown:
        allowed = ", ".join(sorted(ARTICLE_FIELDS))
        raise TypeError(f"Articles have no field {unknown[0]!r} (allowed: {allowed}).")


def _as_date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _article_write(article, fields, *, authors, keywords, original):
    stored = []  # the original's storage name once saved: removed again if the write fails
    try:
        with transaction.atomic():
            for name, value in fields.items():
                setattr(article, name, value)
            if not article.slug:
                article.slug = unique_slug(Article, article.title, exclude_pk=article.pk, fallback="article")
            if original is not None:
                _article_attach_original(article, original, stored)
            # Uniqueness is left to the database (see the docstring of article_create).
            article.full_clean(exclude=["original_file"], validate_unique=False, validate_constraints=False)
            article.save()
            if authors is not None:
                article_set_authors(article=article, authors=_authors_of(authors))
            if keywords is not None:
                article_set_keywords(article=article, keywords=_keywords_of(keywords))
    except BaseException:
        storage = Article._meta.get_field("original_file").storage
        for name in stored:
            storage.delete(name)
        raise
    return article


def _article_attach_original(article, original, stored):
    """Store `original` for `article` unless it already holds the same bytes; the file it replaces
    is deleted once the transaction commits."""
    if original.sha256 == article.original_sha256 and article.original_file:
        return
    old_name = article.original_file.name if article.pk and article.original_file else ""
    suffix = PurePath(original.filename).suffix.lower()
    article.original_file.save(f"original{suffix}", ContentFile(original.data), save=False)
    stored.append(article.original_file.name)
    article.original_filename = PurePath(original.filename).name[:255]
    article.original_sha256 = original.sha256
    if old_name:
        storage = article.original_file.storage
        transaction.on_commit(lambda: storage.delete(old_name))


def _authors_of(items):
    authors = []
    for item in items:
        if isinstance(item, Author):
            authors.append(item)
            continue
        if isinstance(item, str):
            name, affiliation = item, ""
        elif isinstance(item, dict):
            name, affiliation = item["name"], item.get("affiliation", "")
            if item.get("new"):  # a new record even if the name is taken (see author_create)
                authors.append(author_create(name=name, affiliation=affiliation or ""))
                continue
        else:
            name, affiliation = item
        authors.append(author_get_or_create(name=name, affiliation=affiliation or "")[0])
    return authors


def _keywords_of(items):
    names = [item for item in items if not isinstance(item, Keyword)]
    found = iter(keywords_get_or_create(names))
    return [item if isinstance(item, Keyword) else next(found) for item in items]


def article_set_authors(*, article, authors):
    """Replace the byline with `authors`, in that order."""
    wanted = []
    for author in authors:
        if author.pk not in {a.pk for a in wanted}:
            wanted.append(author)
    Authorship.objects.filter(article=article).exclude(author__in=wanted).delete()
    existing = {a.author_id: a for a in Authorship.objects.filter(article=article)}
    for position, author in enumerate(wanted):
        authorship = existing.get(author.pk)
        if authorship is None:
            Authorship.objects.create(article=article, author=author, position=position)
        elif authorship.position != position:
            authorship.position = position
            authorship.save(update_fields=["position"])


def article_set_keywords(*, article, keywords):
    article.keywords.set(keywords)


@transaction.atomic
def article_set_translations(*, article, translations):
    """Replace the piece's titles and abstracts in other languages with `translations`
    ([{language, title, abstract}], at most one per language, none in the piece's own)."""
    wanted = {}
    for item in translations:
        language, title = item["language"], " ".join(str(item.get("title") or "").split())
        if language == article.language or not title:
            continue
        wanted[language] = {"title": title, "abstract": str(item.get("abstract") or "").strip()}
    article.translations.exclude(language__in=wanted).delete()
    for language, fields in wanted.items():
        article.translations.update_or_create(language=language, defaults=fields)


@transaction.atomic
def article_set_linked_translations(*, article, others):
    """Link `article` with `others`, the pieces that are the same text in other languages, and
    unlink the rest. A link holds both ways. The pieces whose links changed get a new `updated_at`
    (OAI-PMH harvesters and sitemaps see them change) and are announced. The piece itself, or one
    in its own language, is a ValidationError naming it."""
    others = list(others)
    for other in others:
        if other.pk == article.pk:
            raise ValidationError(_("A piece cannot be linked to itself."), code="self")
        if other.language == article.language:
            raise ValidationError(
                _("“%(title)s” is in the same language as this piece.") % {"title": other.title},
                code="same_language",
            )
    before = set(article.linked_translations.values_list("pk", flat=True))
    article.linked_translations.set(others)
    changed = before ^ {other.pk for other in others}
    if changed:
        changed.add(article.pk)
        Article.objects.filter(pk__in=changed).update(updated_at=timezone.now())
        _announce(changed)


def article_identity(*, title, first_author_name=""):
    """The identity of a piece that has neither DOI nor URL: its normalised title and first author."""
    return f"title:{normalise_for_identity(title)}|{normalise_for_identity(first_author_name)}"[:300]


@transaction.atomic
def articles_set_status(*, articles, status):
    """Publish or unpublish many articles at once (the admin's bulk action)."""
    ids = set(articles.exclude(status=status).values_list("pk", flat=True))
    Article.objects.filter(pk__in=ids).update(status=status, updated_at=timezone.now())
    _announce(ids)
    return len(ids)


def article_renumber_authors(*, article):
    """Positions 0, 1, 2 ... in the byline's current order (position, then entry order).

    Saves each changed authorship normally, so whoever listens to `post_save` sees it.
    """
    for position, authorship in enumerate(
        Authorship.objects.filter(article=article).order_by("position", "id")
    ):
        if authorship.position != position:
            authorship.position = position
            authorship.save(update_fields=["position"])


@transaction.atomic
def authors_merge(*, sources, target):
    """Merge each of `sources` into `target` (see `author_merge`), all or nothing."""
    for source in sources:
        if source.pk != target.pk:
            author_merge(source=source, target=target)
    return target


@transaction.atomic
def keywords_merge(*, sources, target):
    """Merge each of `sources` into `target` (see `keyword_merge`), all or nothing."""
    for source in sources:
        if source.pk != target.pk:
            keyword_merge(source=source, target=target)
    return target


@transaction.atomic
def keyword_delete(*, keyword):
    """Delete a keyword; its articles lose the tag and are announced (no `m2m_changed` fires)."""
    affected = set(keyword.articles.values_list("pk", flat=True))
    keyword.delete()
    _announce(affected)
