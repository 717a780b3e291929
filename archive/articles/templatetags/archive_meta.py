"""What a page says about itself in its <head>: description, canonical address, Open Graph.

`{% canonical_url as canonical %}` is the page's own address, absolute, with only the page
number kept from the query (`?page=2`; page 1 has none). It is built from the request, so a
cached page is right for every visitor: the page cache keys pages by scheme, host, path and
query. `{{ article|article_description }}` is a piece's abstract, or the opening of its body,
cut at a sentence end near 155 characters (archive.articles.text.meta_description).
"""

from django import template
from django.core.exceptions import DisallowedHost
from django.utils.http import urlencode

from archive.articles.text import html_opening, meta_description

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The absolute canonical address of the page being rendered, or "" without a request (the
    500 page) or when the request's host is not one we serve (the 400 page it gets)."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        path += "?" + urlencode({"page": page_obj.number})
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        return ""


@register.filter
def article_description(article):
    """The meta description of an article page: its abstract, else the opening of its body."""
    return meta_description(article.abstract or html_opening(article.body))
