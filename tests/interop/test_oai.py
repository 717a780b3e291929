"""OAI-PMH 2.0 at /oai/, harvested with Sickle (a real harvester) and checked with lxml."""

import datetime

import pytest
from django.utils import timezone
from lxml import etree
from sickle import oaiexceptions

from archive.articles.models import Article
from archive.articles.services import articles_set_status
from archive.interop.models import OaiTombstone
from tests.interop.conftest import PUBLIC_TITLES

pytestmark = pytest.mark.django_db

OAI = "{http://www.openarchives.org/OAI/2.0/}"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}


def oai_id(article):
    return f"oai:archive.localhost:{article.pk}"


def get_xml(client, query, method="get"):
    response = getattr(client, method)("/oai/", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(response.content)


def error_of(client, query, method="get"):
    root = get_xml(client, query, method)
    errors = root.findall(f"{OAI}error")
    assert len(errors) == 1, etree.tostring(root)
    return errors[0].get("code"), root.find(f"{OAI}request").attrib


def test_identify(harvester, archive_items):
    identify = harvester.Identify()
    assert identify.repositoryName == "The Archive"
    assert identify.baseURL == "http://testserver/oai/"
    assert identify.protocolVersion == "2.0"
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.earliestDatestamp.endswith("Z")


def test_list_metadata_formats(harvester, archive_items):
    formats = list(harvester.ListMetadataFormats())
    assert [f.metadataPrefix for f in formats] == ["oai_dc"]
    formats = list(harvester.ListMetadataFormats(identifier=oai_id(archive_items["paper"])))
    assert [f.metadataPrefix for f in formats] == ["oai_dc"]
    with pytest.raises(oaiexceptions.IdDoesNotExist):
        list(harvester.ListMetadataFormats(identifier=oai_id(archive_items["draft"])))


def test_list_sets_by_kind_and_language(harvester):
    specs = {s.setSpec: s.setName for s in harvester.ListSets()}
    assert specs["kind"] == "Kind of piece"
    assert specs["kind:paper"] == "Kind: Paper"
    assert specs["kind:commentary"] == "Kind: Commentary"
    assert specs["language:fa"] == "Language: Persian"
    assert specs["language:ar"] == "Language: Arabic"
    assert len(specs) == 2 + len(Article.Kind.choices) + len(Article.Language.choices)


def test_get_record_with_dublin_core(harvester, archive_items):
    paper = archive_items["paper"]
    record = harvester.GetRecord(identifier=oai_id(paper), metadataPrefix="oai_dc")
    assert record.header.identifier == oai_id(paper)
    assert not record.header.deleted
    assert set(record.header.setSpecs) == {"kind", "kind:paper", "language", "language:en"}
    md = record.metadata
    assert md["title"] == ["Iraq and Russia: Motivations for Interaction in New Conditions"]
    assert md["creator"] == ["Ali Akbar Asadi", "Maryam Karimi"]
    assert sorted(md["subject"]) == ["Iraq", "Russia", "Weapons Deal"]
    assert md["date"] == ["2012-10-25"]
    assert md["language"] == ["en"]
    assert md["type"] == ["Text", "Paper"]
    assert md["identifier"] == [
        "http://testserver/articles/iraq-and-russia-motivations-for-interaction-in-new-conditions/",
        "https://doi.org/10.1234/jmes.2012.3",
    ]
    assert md["source"] == ["Journal of Middle East Studies, vol. 3, no. 2, pp. 10-20"]
    assert md["description"] == ["Russia and Iraq have new motivations for interaction after 2011."]


def test_harvest_every_record_through_resumption_tokens(harvester, archive_items, make_article, settings):
    settings.ARCHIVE_OAI_PAGE_SIZE = 2
    for n in range(6):
        make_article(f"Extra piece {n}", authors=[f"Author {n}"], date=datetime.date(2019, 1, 1 + n))
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    titles = [r.metadata["title"][0] for r in records]
    assert len(titles) == 9  # 4 full pages of 2, then 1: three resumption tokens were followed
    assert set(titles) == PUBLIC_TITLES | {f"Extra piece {n}" for n in range(6)}
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    assert [h.identifier for h in headers] == [r.header.identifier for r in records]


def test_resumption_token_carries_cursor_and_list_size(client, archive_items, settings):
    settings.ARCHIVE_OAI_PAGE_SIZE = 2
    root = get_xml(client, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    token = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert (token.get("cursor"), token.get("completeListSize")) == ("0", "3")
    assert token.text
    root = get_xml(client, {"verb": "ListIdentifiers", "resumptionToken": token.text})
    assert len(root.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 1
    last = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert (last.get("cursor"), last.get("completeListSize"), last.text) == ("2", "3", None)


def test_later_pages_carry_the_list_size_counted_on_the_first(
    client, archive_items, make_article, settings, django_assert_num_queries
):
    settings.ARCHIVE_OAI_PAGE_SIZE = 1
    root = get_xml(client, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    token = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert (token.get("cursor"), token.get("completeListSize")) == ("0", "3")
    make_article("Published mid-harvest", date=datetime.date(2018, 1, 1))
    # The second page reads its rows (pieces, then deletions) and counts nothing.
    with django_assert_num_queries(2):
        root = get_xml(client, {"verb": "ListIdentifiers", "resumptionToken": token.text})
    token = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert (token.get("cursor"), token.get("completeListSize")) == ("1", "3")


def test_a_token_issued_before_it_carried_the_list_size_still_resumes(client, archive_items, settings):
    from django.core import signing

    from archive.interop.oai import TOKEN_SALT

    settings.ARCHIVE_OAI_PAGE_SIZE = 1
    root = get_xml(client, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    payload = signing.loads(root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken").text, salt=TOKEN_SALT)
    del payload["n"]
    old_token = signing.dumps(payload, salt=TOKEN_SALT, compress=True)
    root = get_xml(client, {"verb": "ListIdentifiers", "resumptionToken": old_token})
    token = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert len(root.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 1
    assert (token.get("cursor"), token.get("completeListSize")) == ("1", "3")


def test_resumption_tokens_stay_valid_while_the_archive_changes(
    client, archive_items, make_article, settings
):
    settings.ARCHIVE_OAI_PAGE_SIZE = 2
    for n in range(4):
        make_article(f"Extra piece {n}", date=datetime.date(2019, 1, 1 + n))
    seen = []
    root = get_xml(client, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    changed = False
    while True:
        container = root.find(f"{OAI}ListIdentifiers")
        seen += [h.findtext(f"{OAI}identifier") for h in container.findall(f"{OAI}header")]
        token = container.findtext(f"{OAI}resumptionToken")
        if not token:
            break
        if not changed:
            # Between two pages: an edit, a new piece, a deletion of a piece already sent.
            paper = Article.objects.get(pk=archive_items["paper"].pk)
            paper.abstract = "Edited during the harvest."
            paper.save()
            make_article("Added during the harvest", date=datetime.date(2001, 1, 1))
            Article.objects.get(title="Extra piece 0").delete()
            changed = True
        root = get_xml(client, {"verb": "ListIdentifiers", "resumptionToken": token})
    public_now = {oai_id(a) for a in Article.objects.published()}
    # Nothing was skipped: every piece public at the end was listed, and the deletion too.
    assert public_now <= set(seen)
    assert len(set(seen)) == len(public_now) + 1


def test_deleted_and_unpublished_articles_are_reported_deleted(
    harvester, archive_items, django_capture_on_commit_callbacks
):
    paper, persian, arabic = archive_items["paper"], archive_items["persian"], archive_items["arabic"]
    paper_pk = paper.pk
    paper_id, persian_id = oai_id(paper), oai_id(persian)
    paper.delete()
    persian.status = "draft"
    persian.save()
    with django_capture_on_commit_callbacks(execute=True):
        articles_set_status(articles=Article.objects.filter(pk=arabic.pk), status="draft")
    # A draft that was never public leaves no tombstone when deleted.
    archive_items["draft"].delete()
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    assert {(r.header.identifier, r.header.deleted) for r in records} == {
        (paper_id, True),
        (persian_id, True),
        (oai_id(arabic), True),
    }
    assert all(r.xml.find(f".//{OAI}metadata") is None for r in records)
    deleted = harvester.GetRecord(identifier=paper_id, metadataPrefix="oai_dc")
    assert deleted.header.deleted
    assert set(deleted.header.setSpecs) == {"kind", "kind:paper", "language", "language:en"}
    # Deleted records stay in their sets.
    in_fa = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="language:fa"))
    assert [(h.identifier, h.deleted) for h in in_fa] == [(persian_id, True)]
    # Publishing again brings the record back and removes the tombstone.
    persian.status = "published"
    persian.save()
    assert not harvester.GetRecord(identifier=persian_id, metadataPrefix="oai_dc").header.deleted
    assert set(OaiTombstone.objects.values_list("article_id", flat=True)) == {paper_pk, arabic.pk}


def test_moving_a_public_piece_to_the_future_hides_it_as_deleted(harvester, archive_items):
    arabic = archive_items["arabic"]
    arabic.date = timezone.localdate() + datetime.timedelta(days=3)
    arabic.save()
    header = harvester.GetRecord(identifier=oai_id(arabic), metadataPrefix="oai_dc").header
    assert header.deleted


def test_sets_and_dates_select_records(harvester, archive_items):
    def ids(**kwargs):
        return {h.identifier for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **kwargs)}

    paper, persian, arabic = (archive_items[k] for k in ("paper", "persian", "arabic"))
    assert ids(set="kind:paper") == {oai_id(paper)}
    assert ids(set="kind:commentary") == {oai_id(persian), oai_id(arabic)}
    assert ids(set="kind") == ids(set="language") == {oai_id(a) for a in (paper, persian, arabic)}
    assert ids(set="language:ar") == {oai_id(arabic)}
    # Datestamps are the last change (all made today by the fixture).
    today = timezone.now().date().isoformat()
    assert len(ids(**{"from": today})) == 3
    assert len(ids(until=today)) == 3
    stamp = harvester.GetRecord(identifier=oai_id(arabic), metadataPrefix="oai_dc").header.datestamp
    assert oai_id(arabic) in ids(**{"from": stamp, "until": stamp})
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        ids(until="2000-01-01")
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        ids(set="kind:interview")


def test_future_dated_piece_appears_with_its_publication_day_as_datestamp(client, make_article, harvester):
    from archive.interop.oai import format_datestamp

    piece = make_article("Soon", date=timezone.localdate() + datetime.timedelta(days=2))
    assert list(Article.objects.published()) == []
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    # Two days later the piece is public without any save; its datestamp is that day, so a
    # harvester asking "from yesterday" gets it.
    piece.date = timezone.localdate() - datetime.timedelta(days=1)
    Article.objects.filter(pk=piece.pk).update(
        date=piece.date, updated_at=timezone.now() - datetime.timedelta(days=5)
    )
    header = harvester.GetRecord(identifier=oai_id(piece), metadataPrefix="oai_dc").header
    assert header.datestamp == format_datestamp(
        datetime.datetime.combine(piece.date, datetime.time.min, tzinfo=datetime.UTC)
    )
    assert (
        len(list(harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": piece.date.isoformat()}))) == 1
    )


@pytest.mark.parametrize(
    ("query", "code", "keeps_attributes"),
    [
        ({}, "badVerb", False),
        ({"verb": "Dance"}, "badVerb", False),
        ({"verb": ["Identify", "Identify"]}, "badVerb", False),
        ({"verb": "Identify", "extra": "1"}, "badArgument", False),
        ({"verb": "ListRecords"}, "badArgument", False),
        ({"verb": "GetRecord", "identifier": "oai:archive.localhost:1"}, "badArgument", False),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument", False),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-45"}, "badArgument", False),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument", False),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-01",
                "until": "2021-01-01T00:00:00Z",
            },
            "badArgument",
            False,
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2020-01-01"},
            "badArgument",
            False,
        ),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument", False),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat", True),
        (
            {"verb": "GetRecord", "identifier": "oai:archive.localhost:999999", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
            True,
        ),
        (
            {"verb": "GetRecord", "identifier": "not-an-identifier", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
            True,
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "kind:interview"},
            "noRecordsMatch",
            True,
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "colour:red"},
            "noRecordsMatch",
            True,
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "1999-12-31"},
            "noRecordsMatch",
            True,
        ),
        ({"verb": "ListRecords", "resumptionToken": "made-up"}, "badResumptionToken", True),
        ({"verb": "ListSets", "resumptionToken": "made-up"}, "badResumptionToken", True),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_protocol_errors(client, archive_items, query, code, keeps_attributes, method):
    found, attributes = error_of(client, query, method)
    assert found == code
    if keeps_attributes:
        assert attributes["verb"] == query["verb"]
    else:
        assert dict(attributes) == {}


def test_errors_reach_the_harvester_as_exceptions(harvester, archive_items):
    with pytest.raises(oaiexceptions.BadArgument):
        list(harvester.ListRecords(metadataPrefix="oai_dc", **{"from": "not a date"}))
    with pytest.raises(oaiexceptions.CannotDisseminateFormat):
        list(harvester.ListRecords(metadataPrefix="marc21"))
    with pytest.raises(oaiexceptions.IdDoesNotExist):
        harvester.GetRecord(identifier=oai_id(archive_items["future"]), metadataPrefix="oai_dc")


def test_token_of_one_verb_is_refused_by_another(client, archive_items, settings):
    settings.ARCHIVE_OAI_PAGE_SIZE = 1
    root = get_xml(client, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    token = root.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert error_of(client, {"verb": "ListRecords", "resumptionToken": token})[0] == "badResumptionToken"
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert (
        error_of(client, {"verb": "ListIdentifiers", "resumptionToken": tampered})[0] == "badResumptionToken"
    )


def test_drafts_and_future_pieces_are_never_harvested(harvester, archive_items):
    titles = {r.metadata["title"][0] for r in harvester.ListRecords(metadataPrefix="oai_dc")}
    assert titles == PUBLIC_TITLES
    for hidden in ("draft", "future"):
        with pytest.raises(oaiexceptions.IdDoesNotExist):
            harvester.GetRecord(identifier=oai_id(archive_items[hidden]), metadataPrefix="oai_dc")


def test_list_records_query_count_does_not_grow_per_record(
    client, make_article, django_assert_max_num_queries
):
    for n in range(3):
        make_article(f"Piece {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}"])
    with django_assert_max_num_queries(20) as small:
        get_xml(client, {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    for n in range(3, 30):
        make_article(f"Piece {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        root = get_xml(client, {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert len(root.findall(f"{OAI}ListRecords/{OAI}record")) == 30


def test_harvest_over_http_with_post(live_server, archive_items, settings):
    """One harvest over a real socket, by POST, to prove the wire works outside the test client."""
    from sickle import Sickle

    settings.ARCHIVE_OAI_PAGE_SIZE = 1
    sickle = Sickle(f"{live_server.url}/oai/", http_method="POST")
    titles = {r.metadata["title"][0] for r in sickle.ListRecords(metadataPrefix="oai_dc")}
    assert titles == PUBLIC_TITLES


def test_drafts_never_public_leave_no_tombstone(make_article, django_capture_on_commit_callbacks, harvester):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article("Never shown", authors=["Someone"], status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        articles_set_status(articles=Article.objects.filter(pk=draft.pk), status="draft")
    draft.delete()
    assert not OaiTombstone.objects.exists()
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))


def test_bulk_publish_then_unpublish_leaves_a_tombstone(
    make_article, django_capture_on_commit_callbacks, harvester
):
    with django_capture_on_commit_callbacks(execute=True):
        piece = make_article("Published in bulk", status="draft")
        articles_set_status(articles=Article.objects.filter(pk=piece.pk), status="published")
    assert harvester.GetRecord(identifier=oai_id(piece), metadataPrefix="oai_dc").header.deleted is False
    with django_capture_on_commit_callbacks(execute=True):
        articles_set_status(articles=Article.objects.filter(pk=piece.pk), status="draft")
    assert harvester.GetRecord(identifier=oai_id(piece), metadataPrefix="oai_dc").header.deleted is True


def test_records_sharing_one_datestamp_are_each_harvested_once(harvester, make_article, settings):
    """The cursor is (datestamp, id): a page boundary inside a run of equal datestamps loses nothing."""
    settings.ARCHIVE_OAI_PAGE_SIZE = 2
    for n in range(7):
        make_article(f"Piece {n}", date=datetime.date(2019, 1, 1))
    moment = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    Article.objects.update(updated_at=moment)
    Article.objects.filter(title="Piece 3").update(updated_at=moment + datetime.timedelta(microseconds=5))
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    ids = [h.identifier for h in headers]
    assert sorted(ids) == sorted(oai_id(a) for a in Article.objects.all())
    assert len(set(ids)) == 7
    assert ids[-1] == oai_id(Article.objects.get(title="Piece 3"))
    assert {h.datestamp for h in headers} == {moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


@pytest.fixture
def stamped_pieces(make_article, django_capture_on_commit_callbacks):
    """Pieces whose datestamps are fixed: the later of the last edit and the start of the
    publication day, ties between pieces and with a tombstone, and pieces never listed."""
    utc = datetime.UTC
    edited = datetime.datetime(2020, 5, 5, 10, 0, 0, 500000, tzinfo=utc)
    pieces = {
        "edited": make_article("Edited late", date=datetime.date(2019, 1, 1)),
        "tie": make_article("Same edit", date=datetime.date(2019, 6, 1)),
        "day": make_article("Its day came", date=datetime.date(2021, 3, 3)),
        "midnight": make_article("Edited at midnight", date=datetime.date(2021, 3, 3)),
        "gone": make_article("Gone", date=datetime.date(2018, 1, 1)),
    }
    make_article("Draft", status="draft")
    make_article("Later", date=timezone.localdate() + datetime.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        gone_pk = pieces["gone"].pk
        pieces["gone"].delete()
    pieces["gone"].pk = gone_pk
    OaiTombstone.objects.filter(article_id=gone_pk).update(datestamp=edited)
    stamps = {
        "edited": edited,
        "tie": edited,
        "day": datetime.datetime(2021, 3, 2, 23, 59, 59, tzinfo=utc),
        "midnight": datetime.datetime(2021, 3, 3, tzinfo=utc),
    }
    for name, updated_at in stamps.items():
        Article.objects.filter(pk=pieces[name].pk).update(updated_at=updated_at)
    return pieces


def test_datestamps_and_their_order_are_pinned(harvester, client, stamped_pieces, settings):
    """The later of the last edit and the start of the publication day (UTC), in (datestamp, id)
    order, tombstones among the pieces; the same through every page size and selection."""
    ids = {oai_id(piece): name for name, piece in stamped_pieces.items()}
    edited, day = "2020-05-05T10:00:00Z", "2021-03-03T00:00:00Z"
    by_id = sorted(["edited", "tie", "gone"], key=lambda name: stamped_pieces[name].pk)
    in_order = [(name, edited) for name in by_id] + sorted(
        [("day", day), ("midnight", day)], key=lambda pair: stamped_pieces[pair[0]].pk
    )

    def listed(**kwargs):
        headers = harvester.ListIdentifiers(metadataPrefix="oai_dc", **kwargs)
        return [(ids[h.identifier], h.datestamp) for h in headers]

    for page_size in (1, 2, 100):
        settings.ARCHIVE_OAI_PAGE_SIZE = page_size
        assert listed() == in_order
        records = harvester.ListRecords(metadataPrefix="oai_dc")
        assert [(ids[r.header.identifier], r.header.datestamp) for r in records] == in_order
    settings.ARCHIVE_OAI_PAGE_SIZE = 2
    assert listed(**{"from": "2020-05-05", "until": "2020-05-05"}) == in_order[:3]
    assert listed(**{"from": edited, "until": edited}) == in_order[:3]
    assert listed(**{"from": "2020-05-06"}) == in_order[3:]
    assert listed(**{"from": day}) == in_order[3:]
    assert listed(until="2021-03-02T23:59:59Z") == in_order[:3]
    assert listed(until="2021-03-03") == in_order
    assert harvester.Identify().earliestDatestamp == edited
    header = harvester.GetRecord(identifier=oai_id(stamped_pieces["day"]), metadataPrefix="oai_dc").header
    assert header.datestamp == day
    root = get_xml(client, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    token = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert (token.get("cursor"), token.get("completeListSize")) == ("0", "5")


def test_a_page_of_records_is_read_from_the_datestamp_index(make_article, settings):
    """The datestamp of a page's query is the expression `article_datestamp_idx` holds, so the
    database walks the index from the cursor instead of sorting every public piece (PostgreSQL
    could not index the old `CAST(date AS timestamptz)`: it depends on the session's time zone)."""
    from django.db import connection

    from archive.interop.oai import Selection

    make_article("Indexed", date=datetime.date(2019, 1, 1))
    after = (timezone.now() - datetime.timedelta(days=1), 0)
    queryset = Selection().articles().filter(datestamp__gte=after[0]).order_by("datestamp", "pk")[:5]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # SQLite has the same expression index, but its planner, with no statistics for a
            # table of one row, may take the date index instead: only its presence is checked.
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'article_datestamp_idx'")
            (definition,) = cursor.fetchone()
            assert "MAX(" in definition.upper() and "datetime(" in definition, definition
            return
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "article_datestamp_idx" in plan, plan
