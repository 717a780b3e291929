"""Dates and digits the reader's way: Solar Hijri with the Gregorian beside it and Persian digits
in Persian, Arabic month names and Arabic-Indic digits in Arabic; the search's date filters read
both calendars and all three kinds of digits."""

import datetime

import pytest
from django.utils import translation
from lxml import html

from archive.articles import i18n
from archive.search.forms import SearchForm

SEED_DAY = datetime.date(2012, 10, 25)  # the seed article's date: 4 Aban 1391


def test_the_seed_day_is_4_aban_1391():
    assert i18n.solar_hijri(SEED_DAY) == (1391, 8, 4)
    assert i18n.solar_hijri(datetime.date(2012, 3, 20)) == (1391, 1, 1)  # Nowruz
    assert i18n.solar_hijri(datetime.date(2013, 3, 20)) == (1391, 12, 30)  # 1391 is a leap year


def test_a_date_in_each_language():
    assert i18n.reader_date(SEED_DAY, "en") == "25 October 2012"
    assert i18n.reader_date_text(SEED_DAY, "fa") == "۴ آبان ۱۳۹۱"
    assert (
        str(i18n.reader_date(SEED_DAY, "fa"))
        == '۴ آبان ۱۳۹۱ (<bdi lang="en" dir="ltr">25 October 2012</bdi>)'
    )
    assert i18n.reader_date(SEED_DAY, "ar") == "٢٥ أكتوبر ٢٠١٢"
    assert i18n.reader_month(SEED_DAY, "fa") == "اکتبر ۲۰۱۲"
    assert i18n.reader_month(SEED_DAY, "ar") == "أكتوبر ٢٠١٢"
    with translation.override("fa"):
        assert i18n.reader_date_text(datetime.date(2021, 3, 9)) == "۱۹ اسفند ۱۳۹۹"


def test_digits_in_each_language():
    assert i18n.local_digits(1391, "fa") == "۱۳۹۱"
    assert i18n.local_digits("Page 12 of 30", "ar") == "Page ١٢ of ٣٠"
    assert i18n.local_digits(2012, "en") == "2012"
    assert "۱۳۹۱٢٠١٢".translate(i18n.TO_LATIN) == "13912012"


def dates(**params):
    request = SearchForm(params).request()
    return request.date_from, request.date_to, request.errors


@pytest.mark.parametrize(
    "written",
    [
        "25 October 2012",
        "2012-10-25",
        "۲۰۱۲-۱۰-۲۵",  # Persian digits
        "٢٠١٢-١٠-٢٥",  # Arabic-Indic digits
        "1391-08-04",  # Solar Hijri
        "۱۳۹۱-۰۸-۰۴",
        "١٣٩١-٠٨-٠٤",
        "۱۳۹۱/۸/۴",
        "۴ آبان ۱۳۹۱",
        "4 آبان 1391",
        "۴ آبان ۱۳۹۱ (25 October 2012)",  # as a Persian page writes it
        "٢٥ أكتوبر ٢٠١٢",  # as an Arabic page writes it
        "۲۵ اکتبر ۲۰۱۲",  # a Gregorian month in Persian
    ],
)
def test_date_filters_read_both_calendars_and_every_kind_of_digit(written):
    assert dates(date_from=written, date_to=written) == (SEED_DAY, SEED_DAY, {})


def test_a_solar_month_or_year_is_a_range():
    assert dates(date_from="آبان ۱۳۹۱", date_to="آبان ۱۳۹۱")[:2] == (
        datetime.date(2012, 10, 22),
        datetime.date(2012, 11, 20),
    )
    assert dates(date_from="۱۳۹۱", date_to="1391")[:2] == (
        datetime.date(2012, 3, 20),
        datetime.date(2013, 3, 20),
    )
    # A four-digit year outside 1300-1499 stays Gregorian.
    assert dates(date_from="۲۰۱۲", date_to="2012")[:2] == (
        datetime.date(2012, 1, 1),
        datetime.date(2012, 12, 31),
    )


def test_a_day_that_does_not_exist_is_named_not_guessed():
    assert dates(date_from="۱۳۹۱-۰۷-۳۱")[0] is None  # Mehr has 30 days
    assert set(dates(date_from="۱۳۹۱-۰۷-۳۱")[2]) == {"date_from"}
    assert dates(date_from="۱۳۹۱-۰۶-۳۱")[0] == datetime.date(2012, 9, 21)


@pytest.fixture
def shelf(indexed_article):
    for title, day in [
        ("Before Aban", datetime.date(2012, 10, 21)),
        ("Iraq and Russia in Aban", SEED_DAY),
        ("Late Aban", datetime.date(2012, 11, 20)),
        ("After Aban", datetime.date(2012, 11, 21)),
    ]:
        indexed_article(title, date=day, abstract="Iraq and Russia.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "date_from", "date_to"),
    [
        ("/fa", "۱ آبان ۱۳۹۱", "۳۰ آبان ۱۳۹۱"),
        ("/ar", "١٣٩١-٠٨-٠١", "١٣٩١-٠٨-٣٠"),
        ("", "1391-08-01", "1391-08-30"),
    ],
)
def test_search_page_filters_by_solar_dates_and_shows_them_back(client, shelf, prefix, date_from, date_to):
    response = client.get(
        f"{prefix}/search/", {"q": "iraq", "date_from": date_from, "date_to": date_to, "sort": "newest"}
    )
    assert response.status_code == 200
    assert [hit.title for hit in response.context["results"].hits] == ["Late Aban", "Iraq and Russia in Aban"]
    root = html.fromstring(response.content)
    shown = {
        "/fa": ("۱ آبان ۱۳۹۱", "۳۰ آبان ۱۳۹۱"),
        "/ar": ("٢٢ أكتوبر ٢٠١٢", "٢٠ نوفمبر ٢٠١٢"),
        "": ("22 October 2012", "20 November 2012"),
    }[prefix]
    assert (root.get_element_by_id("search-from").value, root.get_element_by_id("search-to").value) == shown


@pytest.mark.django_db
def test_pages_show_dates_and_counts_the_readers_way(client, shelf):
    article = html.fromstring(client.get("/fa/articles/iraq-and-russia-in-aban/").content)
    assert html.tostring(article.find_class("article__date")[0], encoding="unicode").count("۴ آبان ۱۳۹۱") == 1
    assert article.xpath("//p[@class='article__date']//time/@datetime") == ["2012-10-25"]
    assert article.xpath("//p[@class='article__date']//time//bdi[@lang='en']/text()") == ["25 October 2012"]
    listing = html.fromstring(client.get("/ar/articles/").content)
    assert listing.xpath("//header[@class='page-header']/p[@class='count']/text()") == [
        "٤ مقالات، الأحدث أولًا."
    ]
    assert "٢٥ أكتوبر ٢٠١٢" in listing.xpath("//li[@class='article-item'][3]//time//text()")
    persian = html.fromstring(client.get("/fa/archive/2012/").content)
    assert persian.xpath("//h1/text()") == ["۲۰۱۲"]
    assert persian.xpath("//header[@class='page-header']/p[@class='count']/text()") == ["۴ مقاله."]


def test_solar_month_names_in_latin_letters_and_arabic_letter_forms():
    assert dates(date_from="4 aban 1391", date_to="4 Aban 1391")[:2] == (SEED_DAY, SEED_DAY)
    assert dates(date_from="۱۰ دي ۱۳۹۱")[0] == datetime.date(2012, 12, 30)  # Arabic yeh in دی
