"""Search rate limiting per client address, admin login lockout, request size limits."""

import pytest
from django.core.cache import caches

from archive.security import ratelimit


@pytest.mark.django_db
def test_a_burst_of_searches_is_cut_off_with_a_clear_429(client, rate_limited):
    statuses = [client.get("/search/", {"q": f"iraq {n}"}).status_code for n in range(3)]
    assert 429 not in statuses
    response = client.get("/search/", {"q": "iraq again"})
    assert response.status_code == 429
    assert response["Retry-After"] == "10"  # 6 a minute: one token every 10 s
    page = response.content.decode()
    assert "<h1>Too many searches</h1>" in page
    assert "the limit is 6 a minute (after a burst of 3). Please try again in 10 seconds." in page
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.django_db
def test_the_api_and_the_page_share_one_bucket_and_the_api_answers_json(client, rate_limited):
    for _ in range(3):
        assert client.get("/search/", {"q": "x"}).status_code != 429
    response = client.get("/api/search/", {"q": "x"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "Too many searches from your address: the limit is 6 a minute (after a burst of 3). "
        "Please try again in 10 seconds.",
        "retry_after": 10,
    }


@pytest.mark.django_db
def test_cheap_pages_and_other_clients_are_not_limited(client, rate_limited, make_article):
    article = make_article("Cheap page")
    for _ in range(4):
        client.get("/search/", {"q": "x"})
    assert client.get("/search/", {"q": "x"}).status_code == 429
    assert client.get("/search/", {"q": "x"}, REMOTE_ADDR="203.0.113.9").status_code != 429
    for _ in range(10):
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/articles/").status_code == 200


def test_the_bucket_refills_at_the_configured_rate(rate_limited):
    def take(now):
        return ratelimit.take(name="search", key="198.51.100.1", per_minute=6, burst=3, now=now)

    assert [take(1000.0).allowed for _ in range(4)] == [True, True, True, False]
    assert take(1005.0) == ratelimit.Decision(False, 5)  # half a token back
    assert take(1010.0).allowed is True  # a whole token after 10 s
    assert take(1010.0).allowed is False
    assert take(2000.0).allowed is True  # full again, but never beyond the burst
    assert [take(2000.0).allowed for _ in range(3)] == [True, True, False]


def test_limits_off_when_the_rate_is_zero(settings):
    settings.ARCHIVE_RATE_LIMITS = {"search": {"per_minute": 0, "burst": 1}}
    assert ratelimit.rule_for("search") is None
    settings.ARCHIVE_RATE_LIMITS = {"search": {"per_minute": 1, "burst": 1}}
    assert ratelimit.rule_for("search") == {"per_minute": 1, "burst": 1}
    assert ratelimit.rule_for("suggest") is None  # a bucket not configured is not limited


def test_client_address_behind_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    settings.ARCHIVE_PROXY_COUNT = 0
    assert ratelimit.client_ip(request) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.ARCHIVE_PROXY_COUNT = 1
    assert ratelimit.client_ip(request) == "198.51.100.7"  # the client cannot spoof past our proxy
    settings.ARCHIVE_PROXY_COUNT = 2
    assert ratelimit.client_ip(request) == "6.6.6.6"
    settings.ARCHIVE_PROXY_COUNT = 1
    assert ratelimit.client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_rate_limit_cache_is_separate_from_the_default_cache(rate_limited):
    ratelimit.take(name="search", key="k", per_minute=6, burst=3)
    caches["default"].clear()
    assert caches["ratelimit"].get("rl:search:k") is not None


def login(client, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password}, **extra)


@pytest.mark.django_db
def test_admin_login_locks_out_after_five_failures(client, editor, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = login(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = login(client, "wrong")
    assert response.status_code == 429
    assert "<h1>Sign-in locked</h1>" in response.content.decode()
    # Locked out: even the right password is refused from this address ...
    response = login(client, "a-long-passphrase-42")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ... while the editor can still sign in from elsewhere.
    assert login(client, "a-long-passphrase-42", REMOTE_ADDR="192.0.2.44").status_code == 302


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client, editor):
    for _ in range(4):
        login(client, "wrong")
    assert login(client, "a-long-passphrase-42").status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "wrong").status_code == 200


@pytest.mark.django_db
def test_programmatic_login_without_a_request_still_works(client, editor):
    assert client.login(username="editor", password="a-long-passphrase-42") is True


@pytest.mark.django_db
def test_request_limits(client, settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 50
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 16 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/admin/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413  # RequestDataTooBig: a page naming the limit, not a 500
    assert "The form&#x27;s text is larger than 1,000 bytes" in response.content.decode()
