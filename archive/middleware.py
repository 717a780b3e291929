"""Site-wide response plumbing that belongs to no one app."""

from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# Text worth compressing: pages, the API, feeds, sitemaps, OAI-PMH, exports.
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/opensearchdescription+xml",
    "application/x-suggestions+json",
    "application/vnd.citationstyles.csl+json",
    "application/x-bibtex",
    "application/x-research-info-systems",
)


class CompressTextMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for the text the site renders, and nothing else.

    Streamed responses are left alone: the originals offered for download (PDF and DOCX are
    compressed already, and a download keeps its Content-Length) and static files, which
    whitenoise serves pre-compressed. Responses carrying secrets are safe to compress: Django
    masks the CSRF token afresh in every response and pads each gzip stream with a random
    number of bytes (since 4.2), which defeats BREACH-style length guessing; public pages from the
    page cache carry no secret at all.
    """

    def process_response(self, request, response):
        if response.streaming:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)


class AddressLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for addresses that name their language: /fa/... and /ar/... are
    Persian and Arabic, every other address English (i18n_patterns without an English prefix).

    A browser's Accept-Language never chooses, so responses say which language they are in
    (Content-Language) without `Vary: Accept-Language`, which would split every HTTP cache in
    front of the site by the browser's languages for nothing.
    """

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
