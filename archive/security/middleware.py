"""Response headers Django does not set, and the search rate limit's 429."""

import json

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from archive.security import ratelimit


def csp_header_value(policy):
    return "; ".join(f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (a view may set its own).

    SecurityMiddleware already sets HSTS, X-Content-Type-Options, Referrer-Policy and
    Cross-Origin-Opener-Policy; XFrameOptionsMiddleware sets X-Frame-Options.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = csp_header_value(settings.ARCHIVE_CSP)
        self.permissions_policy = settings.ARCHIVE_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        csp = self.csp
        if request.is_secure():
            csp += "; upgrade-insecure-requests"
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class SearchRateLimitMiddleware:
    """429 for a client that searches faster than ARCHIVE_RATE_LIMITS allows (per client address).

    The searches themselves are charged where they run (archive.search.service, through
    `ratelimit.admit`/`charge`): this opens the request's meter and answers the refusal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with ratelimit.metering(request):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ratelimit.RateLimited):
            # The page speaks its address's language, whatever is active when the charge fails.
            language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
            with translation.override(language):
                return too_many_requests(request, exception.retry_after, exception.rule)
        return None


def too_many_requests(request, retry_after, rule):
    message = _(
        "Too many searches from your address: the limit is %(rate)s a minute (after a burst of "
        "%(burst)s). Please try again in %(seconds)s seconds."
    ) % {"rate": f"{rule['per_minute']:g}", "burst": rule["burst"], "seconds": retry_after}
    if _wants_json(request.path_info):
        response = HttpResponse(
            json.dumps({"error": message, "retry_after": retry_after}),
            content_type="application/json",
            status=429,
        )
    else:
        body = render_to_string(
            "security/rate_limited.html",
            {"message": message, "retry_after": retry_after},
            request=request,
        )
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# Doors whose clients read JSON: the API, the OpenSearch suggestions, JSON exports.
JSON_DOORS = ("/api/", "/opensearch/suggest/")


def _wants_json(path):
    return path.startswith(JSON_DOORS) or path.endswith(("/json/", "/csl-json/"))
