"""Guards shared by the public forms that need no sign-in: a honeypot field and a rate limit.

A form declares ``website = honeypot_field()`` and its template wraps that field in
``<div class="wb-honeypot" aria-hidden="true">`` (hidden by ``core/site.css``).
A view answers a filled honeypot with the normal thank-you page, so bots learn
nothing, and a rate-limited address with a 429 page that says why.
"""

import hashlib

from django import forms
from django.core.cache import cache
from django.http import HttpRequest

HONEYPOT = "website"


def honeypot_field() -> forms.CharField:
    """Hidden from people (CSS and aria), filled in by form-filling bots."""
    return forms.CharField(required=False, label="Leave this field empty")


def is_spam(form: forms.BaseForm) -> bool:
    return bool(form.data.get(HONEYPOT))


def rate_limited(request: HttpRequest, scope: str, per_hour: int) -> bool:
    """Count this post; True once ``scope`` got more than ``per_hour`` from the address.

    The address is hashed for the cache key and never stored.
    """
    address = request.META.get("REMOTE_ADDR", "")
    key = f"{scope}:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > per_hour
