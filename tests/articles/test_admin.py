"""The editors' admin, driven through Django's test client as an editor would use it."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from archive.articles.models import Article, Author, Authorship, Keyword
from archive.articles.signals import articles_changed

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
ADD = "/admin/articles/article/add/"


@pytest.fixture
def announced():
    """Every `articles_changed` the domain sends during the test (a real receiver, not a mock)."""
    seen = []

    def receiver(sender, article_ids, **kwargs):
        seen.append(set(article_ids))

    articles_changed.connect(receiver, weak=False, dispatch_uid="test-announced")
    yield seen
    articles_changed.disconnect(dispatch_uid="test-announced")


@pytest.fixture
def shelf(make_article, today):
    return {
        "iraq": make_article(
            "Iraq and the New Russian Policy",
            authors=[("Ali Akbar Asadi", "PhD Candidate"), "Second Writer"],
            keywords=["Iraq", "Russia"],
            date=datetime.date(2012, 10, 25),
            doi="10.1234/ir.2012.7",
        ),
        "tehran": make_article(
            "تهران و بغداد",
            authors=["Ali Akbar Asadi"],
            keywords=["Iraq"],
            date=datetime.date(2013, 2, 1),
            language="fa",
            kind="paper",
        ),
        "draft": make_article("Draft on Gulf security", authors=["Someone Else"], status="draft"),
        "future": make_article("Future piece", date=today + datetime.timedelta(days=30)),
    }


def result_titles(response):
    return sorted(article.title for article in response.context["cl"].result_list)


def article_data(*, authors=(), keywords=(), existing=(), **fields):
    """POST data for the article add/change form; `authors` are (author, position) pairs."""
    data = {
        "title": "A new piece",
        "subtitle": "",
        "slug": "",
        "status": "draft",
        "date": "2024-01-02",
        "kind": "commentary",
        "language": "en",
        "abstract": "",
        "body": "",
        "keywords": [k.pk for k in keywords],
        "source_name": "",
        "source_volume": "",
        "source_issue": "",
        "source_pages": "",
        "doi": "",
        "source_url": "",
        "authorships-TOTAL_FORMS": str(len(existing) + len(authors)),
        "authorships-INITIAL_FORMS": str(len(existing)),
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
        # No titles or abstracts in other languages.
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "translations-MIN_NUM_FORMS": "0",
        "translations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    rows = [*existing, *[(None, author, position) for author, position in authors]]
    for i, (authorship, author, position) in enumerate(rows):
        data[f"authorships-{i}-author"] = str(author.pk)
        data[f"authorships-{i}-position"] = str(position)
        if authorship is not None:
            data[f"authorships-{i}-id"] = str(authorship.pk)
            data[f"authorships-{i}-article"] = str(authorship.article_id)
    return data


def byline(article):
    return [a.name for a in Article.objects.get(pk=article.pk).ordered_authors]


# --- Changelist ------------------------------------------------------------------------------


def test_changelist_lists_everything_with_authors_and_preview_links(staff_client, shelf):
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    assert result_titles(response) == sorted(a.title for a in shelf.values())
    html = response.content.decode()
    assert "Ali Akbar Asadi, Second Writer" in html
    assert reverse("admin:articles_article_preview", args=[shelf["draft"].pk]) in html
    assert reverse("admin:articles_article_preview", args=[shelf["future"].pk]) in html
    assert reverse("admin:articles_article_preview", args=[shelf["iraq"].pk]) not in html
    assert f'href="{shelf["iraq"].get_absolute_url()}"' in html
    future = shelf["future"].date
    assert "(draft)" in html
    assert f"(from {future.day} {future:%B %Y})" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=draft", ["Draft on Gulf security"]),
        ("kind__exact=paper", ["تهران و بغداد"]),
        ("language__exact=fa", ["تهران و بغداد"]),
        ("year=2012", ["Iraq and the New Russian Policy"]),
        ("date__year=2013", ["تهران و بغداد"]),
        ("q=Asadi", ["Iraq and the New Russian Policy", "تهران و بغداد"]),
        ("q=russia", ["Iraq and the New Russian Policy"]),
        ("q=10.1234/ir", ["Iraq and the New Russian Policy"]),
        ("q=Gulf", ["Draft on Gulf security"]),
        ("q=iraq&language__exact=en", ["Iraq and the New Russian Policy"]),
    ],
)
def test_changelist_filters_and_search(staff_client, shelf, query, expected):
    response = staff_client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert result_titles(response) == sorted(expected)


def test_year_filter_offers_the_years_there_are(staff_client, shelf, today):
    response = staff_client.get(CHANGELIST)
    year_filter = next(
        f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", None) == "year"
    )
    offered = [value for value, _ in year_filter.lookup_choices]
    expected_years = {"2012", "2013", "2020", str((today + datetime.timedelta(days=30)).year)}
    assert offered == sorted(expected_years, reverse=True)


def test_changelist_query_count_does_not_grow(staff_client, make_article, count_queries):
    def add(start, n):
        for i in range(start, start + n):
            make_article(f"Row {i}", authors=[f"Writer {i}", "Common"], keywords=[f"K{i}"])

    add(0, 3)
    few = count_queries(staff_client, CHANGELIST)
    add(3, 27)
    many = count_queries(staff_client, CHANGELIST)
    assert few == many


# --- Add and edit with ordered authors ---------------------------------------------------------


def test_add_article_with_authors_in_the_order_given(staff_client, shelf, announced):
    asadi, second = Author.objects.get(name="Ali Akbar Asadi"), Author.objects.get(name="Second Writer")
    iraq = Keyword.objects.get(name="Iraq")
    response = staff_client.post(
        ADD,
        article_data(
            title="Russia in Iraq",
            body="<p>One.</p><p>Two.</p>",
            authors=[(second, 2), (asadi, 1)],
            keywords=[iraq],
            source_url="https://example.org/russia-in-iraq",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(title="Russia in Iraq")
    assert article.slug == "russia-in-iraq"
    assert byline(article) == ["Ali Akbar Asadi", "Second Writer"]
    assert list(article.authorships.values_list("position", flat=True)) == [0, 1]
    assert [k.name for k in article.keywords.all()] == ["Iraq"]
    assert article.body == "<p>One.</p><p>Two.</p>"


def test_edit_reorders_adds_and_removes_authors(staff_client, shelf):
    article = shelf["iraq"]
    first, second = article.authorships.order_by("position")
    newcomer = Author.objects.get(name="Someone Else")
    data = article_data(
        title=article.title,
        slug=article.slug,
        status="published",
        date="2012-10-25",
        keywords=list(article.keywords.all()),
        existing=[(first, first.author, 5), (second, second.author, 1)],
        authors=[(newcomer, 3)],
    )
    response = staff_client.post(f"{CHANGELIST}{article.pk}/change/", data)
    assert response.status_code == 302
    assert byline(article) == ["Second Writer", "Someone Else", "Ali Akbar Asadi"]

    first, second, third = Article.objects.get(pk=article.pk).authorships.all()
    data = article_data(
        title=article.title,
        slug=article.slug,
        status="published",
        date="2012-10-25",
        existing=[(first, first.author, 0), (second, second.author, 1), (third, third.author, 2)],
    )
    data["authorships-1-DELETE"] = "on"
    response = staff_client.post(f"{CHANGELIST}{article.pk}/change/", data)
    assert response.status_code == 302
    assert byline(article) == ["Second Writer", "Ali Akbar Asadi"]
    assert list(Authorship.objects.filter(article=article).values_list("position", flat=True)) == [0, 1]


def test_the_same_author_twice_is_a_form_error(staff_client, shelf):
    asadi = Author.objects.get(name="Ali Akbar Asadi")
    response = staff_client.post(ADD, article_data(title="Twice", authors=[(asadi, 0), (asadi, 1)]))
    assert response.status_code == 200
    assert not Article.objects.filter(title="Twice").exists()
    assert "Please correct the duplicate data for author." in response.content.decode()


def test_change_form_shows_preview_link_for_a_draft(staff_client, shelf):
    draft = shelf["draft"]
    response = staff_client.get(f"{CHANGELIST}{draft.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    preview = reverse("admin:articles_article_preview", args=[draft.pk])
    assert f'href="{preview}"' in html  # both the field and "View on site"
    assert html.count('data-ajax--url="/admin/autocomplete/"') >= 2  # keywords and the author inline
    assert 'name="authorships-0-position"' in html
    assert "Someone Else" in html


def test_autocomplete_returns_authors_and_keywords(staff_client, shelf):
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "authorship", "field_name": "author", "term": "asa"},
    )
    assert response.status_code == 200
    asadi = Author.objects.get(name="Ali Akbar Asadi")
    assert response.json()["results"] == [{"id": str(asadi.pk), "text": "Ali Akbar Asadi"}]

    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "keywords", "term": "ru"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Russia"]


def test_autocomplete_is_for_staff_only(client, shelf):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "authorship", "field_name": "author", "term": "asa"},
    )
    assert response.status_code == 302


# --- Bulk publish / unpublish ------------------------------------------------------------------


def test_bulk_publish_and_unpublish(
    staff_client, shelf, announced, client, django_capture_on_commit_callbacks
):
    draft, iraq = shelf["draft"], shelf["iraq"]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            CHANGELIST, {"action": "publish", "_selected_action": [draft.pk, iraq.pk]}, follow=True
        )
    assert response.status_code == 200
    assert "Published 1 article." in [str(m) for m in get_messages(response.wsgi_request)]
    assert Article.objects.get(pk=draft.pk).status == "published"
    assert announced == [{draft.pk}]
    assert client.get(draft.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk, iraq.pk]})
    assert set(Article.objects.filter(pk__in=[draft.pk, iraq.pk]).values_list("status", flat=True)) == {
        "draft"
    }
    assert announced[-1] == {draft.pk, iraq.pk}
    assert client.get(iraq.get_absolute_url()).status_code == 404


# --- Merging authors and keywords --------------------------------------------------------------


def test_merging_authors_keeps_every_article_link(
    staff_client, make_article, announced, django_capture_on_commit_callbacks
):
    one = make_article("One", authors=["A. A. Asadi", "Co Writer"])
    two = make_article("Two", authors=["Co Writer", "Ali Akbar Asadi"])
    three = make_article("Three", authors=["Ali Asadi"])
    both = make_article("Both", authors=["Ali Akbar Asadi", "A. A. Asadi"])
    variants = Author.objects.filter(name__in=["A. A. Asadi", "Ali Akbar Asadi", "Ali Asadi"])
    keep = Author.objects.get(name="Ali Akbar Asadi")
    selected = {"action": "merge_selected", "_selected_action": [a.pk for a in variants]}

    confirm = staff_client.post("/admin/articles/author/", selected)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    for name in ("A. A. Asadi", "Ali Akbar Asadi", "Ali Asadi"):
        assert name in html
    assert Author.objects.count() == 4  # nothing merged yet

    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post("/admin/articles/author/", {**selected, "post": "yes", "keep": keep.pk})
    assert done.status_code == 302
    assert sorted(Author.objects.values_list("name", flat=True)) == ["Ali Akbar Asadi", "Co Writer"]
    assert byline(one) == ["Ali Akbar Asadi", "Co Writer"]
    assert byline(two) == ["Co Writer", "Ali Akbar Asadi"]
    assert byline(three) == ["Ali Akbar Asadi"]
    assert byline(both) == ["Ali Akbar Asadi"]
    assert sorted(keep.articles.values_list("title", flat=True)) == ["Both", "One", "Three", "Two"]
    assert set().union(*announced) == {one.pk, three.pk, both.pk}  # "Two" had the kept record already


def test_merging_keywords_keeps_every_article_link(staff_client, make_article):
    one = make_article("One", keywords=["Persian Gulf", "Oil"])
    two = make_article("Two", keywords=["Gulf, Persian"])
    three = make_article("Three", keywords=["Persian Gulf", "Gulf, Persian"])
    variants = Keyword.objects.filter(name__in=["Persian Gulf", "Gulf, Persian"])
    keep = Keyword.objects.get(name="Persian Gulf")
    selected = {"action": "merge_selected", "_selected_action": [k.pk for k in variants]}
    assert staff_client.post("/admin/articles/keyword/", selected).status_code == 200
    response = staff_client.post("/admin/articles/keyword/", {**selected, "post": "yes", "keep": keep.pk})
    assert response.status_code == 302
    assert sorted(Keyword.objects.values_list("name", flat=True)) == ["Oil", "Persian Gulf"]
    assert sorted(keep.articles.values_list("title", flat=True)) == ["One", "Three", "Two"]
    assert [k.name for k in one.keywords.all()] == ["Oil", "Persian Gulf"]
    assert [k.name for k in two.keywords.all()] == ["Persian Gulf"]
    assert [k.name for k in three.keywords.all()] == ["Persian Gulf"]


def test_merge_needs_two_and_a_valid_choice(staff_client, make_article):
    make_article("One", keywords=["Alpha", "Beta"])
    alpha, beta = Keyword.objects.order_by("name")
    response = staff_client.post(
        "/admin/articles/keyword/", {"action": "merge_selected", "_selected_action": [alpha.pk]}, follow=True
    )
    assert "Select two or more keywords to merge." in [str(m) for m in get_messages(response.wsgi_request)]
    other = Keyword.objects.create(name="Gamma", slug="gamma")
    response = staff_client.post(
        "/admin/articles/keyword/",
        {
            "action": "merge_selected",
            "_selected_action": [alpha.pk, beta.pk],
            "post": "yes",
            "keep": other.pk,
        },
    )
    assert response.status_code == 200  # the confirmation page again: Gamma was not selected
    assert Keyword.objects.count() == 3


# --- Author and keyword admins ---------------------------------------------------------------


def test_author_and_keyword_changelists_show_article_counts(staff_client, shelf):
    authors = staff_client.get("/admin/articles/author/")
    assert authors.status_code == 200
    counts = {a.name: a.article_count for a in authors.context["cl"].result_list}
    assert counts == {"Ali Akbar Asadi": 2, "Second Writer": 1, "Someone Else": 1}
    keywords = staff_client.get("/admin/articles/keyword/?q=ira")
    assert {k.name: k.article_count for k in keywords.context["cl"].result_list} == {"Iraq": 2}


def test_renaming_an_author_announces_their_articles(
    staff_client, shelf, announced, django_capture_on_commit_callbacks
):
    asadi = Author.objects.get(name="Ali Akbar Asadi")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/articles/author/{asadi.pk}/change/",
            {"name": "Ali-Akbar <b>Asadi</b>", "slug": asadi.slug, "affiliation": "PhD", "bio": ""},
        )
    assert response.status_code == 302
    asadi.refresh_from_db()
    assert (asadi.name, asadi.affiliation) == ("Ali-Akbar Asadi", "PhD")
    assert announced == [{shelf["iraq"].pk, shelf["tehran"].pk}]


def test_new_author_and_keyword_get_slugs(staff_client, db):
    response = staff_client.post(
        "/admin/articles/author/add/", {"name": "Mahmoud Vaezi", "slug": "", "affiliation": "", "bio": ""}
    )
    assert response.status_code == 302
    assert Author.objects.get(name="Mahmoud Vaezi").slug == "mahmoud-vaezi"
    response = staff_client.post("/admin/articles/keyword/add/", {"name": "خلیج فارس", "slug": ""})
    assert response.status_code == 302
    assert Keyword.objects.get(name="خلیج فارس").slug == "خلیج-فارس"


def test_renaming_a_keyword_announces_and_refuses_a_case_variant(
    staff_client, shelf, announced, django_capture_on_commit_callbacks
):
    iraq, russia = Keyword.objects.get(name="Iraq"), Keyword.objects.get(name="Russia")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/articles/keyword/{iraq.pk}/change/", {"name": "Iraq (country)", "slug": "iraq"}
        )
    assert response.status_code == 302
    assert Keyword.objects.get(pk=iraq.pk).name == "Iraq (country)"
    assert announced == [{shelf["iraq"].pk, shelf["tehran"].pk}]

    response = staff_client.post(
        f"/admin/articles/keyword/{russia.pk}/change/", {"name": "IRAQ (Country)", "slug": "russia"}
    )
    assert response.status_code == 200
    assert "The keyword “Iraq (country)” already exists" in response.content.decode()
    assert Keyword.objects.get(pk=russia.pk).name == "Russia"


def test_deleting_a_keyword_announces_its_articles(
    staff_client, shelf, announced, django_capture_on_commit_callbacks
):
    russia = Keyword.objects.get(name="Russia")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/articles/keyword/{russia.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Keyword.objects.filter(name="Russia").exists()
    assert announced == [{shelf["iraq"].pk}]

    iraq = Keyword.objects.get(name="Iraq")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/articles/keyword/",
            {"action": "delete_selected", "_selected_action": [iraq.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Keyword.objects.exists()
    assert announced[-1] == {shelf["iraq"].pk, shelf["tehran"].pk}


# --- Preview -----------------------------------------------------------------------------------


def test_staff_preview_renders_drafts_and_future_pieces_marked(staff_client, shelf):
    for key, marker in [("draft", "this draft is not published"), ("future", "this piece is hidden until")]:
        article = shelf[key]
        response = staff_client.get(reverse("admin:articles_article_preview", args=[article.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<title>{article.title} · The Archive</title>" in html
        assert "Preview: " + marker in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"]
        # The public URL stays a 404, even for the logged-in editor.
        assert staff_client.get(article.get_absolute_url()).status_code == 404


def test_preview_is_for_staff_only(client, django_user_model, shelf):
    url = reverse("admin:articles_article_preview", args=[shelf["draft"].pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    reader = django_user_model.objects.create_user("reader", password=None)
    client.force_login(reader)
    assert client.get(url).status_code == 302  # not staff: back to the login page

    staff = django_user_model.objects.create_user("clerk", password=None, is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff, but may not view articles
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:articles_article_preview", args=[999999])).status_code == 404


# --- Sanitising --------------------------------------------------------------------------------


def test_admin_form_sanitises_content(staff_client, db):
    response = staff_client.post(
        ADD,
        article_data(
            title="<b>Bold</b> title<script>alert(1)</script>",
            subtitle="<i>a</i> subtitle",
            abstract="First <em>part</em>.\n\nSecond <script>x()</script>part.",
            body='<p onclick="x()">Text<script>alert(1)</script></p><a href="javascript:alert(1)">link</a>',
            source_name="<b>Iran</b> Review",
            doi="https://doi.org/10.1234/abc",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.title == "Bold title"
    assert article.subtitle == "a subtitle"
    assert article.abstract == "First part.\n\nSecond part."
    assert article.body == '<p>Text</p><a rel="nofollow noopener noreferrer">link</a>'
    assert article.source_name == "Iran Review"
    assert article.doi == "10.1234/abc"
    assert article.slug == "bold-title"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"source_url": "javascript:alert(1)"}, "source_url", "Enter a valid URL."),
        ({"source_url": "ftp://example.org/a.pdf"}, "source_url", "must start with http:// or https://"),
        ({"body": "<div>" * 150 + "deep" + "</div>" * 150}, "body", "nests elements more than 100 deep"),
        ({"body": "<p>" + "x" * 2_000_001 + "</p>"}, "body", "the limit is 2,000,000"),
        ({"title": "<script>alert(1)</script>"}, "title", "The title is empty once markup is removed."),
    ],
)
def test_admin_form_refuses_what_it_cannot_store_safely(staff_client, db, fields, field, message):
    response = staff_client.post(ADD, article_data(**fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors[field]), errors
    assert not Article.objects.exists()


def test_plain_text_body_keeps_its_paragraphs(staff_client, db):
    body = "First paragraph,\nstill first.\n\nSecond: if a<b & c>d.\r\n\r\n\r\nThird."
    response = staff_client.post(ADD, article_data(title="Plain", body=body))
    assert response.status_code == 302
    assert Article.objects.get().body == (
        "<p>First paragraph,<br>still first.</p><p>Second: if a&lt;b &amp; c&gt;d.</p><p>Third.</p>"
    )


def test_author_form_sanitises_names(staff_client, db):
    response = staff_client.post(
        "/admin/articles/author/add/",
        {"name": "<img src=x onerror=alert(1)>Ali <b>Asadi</b>", "slug": "", "affiliation": "<i>PhD</i>"},
    )
    assert response.status_code == 302
    author = Author.objects.get()
    assert (author.name, author.affiliation, author.slug) == ("Ali Asadi", "PhD", "ali-asadi")
