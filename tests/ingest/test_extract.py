# ruff: noqa: E501  (exact expected texts read better unbroken)
"""Every format on real files: each extracted field asserted exactly."""

import datetime

import pytest

from archive.ingest.draft import DraftAuthor
from archive.ingest.formats import docx, html, markdown, pdf, txt
from archive.ingest.metadata import byline_names, parse_date, split_keywords
from archive.ingest.repair import detect_language, drop_page_furniture, join_lines, split_wrapped
from tests.ingest.conftest import read

SEED_000_KEYWORDS = [
    "Iraq",
    "Russia",
    "Interaction",
    "Weapons Deal",
    "New Scenarios and Options",
    "Al-Maliki",
    "Multilateralism",
    "ExxonMobil",
    "Asadi",
]


def test_seed_000_web_page_saved_as_text():
    draft = txt.extract(read("seed_000.txt"), filename="seed_000.txt")
    assert draft.title == "Iraq and Russia: Motivations for Interaction in New Conditions"
    assert draft.subtitle == ""
    assert draft.date == datetime.date(2012, 10, 25)
    assert draft.authors == [
        DraftAuthor(
            "Ali Akbar Asadi",
            "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues",
        )
    ]
    assert draft.keywords == SEED_000_KEYWORDS
    assert len(draft.body) == 5
    assert draft.body[0].startswith(
        "When the United States was planning to launch a military invasion of Iraq"
    )
    assert draft.body[4].startswith("On the whole, a review of mutual motivations")
    assert draft.body[4].endswith("encouraging new forms of strategic cooperation.")
    body = " ".join(draft.body)
    for unwanted in ("Thursday", "PhD Candidate", "Key Words", "More By", "Barzani - Talabani", "طراحی"):
        assert unwanted not in body
    assert draft.related_titles == [
        "Iraq and the Challenge of Balancing Iran, US Relations",
        "Barzani - Talabani Coalition and its Challenges",
        "US and Problem of Emerging Independent Allies in the Middle East",
    ]
    assert draft.language == "en"
    assert draft.kind == "commentary"
    assert draft.abstract == ""
    assert draft.warnings == ["Dropped a site footer: “طراحی و توسعه آگاهسیستم”."]


def test_seed_004_ocr_abstract():
    draft = txt.extract(read("seed_004.txt"), filename="seed_004.txt")
    assert draft.title == ""
    assert draft.authors == []
    assert draft.date is None
    assert draft.keywords == [
        "Alignment",
        "Irag",
        "ISIS",
        "Russia",
        "The Arab Uprisings",
        "The Regional Order of West Asia",
    ]
    assert "\n" not in draft.abstract  # one joined paragraph
    assert draft.abstract.startswith(
        "The 1970s coincided with the expansion of Irag-Soviet Union relations and Iraq was"
    )
    assert draft.abstract.endswith("the important and strategic land of Mesopotamia.")
    assert "a new Iraqgi-Russian alignment" in draft.abstract  # hyphen before a capital kept
    assert "we follow Glen Snyder" in draft.abstract
    assert "Abstract" not in draft.abstract and "Keywords" not in draft.abstract
    assert draft.body == []
    assert draft.kind == "paper"
    assert draft.warnings == [
        "No title found: give the piece a title.",
        "No publication date found.",
        "No author found.",
    ]


def test_pdf_hard_wrapped_with_running_headers():
    draft = pdf.extract(read("wrapped.pdf"), filename="wrapped.pdf")
    assert draft.title == "Water Diplomacy in the Tigris-Euphrates Basin"
    affiliation = "Research Fellow, Institute for Regional Studies"
    assert draft.authors == [DraftAuthor("Sara Karimi", affiliation), DraftAuthor("John Doe", affiliation)]
    assert draft.date == datetime.date(2019, 6, 14)
    assert draft.abstract == (
        "This paper examines how Turkey, Syria and Iraq have negotiated the shared waters of the Tigris and "
        "Euphrates since the 1980s. It argues that technical cooperation survived political crises because the "
        "riparian states treated water data as a confidence-building measure. The evidence comes from bilateral "
        "protocols, ministerial statements and interviews with negotiators."
    )
    assert draft.keywords == [
        "Water Diplomacy",
        "Tigris",
        "Euphrates",
        "Turkey",
        "Iraq",
        "Riparian Cooperation",
    ]
    assert draft.body == [
        "The Tigris and Euphrates rise in eastern Turkey and cross Syria and Iraq before they meet in the Shatt "
        "al-Arab. Dams built upstream since the 1970s have reduced the flow that reaches the lower basin, and each "
        "drought revives an old dispute over allocation.",
        "Negotiations have followed a recurring pattern: a crisis, a joint technical committee, a protocol on "
        "minimum flows, and then a long period in which the committee meets rarely. This paper traces that "
        "pattern through three episodes and asks what kept the technical channel open.",
    ]
    assert draft.kind == "paper"
    assert draft.language == "en"
    assert draft.warnings == ["Dropped 6 lines of page furniture (running headers, footers, page numbers)."]


def test_docx_styles_byline_and_key_words():
    draft = docx.extract(read("article.docx"), filename="article.docx")
    assert draft.title == "Oman's Quiet Mediation"
    assert draft.subtitle == "How a small state keeps talking to everyone"
    affiliation = "Senior Fellow, Gulf Research Center"
    assert draft.authors == [
        DraftAuthor("Layla Hassan", affiliation),
        DraftAuthor("Peter van der Berg", affiliation),
        DraftAuthor("Mina Tehrani", affiliation),
    ]
    assert draft.date == datetime.date(2021, 3, 3)
    assert draft.keywords == ["Oman", "Mediation", "Gulf Security", "Iran", "Strait of Hormuz"]
    assert draft.body_html == (
        "<p>Oman has long acted as a discreet channel between rivals in the Gulf. Its diplomats hosted the first "
        "secret talks between Washington and Tehran, and Muscat remains a place where adversaries can meet "
        "without an audience.</p>\n<h2>A tradition of neutrality</h2>\n<p>The sultanate's neutrality is not "
        "passivity: it rests on a long habit of keeping ties with every neighbour, and on an economy that needs "
        "calm waters in the Strait of Hormuz.</p>"
    )
    assert draft.abstract == ""
    assert draft.warnings == []


def test_html_keeps_the_article_and_drops_the_site():
    draft = html.extract(read("article.html"), filename="article.html")
    assert draft.title == "Sanctions and the Caspian Caviar Trade"
    assert draft.authors == [DraftAuthor("Daniel Reyes", "")]
    assert draft.date == datetime.date(2020, 9, 8)
    assert draft.keywords == ["Caspian Sea", "Sanctions", "Caviar", "Iran", "Russia"]
    assert draft.source_name == "Eurasia Review Desk"
    assert draft.source_url == "https://example.org/2020/09/caspian-caviar-sanctions"
    assert draft.language == "en"
    assert draft.body == [
        "Sturgeon stocks in the Caspian Sea have collapsed since the 1990s, and the legal caviar trade now depends "
        "on farms in Iran and Russia. Sanctions on both countries have pushed much of that trade into grey channels.",
        "Who buys",
        "Buyers in the Gulf and in East Asia have replaced European importers, paying a premium for paperwork "
        "that hides the origin of the roe.",
        "Customs officials in three countries described the same route through a free zone, where tins are "
        "relabelled before they travel on.",
    ]
    for furniture in ("Most read", "Share on X", "All rights reserved", "tracker", "color: red", "World"):
        assert furniture not in draft.body_html
    assert '<a href="https://example.org/grey">grey channels</a>' in draft.body_html


def test_markdown_front_matter():
    draft = markdown.extract(read("article.md"), filename="article.md")
    assert draft.title == "Electricity Imports and Iraq's Summer"
    assert draft.authors == [DraftAuthor("Noor Al-Rawi", ""), DraftAuthor("Tom Becker", "")]
    assert draft.date == datetime.date(2022, 7, 19)
    assert draft.keywords == ["Iraq", "Electricity", "Iran", "Energy Security"]
    assert draft.body[1] == "A fragile arrangement"
    assert len(draft.body) == 3
    assert "<strong>imported from Iran</strong>" in draft.body_html
    assert "alert" not in draft.body_html


@pytest.mark.parametrize(
    ("name", "language", "title"),
    [
        ("persian.txt", "fa", "نقش دیپلماسی آب در روابط ایران و عراق"),
        ("arabic.txt", "ar", "التعاون المائي بين العراق وتركيا"),
    ],
)
def test_persian_and_arabic_detected_from_the_script(name, language, title):
    draft = txt.extract(read(name), filename=name)
    assert draft.language == language
    assert draft.title == title
    assert len(draft.body) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday, October 25, 2012", datetime.date(2012, 10, 25)),
        ("25 October 2012", datetime.date(2012, 10, 25)),
        ("Oct. 25, 2012", datetime.date(2012, 10, 25)),
        ("2012-10-25", datetime.date(2012, 10, 25)),
        ("2020-09-08T10:30:00+00:00", datetime.date(2020, 9, 8)),
        ("Published: 3rd March 2021", datetime.date(2021, 3, 3)),
        ("October 2012", datetime.date(2012, 10, 1)),
        ("2012", None),
        ("February 30, 2012", None),
        ("The war of 25 October 2012 began", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_bylines_and_keywords():
    assert byline_names("By A. Smith, Jean de la Fontaine and Mohammad al-Sadr") == [
        "A. Smith",
        "Jean de la Fontaine",
        "Mohammad al-Sadr",
    ]
    assert (
        byline_names("PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues") == []
    )
    assert byline_names("When the United States was planning") == []
    assert split_keywords("KEY WORDS ignored; a; b, c.") == ["KEY WORDS ignored", "a", "b, c"]
    assert split_keywords("Iraq, iraq, Russia.") == ["Iraq", "Russia"]


def test_text_repair():
    assert (
        join_lines(["the coop-", "eration of", "Iraqi-", "Russian ties"])
        == "the cooperation of Iraqi-Russian ties"
    )
    lines = ["x" * 70 + " end.", "y" * 70, "short and done.", "z" * 70, "last line"]
    assert split_wrapped(lines) == [
        "x" * 70 + " end. " + "y" * 70 + " short and done.",
        "z" * 70 + " last line",
    ]
    pages = [["Journal 2019", "Title", "text one", "1"], ["Journal 2019", "text two", "2"]]
    assert drop_page_furniture(pages) == ([["Title", "text one"], ["text two"]], 4)
    assert detect_language("سلام دنیا، این یک متن فارسی است") == "fa"
    assert detect_language("هذا نص عربي قصير") == "ar"
    assert detect_language("plain English") == "en"


def test_text_with_form_feed_pages_loses_its_running_headers():
    text = (
        "Review of Gulf Affairs\nPorts of the Gulf\nBy Jane Smith\n\nThe first page of text.\n1\n"
        "\fReview of Gulf Affairs\nThe second page of text.\n2\n\fReview of Gulf Affairs\nThe third page.\n3\n"
    )
    draft = txt.extract(text.encode(), filename="pages.txt")
    assert draft.title == "Ports of the Gulf"
    assert draft.authors == [DraftAuthor("Jane Smith", "")]
    assert draft.body == ["The first page of text.", "The second page of text.", "The third page."]
    assert draft.warnings[0] == "Dropped 6 lines of page furniture (running headers, footers, page numbers)."
