import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request to /fa/ or /ar/ leaves its language active in the thread (LocaleMiddleware sets
    it per request); the next test starts in English, as every request to an English address does."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
