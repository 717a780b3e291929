"""A small archive every interop test reads: three public pieces (English paper with a journal
source, Persian and Arabic commentary), a draft and a future-dated piece by the same author
with the same keyword, so every channel can be checked for leaks.

The English piece's title, author, affiliation and date are from /work/shared/seeds/000 (the
seed article "Iraq and Russia: Motivations for Interaction in New Conditions"); the rest is
written for these tests.
"""

import datetime
from urllib.parse import urlsplit

import pytest
import requests
from django.utils import timezone
from sickle import Sickle

PUBLIC_TITLES = {
    "Iraq and Russia: Motivations for Interaction in New Conditions",
    "ایران و عراق پس از انتخابات",
    "العراق وروسيا في الشرق الأوسط",
}
HIDDEN_TITLES = {"A secret draft about Iraq", "A piece from the future about Iraq"}


@pytest.fixture
def archive_items(make_article):
    today = timezone.localdate()
    paper = make_article(
        "Iraq and Russia: Motivations for Interaction in New Conditions",
        subtitle="",
        authors=[
            (
                "Ali Akbar Asadi",
                "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues",
            ),
            "Maryam Karimi",
        ],
        keywords=["Iraq", "Russia", "Weapons Deal"],
        date=datetime.date(2012, 10, 25),
        kind="paper",
        language="en",
        abstract="Russia and Iraq have new motivations for interaction after 2011.",
        body="<p>When the United States was planning to launch a military invasion of Iraq in 2003 ...</p>",
        source_name="Journal of Middle East Studies",
        source_volume="3",
        source_issue="2",
        source_pages="10-20",
        doi="10.1234/jmes.2012.3",
        source_url="https://example.org/iraq-russia",
    )
    persian = make_article(
        "ایران و عراق پس از انتخابات",
        authors=["علی اکبر اسدی"],
        keywords=["Iraq", "ایران"],
        date=datetime.date(2013, 3, 2),
        kind="commentary",
        language="fa",
        abstract="نگاهی به روابط ایران و عراق.",
        body="<p>متن مقاله.</p>",
    )
    arabic = make_article(
        "العراق وروسيا في الشرق الأوسط",
        authors=["Ali Akbar Asadi"],
        keywords=["Russia"],
        date=datetime.date(2014, 6, 30),
        kind="commentary",
        language="ar",
        body="<p>نص المقال.</p>",
    )
    draft = make_article(
        "A secret draft about Iraq",
        authors=["Ali Akbar Asadi"],
        keywords=["Iraq"],
        date=datetime.date(2015, 1, 1),
        status="draft",
        kind="paper",
    )
    future = make_article(
        "A piece from the future about Iraq",
        authors=["Ali Akbar Asadi"],
        keywords=["Iraq"],
        date=today + datetime.timedelta(days=30),
        kind="paper",
    )
    return {"paper": paper, "persian": persian, "arabic": arabic, "draft": draft, "future": future}


class DjangoClientAdapter(requests.adapters.BaseAdapter):
    """Lets `requests` (and so Sickle) talk to the Django test client: same database transaction,
    no server thread."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if request.method == "GET":
            django_response = self.client.get(path)
        else:
            body = request.body.encode() if isinstance(request.body, str) else request.body or b""
            django_response = self.client.generic(
                request.method, path, body, content_type=request.headers.get("Content-Type", "")
            )
        response = requests.Response()
        response.status_code = django_response.status_code
        response._content = django_response.content
        response.headers = requests.structures.CaseInsensitiveDict(django_response.headers)
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class ClientSickle(Sickle):
    """Sickle, the OAI-PMH harvester, speaking HTTP to the test client."""

    def __init__(self, client, **kwargs):
        super().__init__("http://testserver/oai/", **kwargs)
        self.session = requests.Session()
        self.session.mount("http://testserver/", DjangoClientAdapter(client))

    def _request(self, kwargs):
        if self.http_method == "GET":
            return self.session.get(self.endpoint, params=kwargs, **self.request_args)
        return self.session.post(self.endpoint, data=kwargs, **self.request_args)


@pytest.fixture
def harvester(client):
    return ClientSickle(client)
