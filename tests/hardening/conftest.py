import pytest
from django.core.cache import caches


@pytest.fixture
def rate_limited(settings):
    """Search limited to a burst of 3, refilling at 6 a minute; buckets start full."""
    settings.ARCHIVE_RATE_LIMITS = {
        "search": {"per_minute": 6, "burst": 3},
    }
    caches["ratelimit"].clear()
    yield settings.ARCHIVE_RATE_LIMITS["search"]
    caches["ratelimit"].clear()


@pytest.fixture(scope="session")
def _migrated_scratch(tmp_path_factory):
    """One migrated scratch database per run; each test gets a copy (`scratch_site`)."""
    from tests.hardening.scratch import ScratchSite

    template = ScratchSite(tmp_path_factory.mktemp("scratch-template"))
    template.manage("migrate", "--noinput", "-v", "0")
    yield template
    template.close()


@pytest.fixture
def scratch_site(_migrated_scratch, tmp_path):
    """A throw-away archive (database, index, media) for tests that run real processes."""
    from tests.hardening.scratch import ScratchSite

    site = ScratchSite(tmp_path / "site", template=_migrated_scratch)
    yield site
    site.close()
