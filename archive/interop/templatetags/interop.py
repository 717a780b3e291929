"""Template tags of archive.interop: the machine-readable head of an article page."""

import json

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from archive.interop import citations

register = template.Library()

# JSON inside <script> must not be able to close the element or open a comment.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def original_pdf_url(article, absolute_url):
    """Where the original PDF is downloaded, when the article has one."""
    if not article.original_file or not article.original_file.name.lower().endswith(".pdf"):
        return ""
    return absolute_url(reverse("originals:download", kwargs={"slug": article.slug}))


@register.simple_tag(takes_context=True)
def article_citation_meta(context, article):
    """Highwire Press `<meta name="citation_...">` tags for the article."""
    absolute_url = context["request"].build_absolute_uri
    tags = citations.highwire_tags(
        article, absolute_url=absolute_url, pdf_url=original_pdf_url(article, absolute_url)
    )
    return format_html_join("\n", '<meta name="{}" content="{}">', tags)


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    """schema.org JSON-LD for the article, as a data block (allowed under the site's CSP)."""
    data = citations.json_ld(article, absolute_url=context["request"].build_absolute_uri)
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
