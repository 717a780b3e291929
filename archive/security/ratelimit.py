"""Per-client token buckets kept in a cache.

A bucket holds up to `burst` tokens and refills at `per_minute` tokens a minute; each request
takes one. An empty bucket means the client waits: `take()` says how long.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


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


def take(*, name, key, per_minute, burst, now=None):
    """Take one token from bucket `name` of client `key`."""
    cache = caches["ratelimit"]
    now = time.time() if now is None else now
    rate = per_minute / 60.0
    cache_key = f"rl:{name}:{key}"
    tokens, stamp = cache.get(cache_key, (float(burst), now))
    tokens = min(float(burst), tokens + max(0.0, now - stamp) * rate)
    if tokens >= 1.0:
        cache.set(cache_key, (tokens - 1.0, now), timeout=int(burst / rate) + 60)
        return Decision(True, 0)
    cache.set(cache_key, (tokens, now), timeout=int(burst / rate) + 60)
    return Decision(False, max(1, int((1.0 - tokens) / rate + 0.999)))


def limit_for_path(path):
    """The (name, rule) of the rate limit that applies to `path`, or None."""
    for name, rule in settings.ARCHIVE_RATE_LIMITS.items():
        if rule.get("per_minute", 0) > 0 and path in rule["paths"]:
            return name, rule
    return None
