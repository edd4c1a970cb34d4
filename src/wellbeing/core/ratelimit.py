"""Per-address rate limits for the public forms, counted in the project's cache.

``@rate_limited("hub.suggest", per_hour=5)`` counts the POSTs a view receives
from one address in fixed one-hour windows; past the limit the view is not run
and the visitor gets a 429 page with ``Retry-After``. The address is hashed
before it becomes a cache key, and nothing is written to the database. GETs
are never counted. The survey's own submit path is deliberately not limited:
a whole hospital may answer from behind one address (docs/security.md).
"""

import functools
import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

View = Callable[..., HttpResponse]
WINDOW_SECONDS = 3600


def client_address(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, which the reverse proxy sets (docs/operations.md)."""
    return request.META.get("REMOTE_ADDR", "")


def count_in_window(key: str, limit: int, seconds: int) -> int:
    """Count one event of ``key`` in the current fixed window of ``seconds``: 0 while at most
    ``limit`` were counted in it, else the seconds until the next window (``Retry-After``)."""
    now = time.time()
    window = int(now // seconds)
    counter = f"{key}:{window}"
    cache.add(counter, 0, timeout=seconds * 2)
    try:
        count = cache.incr(counter)
    except ValueError:  # evicted between add and incr: count this event as the first
        cache.set(counter, 1, timeout=seconds * 2)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * seconds - now) + 1)


def hit(scope: str, request: HttpRequest, limit: int) -> int:
    """Count one request of ``scope`` from the request's address; 0 if allowed, else Retry-After."""
    if not getattr(settings, "RATE_LIMITS_ENABLED", True):
        return 0
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return count_in_window(f"ratelimit:{scope}:{address}", limit, WINDOW_SECONDS)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, round(retry_after / 60))
    response = render(request, "core/429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, *, per_hour: int) -> Callable[[View], View]:
    """Limit the POSTs of a view to ``per_hour`` from one address."""
    if per_hour < 1:
        raise ValueError(f"per_hour: expected 1 or more, got {per_hour}")

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method == "POST":
                retry_after = hit(scope, request, per_hour)
                if retry_after:
                    return too_many(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
