"""The page for requests over Django's request limits (settings, Security section).

Django refuses such a request with a bare "Bad Request (400)"; an editor who sent too many files
or too large a form should be told which limit it was and what to do instead.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.template.loader import render_to_string


def _mb(n):
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def request_limit_message(exception):
    """The sentence for a request over one of Django's request limits, or None for other 400s."""
    if isinstance(exception, TooManyFilesSent):
        return (
            f"This request sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files; the limit is "
            f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES} files at once (DATA_UPLOAD_MAX_NUMBER_FILES). Upload "
            "them in smaller groups, or import a folder or zip with manage.py import_articles. "
            "Nothing was saved."
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            f"This form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields; the limit is "
            f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} (DATA_UPLOAD_MAX_NUMBER_FIELDS). Nothing was saved."
        )
    if isinstance(exception, RequestDataTooBig):
        return (
            f"The form's text is larger than {_mb(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} (uploaded files "
            "are not counted; DATA_UPLOAD_MAX_MEMORY_SIZE). Nothing was saved."
        )
    return None


def request_too_large(request, message):
    """The 413 page for a request over one of Django's request limits (archive.errors.bad_request,
    the handler400, sends such requests here)."""
    body = render_to_string("security/request_too_large.html", {"message": message}, request=request)
    return HttpResponse(body, status=413)
