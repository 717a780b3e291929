"""Template helpers for search pages and the hooks archive.search fills."""

from django import template
from django.utils.http import urlencode

from archive.search.documents import html_to_text
from archive.search.service import related_articles

register = template.Library()


@register.simple_tag
def search_url(params, **changes):
    """The query string of `params` with `changes` applied (a value of "" removes that key).
    Any change other than the page goes back to page 1."""
    if "page" not in changes:
        changes["page"] = ""
    return "?" + urlencode(params.to_querydict(**changes))


@register.simple_tag
def search_facet_url(params, name, value):
    """The query string with facet `name` set to `value` ("" clears it), back on page 1."""
    return search_url(params, **{name: value})


@register.simple_tag
def related_to(article, limit=5):
    return related_articles(article, limit=limit)


@register.filter
def search_plain_text(body):
    """Plain text of sanitised body HTML (the index document's template)."""
    return html_to_text(body)
