"""Publication dates as files write them.

`parse_date(text)` reads a date that stands alone (a date line, a metadata value):
ISO 8601 with or without a time, "12 March 2021", "March 12, 2021", "March 2021", German and
French month names ("31. Dezember 2016", "7 mai 2019"), numeric day-first forms ("19.01.2020",
"19/01/2020"), Persian and Arabic month names and digits, and Solar Hijri (Jalali) dates, which
jdatetime converts to the Gregorian calendar.

`find_date(text)` looks for one inside a longer line ("Published: 3 May 2019", "Dublin, 21 Jun
2021", an arXiv stamp, "Proceedings ..., July 5 - 10, 2020", "تاریخ: 1401/06/01" in Persian digits).
"""

import datetime
import re

import jdatetime

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12, "okt": 10, "dez": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12, "janv": 1, "févr": 2, "avr": 4, "juil": 7,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # Arabic (Levantine and Egyptian/Gulf names) and Persian names of the Gregorian months
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6, "تموز": 7,
    "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "مايو": 5, "يونيو": 6,
    "يوليو": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12, "ژانویه": 1, "فوریه": 2, "مه": 5, "ژوئن": 6, "ژوئیه": 7, "اوت": 8, "سپتامبر": 9,
    "اکتبر": 10, "نوامبر": 11, "دسامبر": 12, "آوریل": 4,
}  # fmt: skip
# Solar Hijri month names (Persian).
JALALI_MONTHS = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "شهریور": 6, "مهر": 7,
    "آبان": 8, "آذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}  # fmt: skip

_ALL_MONTHS = {**MONTHS, **JALALI_MONTHS}
# One month name, or a pair written "آب/اغسطس" (the Levantine and the Egyptian name together).
_NAME = "|".join(sorted((re.escape(m) for m in _ALL_MONTHS), key=len, reverse=True))
_MONTH = rf"(?P<month>(?:{_NAME})(?:\s*/\s*(?:{_NAME}))?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?P<year>\d{4})"
_B = r"(?<![\w/.\-])"  # no letter, digit or date separator just before
_E = r"(?![\w/\-]|\.\d)"  # and none just after
_WEEKDAY = (
    r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\.?,?\s+"
)

_FORMS = [
    # ISO: 2021-06-21, 2021-06-21T10:00:00+02:00, 2021/06/21, 20210621 is left out (too ambiguous)
    (
        "ymd",
        re.compile(_B + r"(?P<year>\d{4})[-/.](?P<mnum>\d{1,2})[-/.](?P<day>\d{1,2})(?=$|[T\s,;)]|[^\w])"),
    ),
    # Day first: 19.01.2020, 19/01/2020, 19-01-2020
    ("dmy", re.compile(_B + r"(?P<day>\d{1,2})[./\-](?P<mnum>\d{1,2})[./\-](?P<year>\d{4})" + _E)),
    # 21 June 2021, 21. Juni 2021, 1er mai 2019, 21 Jun 2021, 4 آب/اغسطس 2013, 1 Shahrivar 1401
    (
        "dMy",
        re.compile(
            _B + _DAY + r"\s*(?:of\s+|de\s+)?" + _MONTH + r",?\s+(?:de\s+|سنة\s+|سال\s+)?" + _YEAR + _E, re.I
        ),
    ),
    # June 21, 2021; July 5 - 10, 2020 (a range: its first day)
    (
        "Mdy",
        re.compile(
            _B + _MONTH + r"\s+" + _DAY + r"(?:\s*[-\u2013]\s*(?:\w+\s+)?\d{1,2})?,?\s+" + _YEAR + _E, re.I
        ),
    ),
    # June 2021 (the first of the month)
    ("My", re.compile(_B + _MONTH + r",?\s+" + _YEAR + _E, re.I)),
]


def _month_number(name):
    first = re.split(r"\s*/\s*", name.strip().rstrip("."))[0]
    key = first.lower()
    if key in JALALI_MONTHS:
        return JALALI_MONTHS[key], True
    return MONTHS.get(key), False


def _make(year, month, day, *, jalali=False):
    try:
        if jalali or year < 1500:
            if not 1300 <= year <= 1500:
                return None
            return jdatetime.date(year, month, day).togregorian()
        if not 1800 <= year <= 2100:
            return None
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _from_match(kind, match):
    parts = match.groupdict()
    year = int(parts["year"])
    jalali = False
    if parts.get("mnum"):
        month = int(parts["mnum"])
    else:
        month, jalali = _month_number(parts["month"])
        if month is None:
            return None
    day = int(parts["day"]) if parts.get("day") else 1
    return _make(year, month, day, jalali=jalali)


def _clean(text):
    text = (text or "").translate(_DIGITS).replace("\u060c", ",")
    text = text.replace("\u200f", "").replace("\u200e", "")
    return " ".join(text.split())


_LEAD = re.compile(
    r"^(?:(?:published|posted|date|dated|updated|first published|publié le|publiée? le|"
    r"veröffentlicht(?: am)?|datum|stand|تاریخ|التاريخ|تاريخ النشر|منتشر شده)"
    r"\s*(?:on|am|le)?\s*[:\-]?\s*)?(?:" + _WEEKDAY + r")?",
    re.I,
)


_LEFTOVER = re.compile(
    r"(?:[T\s]*[\d:.]+\s*(?:[ap]\.?m\.?)?\s*(?:Z|[+\-]\d{2}:?\d{2}|[A-Z]{2,4})?|\w+day|[\u0600-\u06ff]+)",
    re.I,
)


def parse_date(text):
    """The date of a line that is only a date (perhaps with a label, a weekday or a time); else None."""
    text = _LEAD.sub("", _clean(text)).strip(" .,")
    if not text or len(text) > 60:
        return None
    for kind, form in _FORMS:
        match = form.search(text)
        if not match:
            continue
        rest = (text[: match.start()] + text[match.end() :]).strip(" ,.")
        # Only a time, a zone or a weekday may be left over.
        if rest and not _LEFTOVER.fullmatch(rest):
            continue
        return _from_match(kind, match)
    return None


def find_date(text):
    """The first date written inside `text` (any of the forms above); else None."""
    text = _clean(text)
    best = None
    for kind, form in _FORMS:
        for match in form.finditer(text):
            date = _from_match(kind, match)
            if date and (best is None or match.start() < best[0]):
                best = (match.start(), date)
                break
    return best[1] if best else None


def iso_date(value):
    """The calendar date of a metadata value (ISO 8601 with or without time; the date as written,
    not moved to another time zone); else None."""
    value = _clean(value)
    match = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s])", value)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]))
    match = _CTIME.match(value)
    if match and match["month"].casefold() in MONTHS:
        return _make(int(match["year"]), MONTHS[match["month"].casefold()], int(match["day"]))
    return parse_date(value)


# Java's and C's date string, which some sites put in their tags: "Mon Aug 03 12:45:00 EDT 2015".
_CTIME = re.compile(
    r"^[A-Za-z]{3},?\s+(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s+[A-Z]{2,5})?\s+(?P<year>\d{4})$"
)
