"""Template helpers for search pages."""

from django import template
from django.utils.http import urlencode

from archive.search.text import html_to_text

register = template.Library()


@register.simple_tag
def search_url(search, **changes):
    """The query string of `search` with `changes` applied (a value of "" removes that key).
    Any change other than the page goes back to page 1."""
    if "page" not in changes:
        changes["page"] = ""
    return "?" + urlencode(search.to_querydict(**changes))


@register.simple_tag
def search_facet_url(search, name, value):
    """The query string with facet `name` set to `value` ("" clears it), back on page 1."""
    return search_url(search, **{name: value})


@register.filter
def search_plain_text(body):
    """Plain text of sanitised body HTML (the index document's template)."""
    return html_to_text(body)
