"""The staff page for check_index: /admin/search/health/ (report, Repair button, staff only, CSRF)."""

import datetime
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from archive.articles.models import Article
from archive.search.backends import backend
from archive.search.backends.whoosh import store
from archive.search.models import PendingIndexUpdate

URL = "/admin/search/health/"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("editor", password="pw-editor-1", is_staff=True)


@pytest.fixture
def drifted(make_article, search_index):
    """One article in step, one stale, one missing, one orphaned document."""
    make_article("Kept piece")
    stale = make_article("Stale piece")
    missing = make_article("Missing piece")
    search_index.update()
    Article.objects.filter(pk=stale.pk).update(title="Changed quietly")  # no signal
    with store.write_lock():
        store.write_documents(
            documents=[{"id": "999999", "title": "Orphan", "date": "20200101", "slug": "o", "stamp": ""}],
            delete_ids=[missing.pk],
        )
    return {"stale": stale.pk, "missing": missing.pk}


def test_anonymous_and_non_staff_are_sent_to_login(client, db, drifted):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={URL}"
    get_user_model().objects.create_user("reader", password="pw-reader-1")
    client.login(username="reader", password="pw-reader-1")
    assert client.get(URL).status_code == 302
    assert client.post(URL).status_code == 302
    assert backend().stamps().get(999999) == ""  # nothing repaired


def test_report_shows_counts_and_ids(client, staff, drifted):
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td id="count-database">3</td>' in html
    assert '<td id="count-index">3</td>' in html
    assert f'<a href="/admin/articles/article/{drifted["missing"]}/change/">{drifted["missing"]}</a>' in html
    assert f'<a href="/admin/articles/article/{drifted["stale"]}/change/">{drifted["stale"]}</a>' in html
    assert "999999" in html
    assert "The index differs from the database." in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_repair_needs_csrf_then_fixes_everything(staff, drifted):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(URL).status_code == 403
    assert backend().stamps().get(999999) == ""
    token = client.get(URL).cookies["csrftoken"].value
    response = client.post(URL, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == URL
    html = client.get(URL).content.decode()
    assert "Repaired 3 documents; the index now holds 3." in html
    assert "The index is in step with the database." in html
    assert '<td id="count-missing">0' in html and '<td id="count-orphaned">0' in html


def test_admin_index_links_to_the_page(client, staff):
    client.force_login(staff)
    html = client.get("/admin/").content.decode()
    assert f'<a href="{URL}">Search index health</a>' in html
    assert "Recent actions" in html  # the stock index is still there around it


def test_a_damaged_index_is_shown_red_with_what_is_damaged_and_who_must_repair(
    client, staff, make_article, search_index
):
    """Issue 15.4: the page said "healthy" while a segment file was cut to half."""
    make_article("Kept piece")
    search_index.update()
    folder = Path(store.index_dir())
    name = store.current_name()
    segment = max(
        (f for f in folder.iterdir() if f.name.startswith(f"{name}_")), key=lambda f: f.stat().st_size
    )
    size = segment.stat().st_size
    os.truncate(segment, size // 2)
    backend().forget()
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert 'id="index-damaged"' in html
    assert f"{segment.name} is {size // 2} bytes; its commit wrote {size}." in html
    assert "The index is in step with the database." not in html
    assert "manage.py check_index --repair" in html


def test_updates_queued_long_ago_are_shown_as_an_index_not_being_written(
    client, staff, make_article, search_index
):
    article = make_article("Waiting piece")
    search_index.update()
    PendingIndexUpdate.objects.create(article_id=article.pk)
    PendingIndexUpdate.objects.update(queued_at=timezone.now() - datetime.timedelta(minutes=30))
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert 'id="index-problems"' in html
    assert "1 index update(s) have waited since" in html
    assert "the index is not being written" in html
