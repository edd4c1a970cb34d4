"""Guards shared by the public forms that need no sign-in: a honeypot field and a rate limit.

A form declares ``website = honeypot_field()`` and its template wraps that field in
``<div class="wb-honeypot" aria-hidden="true">`` (hidden by ``core/site.css``).
A view answers a filled honeypot with the normal thank-you page, so bots learn
nothing, and a rate-limited address with a 429 page that says why (counted by
``core.ratelimit``, one counter for every public form).
"""

from django import forms
from django.http import HttpRequest

from wellbeing.core import ratelimit

HONEYPOT = "website"


def honeypot_field() -> forms.CharField:
    """Hidden from people (CSS and aria), filled in by form-filling bots."""
    return forms.CharField(required=False, label="Leave this field empty")


def is_spam(form: forms.BaseForm) -> bool:
    return bool(form.data.get(HONEYPOT))


def over_limit(request: HttpRequest, scope: str, per_hour: int) -> int:
    """Count this post with ``core.ratelimit``'s counter: 0 while the address is within
    ``per_hour`` for ``scope``, else the seconds until it may post again (``Retry-After``).
    For views that answer with their own form and a message rather than the 429 page of
    ``core.ratelimit.rate_limited``."""
    return ratelimit.hit(scope, request, per_hour)
