"""The interface's languages, dates and digits: one home for how the archive writes a date or a
number in the reader's language, and reads one back (docs/i18n.md).

- English: "25 October 2012", Latin digits.
- Persian: the Solar Hijri date first, in Persian digits, and the Gregorian beside it for
  citation: "۴ آبان ۱۳۹۱ (25 October 2012)". The calendar is jdatetime's, not ours.
- Arabic: Arabic month names (Django's own catalogue) and Arabic-Indic digits: "٢٥ أكتوبر ٢٠١٢".

`parse_local_date` reads what a reader of any of the three types into a search's date filter:
Solar Hijri dates ("1391-08-04", "۴ آبان ۱۳۹۱", "آبان ۱۳۹۱", "1391"), and Gregorian dates with
Persian or Arabic month names; the search form (archive.search.forms) reads the rest.
"""

import datetime
import functools
import re

import jdatetime
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import dates as django_dates
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language_info

# The digits each interface writes; languages not named here write Latin digits.
DIGITS = {"fa": "۰۱۲۳۴۵۶۷۸۹", "ar": "٠١٢٣٤٥٦٧٨٩"}
_TO_LOCAL = {code: str.maketrans("0123456789", digits) for code, digits in DIGITS.items()}
TO_LATIN = str.maketrans(
    {**{chr(0x06F0 + d): str(d) for d in range(10)}, **{chr(0x0660 + d): str(d) for d in range(10)}}
)
# Arabic letter forms a Persian reader's keyboard may type for Persian ones, and the reverse.
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u200c": " "})
# Four-digit years in this range are Solar Hijri (1300 SH is 1921, 1499 SH is 2121); the archive
# holds no piece written in 1300-1499 CE.
SOLAR_YEARS = range(1300, 1500)


def current_language():
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def is_rtl(language=None):
    return get_language_info(language or current_language())["bidi"]


def local_digits(value, language=None):
    """`value` as text, its Latin digits written the way the interface writes them."""
    table = _TO_LOCAL.get(language or current_language())
    text = str(value)
    return text.translate(table) if table else text


def solar_hijri(day):
    """The Solar Hijri (year, month, day) of a Gregorian date."""
    solar = jdatetime.date.fromgregorian(date=day)
    return solar.year, solar.month, solar.day


def reader_date_text(day, language=None):
    """The date in the interface's own calendar and digits, as plain text (no Gregorian beside a
    Solar Hijri date): what a date field shows, and reads back."""
    language = language or current_language()
    if day is None or day == "":
        return ""
    if isinstance(day, datetime.datetime):
        day = day.date()
    if language == "fa":
        year, month, number = solar_hijri(day)
        return local_digits(f"{number} {jdatetime.date.j_months_fa[month - 1]} {year}", "fa")
    with translation.override(language):
        return local_digits(date_format(day, "j F Y"), language)


def reader_date(day, language=None):
    """The date as a page shows it (HTML): in Persian, the Gregorian date follows in an isolated
    left-to-right run, so a citation can be checked against the original."""
    language = language or current_language()
    text = reader_date_text(day, language)
    if language != "fa" or not text:
        return text
    with translation.override("en"):
        gregorian = date_format(day, "j F Y")
    return format_html('{} (<bdi lang="en" dir="ltr">{}</bdi>)', text, gregorian)


def reader_month(day, language=None):
    """A Gregorian month and year ("October 2012"), the archive's browsing unit, in the
    interface's words and digits."""
    language = language or current_language()
    with translation.override(language):
        return local_digits(date_format(day, "F Y"), language)


# --- Reading dates back -----------------------------------------------------------------------

# Solar Hijri month names, in Persian and in Latin letters ("4 Aban 1391"), as parse_local_date
# compares them (Arabic letter forms made Persian, case folded).
_SOLAR_MONTHS = {
    name.translate(_LETTERS).casefold(): number
    for names in (jdatetime.date.j_months_fa, jdatetime.date.j_months_en)
    for number, name in enumerate(names, 1)
}


@functools.cache
def _gregorian_months():
    """Month names in the other interface languages (Django's catalogue): "اکتبر", "أكتوبر"."""
    names = {}
    for code, _name in settings.LANGUAGES:
        if code == "en":
            continue
        with translation.override(code):
            for number, name in django_dates.MONTHS.items():
                names[str(name).translate(_LETTERS)] = number
            for number, name in django_dates.MONTHS_ALT.items():
                names[str(name).translate(_LETTERS)] = number
    return names


def _last_solar_day(year, month):
    following = jdatetime.date(year + 1, 1, 1) if month == 12 else jdatetime.date(year, month + 1, 1)
    return following.togregorian() - datetime.timedelta(days=1)


def _solar(year, month=None, day=None, *, end=False):
    if day is not None:
        return jdatetime.date(year, month, day).togregorian()
    if month is not None:
        return _last_solar_day(year, month) if end else jdatetime.date(year, month, 1).togregorian()
    return _last_solar_day(year, 12) if end else jdatetime.date(year, 1, 1).togregorian()


def _month_end(first):
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def parse_local_date(text, *, end=False):
    """A date written the Persian or Arabic way, or a Solar Hijri one, as a Gregorian date (the
    first day of a month or year, or its last with `end`); None when `text` is none of these
    (the caller reads it as a Gregorian date). Raises ValueError for a day that does not exist."""
    # "۴ آبان ۱۳۹۱ (25 October 2012)", as the Persian pages write a date: the part before the brackets.
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = " ".join(text.translate(TO_LATIN).translate(_LETTERS).replace("،", " ").split())
    numeric = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", text)
    if numeric:
        year, month, day = (int(part) if part else None for part in numeric.groups())
        if year in SOLAR_YEARS:
            return _solar(year, month, day, end=end)
        if day is not None and "/" in text:  # 2012/10/25
            return datetime.date(year, month, day)
        return None
    words = text.split()
    day = year = None
    if len(words) == 3 and words[0].isdigit() and words[2].isdigit():
        day, name, year = int(words[0]), words[1], int(words[2])
    elif len(words) == 2 and words[1].isdigit():
        name, year = words[0], int(words[1])
    else:
        return None
    name = name.casefold()
    if name in _SOLAR_MONTHS:
        return _solar(year, _SOLAR_MONTHS[name], day, end=end)
    month = _gregorian_months().get(name)
    if month is None:
        return None
    if day is not None:
        return datetime.date(year, month, day)
    first = datetime.date(year, month, 1)
    return _month_end(first) if end else first


# --- The language switcher --------------------------------------------------------------------


def language_links(request):
    """[{code, name, url, current, bidi}] for each interface language: this page in that
    language (its address with the language's prefix), or that language's home page when this
    page has no other-language address (a page that does not exist)."""
    current = current_language()
    match = None
    if request is not None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    query = request.META.get("QUERY_STRING", "") if request is not None else ""
    links = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            url = None
            if match is not None and match.url_name and request.path_info.startswith(_prefix(current)):
                try:
                    url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
                except NoReverseMatch:
                    url = None
            same_page = url is not None
            if not same_page:
                url = reverse("home")
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "path": url,
                "url": f"{url}?{query}" if query and same_page else url,
                "current": code == current,
                "bidi": info["bidi"],
            }
        )
    return links


def address_in_language(article, language):
    """The article's page in the interface of `language` (`/fa/articles/…`), or in the default
    interface when the archive's interface does not speak it."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return article.get_absolute_url()


def _prefix(language):
    return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"
