"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout for logins made through a web request.

    axes refuses `authenticate()` calls without a request; those are not web logins (a script,
    the test client's `login()`), so this backend steps aside and lets the next backend answer.
    Every login form passes the request, so lockout still applies to all of them.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
