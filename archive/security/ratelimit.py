"""Per-client token buckets kept in a cache, and the meter every search charges.

A bucket holds up to `burst` tokens and refills at `per_minute` tokens a minute. An empty bucket
means the client waits: `take()` says how long.

Every door that runs a search (the search page, `/api/search/`, search feeds and exports,
autocomplete and OpenSearch suggestions, the close titles of a 404 page, any door added later)
goes through `archive.search.service`, and the service charges the request's meter there:
`admit(bucket)` before the engine is asked (one token, refused with `RateLimited` when there is
none), `charge(bucket, rows=n)` after it answers, one more token per `ROWS_PER_TOKEN` rows it
returned. So the cost grows with what a door returns (a 1,000-row export costs 21 tokens, a
page of 20 hits one), and a new door cannot forget the limit: it cannot search without the
service. A charge may leave the bucket in debt (at most one burst), which the client then waits
out. `SearchRateLimitMiddleware` opens a meter per request and turns `RateLimited` into the 429.
Outside a request (commands, tests calling the service) there is no meter and nothing is limited.
"""

import contextlib
import contextvars
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

ROWS_PER_TOKEN = 50


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind N trusted proxies the N-th X-Forwarded-For
    entry from the right (the one our own proxy appended; entries left of it are client-supplied)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.ARCHIVE_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return forwarded[-min(count, len(forwarded))]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # whole seconds until a token is available; 0 when allowed


def take(*, name, key, per_minute, burst, cost=1, now=None, force=False):
    """Take `cost` tokens from bucket `name` of client `key`: allowed when at least one token is
    there (or with `force`, always: a charge for work already done), leaving the bucket at no
    less than -burst."""
    cache = caches["ratelimit"]
    now = time.time() if now is None else now
    rate = per_minute / 60.0
    cache_key = f"rl:{name}:{key}"
    tokens, stamp = cache.get(cache_key, (float(burst), now))
    tokens = min(float(burst), tokens + max(0.0, now - stamp) * rate)
    timeout = int(2 * burst / rate) + 60
    if tokens >= 1.0 or force:
        cache.set(cache_key, (max(-float(burst), tokens - cost), now), timeout=timeout)
        return Decision(True, 0)
    cache.set(cache_key, (tokens, now), timeout=timeout)
    return Decision(False, max(1, int((1.0 - tokens) / rate + 0.999)))


def rule_for(bucket):
    """The rule of `bucket` in ARCHIVE_RATE_LIMITS, or None when it is off (a rate of 0)."""
    rule = settings.ARCHIVE_RATE_LIMITS.get(bucket)
    if rule is None or rule.get("per_minute", 0) <= 0:
        return None
    return rule


class RateLimited(Exception):
    """The client has no token left in `bucket`: answer 429 with Retry-After."""

    def __init__(self, bucket, retry_after, rule):
        super().__init__(f"rate limited ({bucket}), retry after {retry_after} s")
        self.bucket, self.retry_after, self.rule = bucket, retry_after, rule


_meter = contextvars.ContextVar("archive_search_meter", default=None)


@contextlib.contextmanager
def metering(request):
    """Charge the searches made while handling `request` to its client's buckets."""
    token = _meter.set(client_ip(request))
    try:
        yield
    finally:
        _meter.reset(token)


def admit(bucket):
    """Take one token of `bucket` from the current request's client; RateLimited when none is left."""
    key, rule = _meter.get(), rule_for(bucket)
    if key is None or rule is None:
        return
    decision = take(name=bucket, key=key, per_minute=rule["per_minute"], burst=rule["burst"])
    if not decision.allowed:
        raise RateLimited(bucket, decision.retry_after, rule)


def charge(bucket, *, rows):
    """Charge the current request's client for `rows` rows returned (after `admit`)."""
    key, rule, cost = _meter.get(), rule_for(bucket), rows // ROWS_PER_TOKEN
    if key is None or rule is None or cost <= 0:
        return
    take(name=bucket, key=key, per_minute=rule["per_minute"], burst=rule["burst"], cost=cost, force=True)
