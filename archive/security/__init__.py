"""Security that spans the site: response headers (CSP, Permissions-Policy), rate limits, login lockout."""
