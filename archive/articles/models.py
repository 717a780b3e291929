"""The archive's content: articles, their authors and keywords.

An article is public when its status is published and its date has arrived
(`Article.objects.published()`); everything public-facing starts from that queryset.
"""

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models.functions import Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.articles.text import SLUG_MAX_LENGTH, normalise_for_identity, xml_safe_text


class XmlSafeTextMixin:
    """`save()` stores no character XML 1.0 forbids in any text column (`xml_safe_text`): the
    last guard behind the forms, imports and write functions, which clean (and validate) first."""

    def strip_xml_forbidden(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    setattr(self, field.attname, xml_safe_text(value))

    def save(self, *args, **kwargs):
        self.strip_xml_forbidden()
        super().save(*args, **kwargs)


class Author(XmlSafeTextMixin, models.Model):
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, unique=True, allow_unicode=True)
    affiliation = models.CharField(
        _("affiliation"),
        max_length=500,
        blank=True,
        help_text=_('The title line under the byline, e.g. "PhD Candidate, University of …".'),
    )
    bio = models.TextField(_("bio"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="author_name_lower_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("authors:detail", kwargs={"slug": self.slug})


class Keyword(XmlSafeTextMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, unique=True, allow_unicode=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")
        ordering = ["name"]
        constraints = [
            # "iraq" and "Iraq" are one keyword.
            models.UniqueConstraint(Lower("name"), name="keyword_name_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("keywords:detail", kwargs={"slug": self.slug})


def original_upload_to(instance, filename):
    """A generated storage name: the uploaded name is never used as a path."""
    suffix = "".join(ch for ch in PurePath(filename).suffix.lower() if ch.isalnum() or ch == ".")[:10]
    return f"originals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


# The prefetches of a listing go into plain lists (`to_attr`), which the properties of `Article`
# read: prefetched into the related managers instead, Django builds a filtered queryset per piece
# and relation, which cost more than the rows themselves (a search's export of 1,000 pieces spent
# 60% of its time there).
def _translations():
    return models.Prefetch("translations", to_attr="prefetched_translations")


def _prefetched(article, name, related):
    """The list prefetched into `name`, or else the rows of manager `related` (a query)."""
    found = getattr(article, name, None)
    return list(related.all()) if found is None else found


class ArticleQuerySet(models.QuerySet):
    def published(self, *, today=None):
        """What the public may see: published, and dated today or earlier."""
        today = today or timezone.localdate()
        return self.filter(status=Article.Status.PUBLISHED, date__lte=today)

    def by_author(self, author):
        return self.filter(authorships__author=author)

    def by_any_of(self, authors):
        """Pieces by any of `authors`, each once. A subquery rather than a join and DISTINCT, which
        made the database compare whole rows, bodies included: 130 ms an article page at 100,000."""
        return self.filter(pk__in=Authorship.objects.filter(author__in=authors).values("article_id"))

    def headlines(self):
        """Only what a link to a piece shows (slug, title, date, language), not its body."""
        return self.only("id", "slug", "title", "date", "language")

    def tagged(self, keyword):
        return self.filter(keywords=keyword)

    def newest_first(self):
        return self.order_by("-date", "-id")

    def with_bylines(self):
        """Each piece's authors in byline order, in one more query (what a reading list shows);
        read them with `Article.bylines` or `Article.ordered_authors`."""
        return self.prefetch_related(
            models.Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("author").order_by("position", "id"),
                to_attr="prefetched_bylines",
            )
        )

    def for_listing(self):
        """Everything an article's record shows (authors in order, keywords, its title and abstract
        in other languages), in a fixed number of queries; read them with `Article.bylines`,
        `ordered_authors`, `keyword_list` and `translation_list`."""
        return self.with_bylines().prefetch_related(
            models.Prefetch("keywords", to_attr="prefetched_keywords"), _translations()
        )

    def with_reader_titles(self):
        """Each piece's titles in other languages, so a list can show the reader's first."""
        return self.prefetch_related(_translations())

    def with_linked_translations(self):
        """The public pieces that are the same text in another language (`Article.also_in`), in one
        more query: what an article's page, API record and OAI-PMH record name (the index does not)."""
        return self.prefetch_related(
            models.Prefetch(
                "linked_translations",
                queryset=Article.objects.published()
                .only("id", "slug", "title", "date", "language", "status")
                .order_by("language", "id"),
            )
        )


class StartOfDay(models.Func):
    """A date as the datetime of its midnight in UTC, comparable with stored datetimes.

    PostgreSQL: the date as a timestamp, read in UTC. `CAST(date AS timestamptz)` would read it in
    the session's time zone, which PostgreSQL cannot index; this form is immutable, so
    `public_datestamp()` has an index (`article_datestamp_idx`). On SQLite `datetime(date)` gives
    the same text form Django stores datetimes in, so the comparison with `updated_at` and with
    query parameters is exact.
    """

    output_field = models.DateTimeField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="datetime", **extra_context)

    def as_sql(self, compiler, connection, function=None, template=None, **extra_context):
        if function is None and template is None:
            template = "(CAST(%(expressions)s AS TIMESTAMP) AT TIME ZONE 'UTC')"
        return super().as_sql(compiler, connection, function=function, template=template, **extra_context)


def public_datestamp():
    """When a piece last changed for the public: the later of its last edit and the start of its
    publication day (a future-dated piece appears on that day). OAI-PMH and sitemaps."""
    return Greatest("updated_at", StartOfDay("date"))


TITLE_KEY_LENGTH = 300


def text_direction(language):
    """How text in `language` (a code such as "fa") runs: "rtl" or "ltr"."""
    return "rtl" if language in Article.RTL_LANGUAGES else "ltr"


class Article(XmlSafeTextMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Kind(models.TextChoices):
        COMMENTARY = "commentary", _("Commentary")
        PAPER = "paper", _("Paper")
        INTERVIEW = "interview", _("Interview")
        REPORT = "report", _("Report")
        NEWS = "news", _("News")
        REVIEW = "review", _("Review")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        PERSIAN = "fa", _("Persian")
        ARABIC = "ar", _("Arabic")
        FRENCH = "fr", _("French")
        GERMAN = "de", _("German")
        SPANISH = "es", _("Spanish")
        RUSSIAN = "ru", _("Russian")
        TURKISH = "tr", _("Turkish")
        URDU = "ur", _("Urdu")

    RTL_LANGUAGES = frozenset({"fa", "ar", "ur", "he"})

    title = models.CharField(_("title"), max_length=500)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, unique=True, allow_unicode=True)
    date = models.DateField(
        _("date"),
        db_index=True,
        help_text=_("Publication date. A future date keeps a published piece hidden until that day."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMENTARY)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    abstract = models.TextField(_("abstract"), blank=True)
    body = models.TextField(
        _("body"), blank=True, help_text=_("Sanitised HTML: paragraphs, lists, links, emphasis.")
    )
    authors = models.ManyToManyField(
        Author, through="Authorship", related_name="articles", verbose_name=_("authors")
    )
    keywords = models.ManyToManyField(
        Keyword, blank=True, related_name="articles", verbose_name=_("keywords")
    )
    # Two pieces that are the same text in two languages, linked by an editor: each page says
    # "Also in" and links the other, OAI-PMH gives each a dc:relation to the other. Symmetrical:
    # linking one piece to another links both.
    linked_translations = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        verbose_name=_("the same text in other languages"),
        help_text=_("Other pieces of the archive that are this text in another language."),
    )

    source_name = models.CharField(_("publication or journal"), max_length=300, blank=True)
    source_volume = models.CharField(_("volume"), max_length=50, blank=True)
    source_issue = models.CharField(_("issue"), max_length=50, blank=True)
    source_pages = models.CharField(_("pages"), max_length=50, blank=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True)
    source_url = models.URLField(_("original URL"), max_length=1000, blank=True)

    original_file = models.FileField(
        _("original file"), upload_to=original_upload_to, blank=True, max_length=255
    )
    original_filename = models.CharField(_("original filename"), max_length=255, blank=True)
    original_sha256 = models.CharField(_("original sha256"), max_length=64, blank=True, db_index=True)
    # The text was read from page images by OCR (a scan without a text layer): editors check it
    # more closely, and the admin says so.
    text_from_ocr = models.BooleanField(
        _("text read by OCR"),
        default=False,
        help_text=_("The file had no text layer: its text was read from the page images by OCR."),
    )

    # Identity of an imported piece (DOI, source URL, or normalised title + first author):
    # importing the same piece again finds this row and updates it instead of duplicating it
    # (archive.ingest.identity decides; the DOI and URL columns are indexed for it too).
    import_ref = models.CharField(_("import ref"), max_length=300, blank=True, default="", db_index=True)
    # What the source said at its last import, one digest per field (archive.ingest.merge): a
    # re-import changes only the fields the source changed, and never an editor's later edit.
    import_digest = models.JSONField(default=dict, blank=True, editable=False)
    # The normalised title (`normalise_for_identity`), kept by `save()`: finding a likely
    # duplicate is an index lookup, not a scan of every title.
    title_key = models.CharField(max_length=TITLE_KEY_LENGTH, blank=True, editable=False, db_index=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["import_ref"],
                condition=~models.Q(import_ref=""),
                name="article_import_ref_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]),
                name="article_status_valid",
            ),
        ]
        indexes = [
            # The browse pages: published pieces, newest first.
            models.Index(fields=["status", "-date", "-id"], name="article_public_date_idx"),
            # OAI-PMH lists published pieces by (datestamp, id), a page after a (datestamp, id).
            models.Index(
                public_datestamp(),
                models.F("id"),
                name="article_datestamp_idx",
                condition=models.Q(status="published"),
            ),
            # Identity of imported pieces (archive.ingest.identity): a DOI in any case, a URL.
            models.Index(Lower("doi"), name="article_doi_lower_idx"),
            models.Index(fields=["source_url"], name="article_source_url_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.strip_xml_forbidden()  # before the title key is made from the title
        self.title_key = title_key(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.date <= timezone.localdate()

    @property
    def text_direction(self):
        return text_direction(self.language)

    @property
    def also_in(self):
        """The public pieces that are this text in another language, by language (a link to a draft
        would be a 404); uses the prefetch of `with_linked_translations()`."""
        return [other for other in self.linked_translations.all() if other.is_public]

    def reader_translation(self, language):
        """The title and abstract in `language` when the piece has them and is in another language
        (uses the prefetch of `for_listing()` or `with_reader_titles()`)."""
        if language == self.language:
            return None
        return next((t for t in self.translation_list if t.language == language), None)

    @property
    def bylines(self):
        """Authorships in byline order, each with its author; uses the prefetch of `with_bylines()`
        or `for_listing()` when present."""
        return _prefetched(self, "prefetched_bylines", self.authorships)

    @property
    def ordered_authors(self):
        """Authors in byline order; uses the prefetch from `for_listing()` when present."""
        return [authorship.author for authorship in self.bylines]

    @property
    def keyword_list(self):
        """Keywords by name; uses the prefetch of `for_listing()` when present."""
        return _prefetched(self, "prefetched_keywords", self.keywords)

    @property
    def translation_list(self):
        """Titles and abstracts in other languages, by language; uses the prefetch of
        `for_listing()` or `with_reader_titles()` when present."""
        return _prefetched(self, "prefetched_translations", self.translations)

    @property
    def original_download_name(self):
        return self.original_filename or (
            PurePath(self.original_file.name).name if self.original_file else ""
        )


def title_key(title):
    return normalise_for_identity(title)[:TITLE_KEY_LENGTH]


class ArticleTranslation(XmlSafeTextMixin, models.Model):
    """A piece's title and abstract in another language (a Persian title on an English piece,
    and the reverse): the article page shows it first to readers of that language, search finds
    the piece by it, OAI-PMH and the exports carry it beside the original with its language."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="translations", verbose_name=_("article")
    )
    language = models.CharField(_("language"), max_length=8, choices=Article.Language.choices)
    title = models.CharField(_("title"), max_length=500)
    abstract = models.TextField(_("abstract"), blank=True)

    class Meta:
        verbose_name = _("article translation")
        verbose_name_plural = _("article translations")
        ordering = ["language", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="article_translation_unique"),
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"

    @property
    def text_direction(self):
        return text_direction(self.language)


class Authorship(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="authorships", verbose_name=_("article")
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="authorships", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("authorship")
        verbose_name_plural = _("authorships")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="authorship_unique"),
        ]

    def __str__(self):
        return f"{self.author} on {self.article}"


class ContentVersion(models.Model):
    """One row whose number goes up after every committed change to what the reading pages show
    (archive.articles.pagecache): a cached page is good while the number it was made at holds."""

    number = models.BigIntegerField(default=0)

    def __str__(self):
        return f"content version {self.number}"
