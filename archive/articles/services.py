"""Every write to articles, authors and keywords goes through these functions.

The admin, the import command and the tests call the same code. Functions that change many
articles without `save()` (merges, bulk status changes) send `articles_changed` inside their
transaction, so listeners record the change atomically with it (the search index queues the
articles there and writes them after the commit).
"""

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from archive.articles.models import Article, Author, Authorship, Keyword
from archive.articles.signals import articles_changed
from archive.articles.text import make_slug, normalise_for_identity, xml_safe_text


def unique_slug(model, text, *, exclude_pk=None, fallback="item"):
    """`text` as a slug, with -2, -3 ... appended until no other row of `model` has it."""
    base = make_slug(text, fallback=fallback)
    taken = set(
        model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug = base[: model._meta.get_field("slug").max_length - len(suffix)] + suffix
        n += 1
    return slug


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
    """Change an author's name, affiliation or bio; the author's articles follow."""
    for name, value in fields.items():
        setattr(author, name, xml_safe_text(value) if isinstance(value, str) else value)
    author.save()
    affected = set(author.authorships.values_list("article_id", flat=True))
    _announce(affected)
    return author


# --- Articles --------------------------------------------------------------------------------


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
