"""Cross-origin reads of the public machine endpoints: one place sets `Access-Control-Allow-Origin`.

The JSON API (`/api/`), the citation exports (`/export/`) and the OpenSearch suggestions are
read-only and public, so any web page may read them (`Access-Control-Allow-Origin: *`, no
credentials): every response under `ARCHIVE_CORS_PATHS` gets the header, errors (400, 404, 429,
503) included, so a browser client can read why it failed. A preflight (`OPTIONS` with
`Access-Control-Request-Method`) is answered here with 204. Nothing else on the site is
cross-origin readable.
"""

from django.conf import settings
from django.http import HttpResponse

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
PREFLIGHT_MAX_AGE = "86400"


def is_cors_path(path):
    return any(path.startswith(prefix) for prefix in settings.ARCHIVE_CORS_PATHS)


class PublicReadCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cors_path(request.path_info):
            return self.get_response(request)
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            requested = request.headers.get("Access-Control-Request-Headers")
            if requested:
                response["Access-Control-Allow-Headers"] = requested[:200]
            response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        return response
