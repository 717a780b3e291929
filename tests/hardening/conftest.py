import pytest
from django.core.cache import caches


@pytest.fixture
def rate_limited(settings):
    """Search limited to a burst of 3, refilling at 6 a minute; buckets start full."""
    settings.ARCHIVE_RATE_LIMITS = {
        "search": {"paths": ["/search/", "/api/search/"], "per_minute": 6, "burst": 3},
    }
    caches["ratelimit"].clear()
    yield settings.ARCHIVE_RATE_LIMITS["search"]
    caches["ratelimit"].clear()


@pytest.fixture
def editor(db, django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-passphrase-42")
