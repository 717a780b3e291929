import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from archive.articles.models import Article, Author, Authorship, Keyword, title_key
from archive.articles.services import (
    author_get_or_create,
    author_update,
    keyword_get_or_create,
    keywords_get_or_create,
    unique_slug,
)


@pytest.mark.django_db
def test_keyword_names_are_unique_ignoring_case():
    Keyword.objects.create(name="Iraq", slug="iraq")
    with pytest.raises(IntegrityError), transaction.atomic():
        Keyword.objects.create(name="iraq", slug="iraq-2")
    assert keyword_get_or_create(name="IRAQ") == (Keyword.objects.get(slug="iraq"), False)


@pytest.mark.django_db
def test_keywords_are_found_in_any_case_in_one_query_and_created_when_new(django_assert_num_queries):
    iraq = Keyword.objects.create(name="Iraq", slug="iraq")
    oil = Keyword.objects.create(name="Oil", slug="oil")
    with django_assert_num_queries(1):
        assert keywords_get_or_create(["OIL", " iraq. "]) == [oil, iraq]
    found = keywords_get_or_create(["iraq", "New  Topic", "new topic"])
    assert [k.name for k in found] == ["Iraq", "New Topic", "New Topic"]
    assert found[1] == found[2] and Keyword.objects.count() == 3


@pytest.mark.django_db
def test_an_author_is_found_in_any_case(make_article):
    author, created = author_get_or_create(name="Ali Akbar Asadi")
    assert created
    assert author_get_or_create(name="ALI  akbar asadi") == (author, False)


@pytest.mark.django_db
def test_an_author_edit_keeps_an_affiliation_filled_in_meanwhile():
    """An editor's form holds the author as it was read; an import fills the empty affiliation
    before the editor saves the bio. The bio is saved and the affiliation stays."""
    read_by_editor = author_get_or_create(name="Hana Aziz")[0]
    author_get_or_create(name="Hana Aziz", affiliation="Energy Institute")
    author_update(author=read_by_editor, bio="Writes on energy.")
    stored = Author.objects.get(pk=read_by_editor.pk)
    assert (stored.bio, stored.affiliation) == ("Writes on energy.", "Energy Institute")


@pytest.mark.django_db
def test_the_title_key_follows_the_title(make_article):
    article = make_article("Iraq\u2013Russia: a New Alignment?")
    assert article.title_key == title_key(article.title) == "iraq russia a new alignment"
    article.title = "Épreuves du pouvoir"
    article.save(update_fields=["title"])
    article.refresh_from_db()
    assert article.title_key == "epreuves du pouvoir"


@pytest.mark.django_db
def test_import_ref_is_unique_when_set(make_article):
    make_article("One", import_ref="doi:10.1/x")
    make_article("Two")
    make_article("Three")  # two empty refs are fine
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article("Four", import_ref="doi:10.1/x")


@pytest.mark.django_db
def test_published_excludes_drafts_and_future(make_article):
    today = datetime.date(2024, 5, 1)
    make_article("Visible", date=datetime.date(2024, 4, 30))
    make_article("Today", date=today)
    make_article("Draft", status="draft", date=datetime.date(2024, 1, 1))
    make_article("Future", date=datetime.date(2024, 5, 2))
    titles = set(Article.objects.published(today=today).values_list("title", flat=True))
    assert titles == {"Visible", "Today"}


@pytest.mark.django_db
def test_archive_json_export_has_the_fixed_shape(make_article):
    from archive.articles.archive_json import ARCHIVE_JSON_KEYS, article_to_archive_json

    article = make_article(
        "Iraq and Russia",
        authors=[("Ali Akbar Asadi", "PhD Candidate"), "Second Author"],
        keywords=["Iraq", "Russia"],
        date=datetime.date(2012, 10, 25),
        doi="10.1/x",
    )
    data = article_to_archive_json(Article.objects.for_listing().get(pk=article.pk))
    assert tuple(data) == ARCHIVE_JSON_KEYS
    assert data["authors"] == [
        {"name": "Ali Akbar Asadi", "affiliation": "PhD Candidate"},
        {"name": "Second Author", "affiliation": ""},
    ]
    assert data["date"] == "2012-10-25"
    assert sorted(data["keywords"]) == ["Iraq", "Russia"]
    assert data["source"]["doi"] == "10.1/x"


# --- Constraints the database keeps ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Article, Author, Keyword])
def test_slugs_are_unique(model):
    def make(name):
        fields = {"title": name, "date": datetime.date(2020, 1, 1)} if model is Article else {"name": name}
        return model.objects.create(slug="same-slug", **fields)

    make("First")
    with pytest.raises(IntegrityError), transaction.atomic():
        make("Second")


@pytest.mark.django_db
def test_an_author_appears_once_per_byline(make_article):
    article = make_article("One", authors=["Ali Akbar Asadi"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(article=article, author=Author.objects.get(), position=1)


@pytest.mark.django_db
def test_status_is_draft_or_published(make_article):
    article = make_article("One")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="archived")
    assert Article.objects.get(pk=article.pk).status == "published"


@pytest.mark.django_db
def test_an_author_with_articles_cannot_be_deleted(make_article):
    make_article("One", authors=["Ali Akbar Asadi"])
    with pytest.raises(ProtectedError):
        Author.objects.get().delete()


def test_unique_slug_appends_a_number(db):
    Keyword.objects.create(name="Iraq", slug="iraq")
    Keyword.objects.create(name="Iraq!", slug="iraq-2")
    assert unique_slug(Keyword, "IRAQ") == "iraq-3"
    assert unique_slug(Keyword, "عراق") == "عراق"
    assert unique_slug(Keyword, "!!!", fallback="keyword") == "keyword"


# --- Indexes the browse pages use ----------------------------------------------------------------


def _plan(queryset, *, ordered=False):
    if connection.vendor == "postgresql":
        # Tiny test tables make a sequential scan cheapest; ask whether an index *can* serve it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics: the plan must not depend on autovacuum's timing
            cursor.execute("SET LOCAL enable_seqscan = off")
            # A bitmap scan reads the index unordered and sorts after; ask for the ordered path.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            if ordered:
                # 20 of 30 rows: reading the small partial OAI index and sorting them may cost
                # less; ask whether an index gives the order itself, as it must at 100,000.
                cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


@pytest.fixture
def browse_rows(make_article):
    for i in range(30):
        make_article(
            f"Piece {i}",
            authors=["Common Author", f"Author {i}"],
            keywords=["Common", f"Topic {i}"],
            date=datetime.date(2020, 1 + i % 12, 1 + i % 28),
            status="published" if i % 3 else "draft",
        )


@pytest.mark.django_db
def test_published_list_reads_the_date_index_without_sorting(browse_rows):
    plan = _plan(Article.objects.published().newest_first()[:20], ordered=True)
    assert "article_public_date_idx" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
    count_plan = _plan(Article.objects.published())
    assert "article_public_date_idx" in count_plan, count_plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("listing", "table"), [("by_author", "articles_authorship"), ("tagged", "articles_article_keywords")]
)
def test_author_and_keyword_listings_use_indexes(browse_rows, listing, table):
    if listing == "by_author":
        queryset = Article.objects.published().by_author(Author.objects.get(name="Common Author"))
    else:
        queryset = Article.objects.published().tagged(Keyword.objects.get(name="Common"))
    plan = _plan(queryset.newest_first()[:20])
    assert "Seq Scan" not in plan, plan
    # The nodes that read the link table: an index (or a bitmap heap scan fed by one), never the whole table.
    if connection.vendor == "postgresql":
        table_lines = [line for line in plan.splitlines() if "Scan" in line and f" on {table}" in line]
    else:
        table_lines = [line for line in plan.splitlines() if table in line]
    assert table_lines, plan
    assert all("INDEX" in line.upper() or "Bitmap Heap Scan" in line for line in table_lines), plan


def test_long_titles_cut_to_the_same_slug_each_get_their_own(db):
    """A third title whose 120-character slug repeats got the second one's slug, and the import
    stopped on the unique constraint (CACM has such titles)."""
    from archive.articles.services import unique_slug

    title = "A very long title about the design of compilers for block structured languages " * 3
    slugs = []
    for n in range(4):
        slug = unique_slug(Article, title + str(n))
        Article.objects.create(title=title, slug=slug, date=datetime.date(2020, 1, 1))
        slugs.append(slug)
    assert len(set(slugs)) == 4
    assert all(len(slug) <= Article._meta.get_field("slug").max_length for slug in slugs)
