"""Highwire `citation_*` tags and schema.org JSON-LD on article pages, read with extruct and lxml."""

from urllib.parse import quote

import extruct
import pytest
from django.core.files.base import ContentFile
from lxml import html

pytestmark = pytest.mark.django_db


def page_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def meta_tags(text):
    page = html.fromstring(text)
    return [
        (m.get("name"), m.get("content")) for m in page.xpath("//head/meta[starts-with(@name, 'citation_')]")
    ]


def test_highwire_tags_of_a_journal_paper(client, archive_items):
    tags = meta_tags(page_of(client, archive_items["paper"]))
    assert tags == [
        ("citation_title", "Iraq and Russia: Motivations for Interaction in New Conditions"),
        ("citation_author", "Ali Akbar Asadi"),
        (
            "citation_author_institution",
            "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues",
        ),
        ("citation_author", "Maryam Karimi"),
        ("citation_publication_date", "2012/10/25"),
        ("citation_journal_title", "Journal of Middle East Studies"),
        ("citation_volume", "3"),
        ("citation_issue", "2"),
        ("citation_firstpage", "10"),
        ("citation_lastpage", "20"),
        ("citation_doi", "10.1234/jmes.2012.3"),
        (
            "citation_abstract_html_url",
            "http://testserver/articles/iraq-and-russia-motivations-for-interaction-in-new-conditions/",
        ),
        ("citation_keywords", "Iraq; Russia; Weapons Deal"),
        ("citation_language", "en"),
    ]


def test_highwire_tags_of_commentary_name_the_publisher_and_the_pdf(client, archive_items):
    persian = archive_items["persian"]
    persian.original_file.save("original.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    tags = dict(meta_tags(page_of(client, persian)))
    assert tags["citation_title"] == "ایران و عراق پس از انتخابات"
    assert tags["citation_publisher"] == "The Archive"
    assert "citation_journal_title" not in tags
    assert tags["citation_language"] == "fa"
    assert tags["citation_pdf_url"] == f"http://testserver/originals/{quote(persian.slug)}/"


def test_json_ld_scholarly_article(client, archive_items):
    text = page_of(client, archive_items["paper"])
    data = extruct.extract(text, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    [item] = data
    assert item["@type"] == "ScholarlyArticle"
    assert item["name"] == "Iraq and Russia: Motivations for Interaction in New Conditions"
    assert item["datePublished"] == "2012-10-25"
    assert item["inLanguage"] == "en"
    assert item["keywords"] == ["Iraq", "Russia", "Weapons Deal"]
    assert item["author"] == [
        {
            "@type": "Person",
            "name": "Ali Akbar Asadi",
            "url": "http://testserver/authors/ali-akbar-asadi/",
            "affiliation": {
                "@type": "Organization",
                "name": "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues",
            },
        },
        {"@type": "Person", "name": "Maryam Karimi", "url": "http://testserver/authors/maryam-karimi/"},
    ]
    assert item["publisher"]["name"] == "The Archive"
    assert item["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.1234/jmes.2012.3",
    }
    assert item["isPartOf"]["issueNumber"] == "2"
    assert item["isPartOf"]["isPartOf"]["volumeNumber"] == "3"
    assert item["isPartOf"]["isPartOf"]["isPartOf"]["name"] == "Journal of Middle East Studies"
    assert item["dateModified"]


def test_json_ld_article_for_commentary(client, archive_items):
    text = page_of(client, archive_items["arabic"])
    [item] = extruct.extract(text, syntaxes=["json-ld"])["json-ld"]
    assert item["@type"] == "Article"
    assert item["inLanguage"] == "ar"
    assert item["headline"] == "العراق وروسيا في الشرق الأوسط"


def test_json_ld_cannot_break_out_of_its_script_element(client, make_article):
    article = make_article("</script><script>alert(1)</script> & <!--", abstract="a </script> b")
    text = page_of(client, article)
    assert "<script>alert(1)" not in text
    [item] = extruct.extract(text, syntaxes=["json-ld"])["json-ld"]
    assert item["name"] == "</script><script>alert(1)</script> & <!--"
    assert item["abstract"] == "a </script> b"
