"""The admin carries the archive's name, the login page has a heading, the lockout logs are for
superusers only, and the archive's admin pages tie help texts to their inputs."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse


@pytest.fixture
def superuser_client(db, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("operator", "op@example.org", None))
    return client


@pytest.fixture
def editor_client(db, django_user_model):
    """Staff with every permission on articles, authors, keywords, axes' records included."""
    editor = django_user_model.objects.create_user("editor", password="a-long-passphrase-42", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["articles", "axes"]))
    client = Client()
    client.force_login(editor)
    return client


@pytest.mark.django_db
def test_the_admin_carries_the_archive_name(superuser_client, settings):
    settings.ARCHIVE_SITE_NAME = "Caucasus Papers"
    html = superuser_client.get("/admin/").content.decode()
    assert '<div id="site-name"><a href="/admin/">Caucasus Papers</a></div>' in html
    assert "<title>Administration of Caucasus Papers | Caucasus Papers admin</title>" in html
    assert "<h1>Administration of Caucasus Papers</h1>" in html
    assert "Django administration" not in html
    assert re.search(r'<link rel="stylesheet" href="/static/css/admin[^"]*\.css">', html)


@pytest.mark.django_db
def test_the_login_page_has_a_heading(client):
    html = client.get("/admin/login/").content.decode()
    assert re.findall(r"<h1>(.*?)</h1>", html) == ["Log in"]


@pytest.mark.django_db
def test_only_superusers_see_the_lockout_logs(superuser_client, editor_client):
    paths = ["/admin/axes/accessattempt/", "/admin/axes/accesslog/", "/admin/axes/accessfailurelog/"]
    for path in paths:
        assert superuser_client.get(path).status_code == 200, path
    assert "Access attempts" in superuser_client.get("/admin/").content.decode()

    index = editor_client.get("/admin/").content.decode()
    assert "Articles" in index and "Access attempts" not in index and "Axes" not in index
    for path in paths:
        assert editor_client.get(path).status_code == 403, path
    assert editor_client.get("/admin/axes/").status_code == 404


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.described_by = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described_by += attrs["aria-describedby"].split()


def dangling_descriptions(html):
    parser = _Ids()
    parser.feed(html)
    return [ref for ref in parser.described_by if ref not in parser.ids]


@pytest.mark.django_db
def test_help_texts_of_the_upload_and_check_pages_are_tied_to_their_inputs(superuser_client):
    html = superuser_client.get(reverse("ingest:upload")).content.decode()
    assert 'aria-describedby="id_files_helptext"' in html
    assert '<div class="help" id="id_files_helptext">PDF, Word (.docx)' in html
    assert dangling_descriptions(html) == []

    with open("tests/data/article.html", "rb") as file:
        response = superuser_client.post(reverse("ingest:upload"), {"files": file})
    html = superuser_client.get(response["Location"]).content.decode()
    assert 'aria-describedby="id_authors_helptext"' in html
    assert dangling_descriptions(html) == []
