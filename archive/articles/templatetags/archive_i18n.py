"""Dates, numbers and languages in the reader's language (archive.articles.i18n).

`{{ article.date|reader_date }}` (HTML: in Persian the Gregorian follows), `|reader_date_text`
(plain, for form fields), `|reader_month` ("October 2012"), `|digits` (a count in the
interface's digits), `{% language_links as languages %}` (the switcher) and `{% hreflang_links %}`
(the <head> alternates, absolute, with x-default the English page).
"""

from django import template
from django.core.exceptions import DisallowedHost
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_info

from archive.articles import i18n

register = template.Library()


@register.filter
def reader_date(day):
    return i18n.reader_date(day) if day else ""


@register.filter
def reader_date_text(day):
    return i18n.reader_date_text(day) if day else ""


@register.filter
def reader_month(day):
    return i18n.reader_month(day) if day else ""


@register.filter
def digits(value):
    return i18n.local_digits(value)


@register.filter
def reader_translation(article):
    """The piece's title and abstract in the interface's language, or None (lists show it first;
    the queryset prefetches `translations`: `with_reader_titles()` or `for_listing()`)."""
    return article.reader_translation(get_language())


@register.filter
def language_name_local(code):
    """A language's own name ("fa": فارسی), as the language switcher writes it."""
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


@register.simple_tag(takes_context=True)
def language_links(context):
    return i18n.language_links(context.get("request"))


@register.simple_tag(takes_context=True)
def hreflang_links(context):
    """<link rel="alternate" hreflang> for each language and x-default (English), as canonical
    addresses: only the page number is kept from the query."""
    request = context.get("request")
    if request is None:
        return ""
    page_obj = context.get("page_obj")
    query = "?" + urlencode({"page": page_obj.number}) if page_obj is not None and page_obj.number > 1 else ""
    try:
        links = [
            (link["code"], request.build_absolute_uri(link["path"] + query))
            for link in i18n.language_links(request)
        ]
    except DisallowedHost:
        return ""
    links.append(("x-default", links[0][1]))
    # A piece with the same text in another language (`also_in`, the article page): that piece is
    # the page in its language, in place of this piece's page in that interface (one address a
    # language); one in a language the interface does not speak is added.
    for other in context.get("also_in") or ():
        url = request.build_absolute_uri(i18n.address_in_language(other, other.language))
        if other.language in dict(links):
            links = [(code, url if code == other.language else href) for code, href in links]
        else:
            links.append((other.language, url))
    return format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', links)
