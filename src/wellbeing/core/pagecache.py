"""Public pages kept rendered for visitors without a session, dropped when their content changes.

``@cached_page("plan", "hub")`` on a view keeps the page it renders for a visitor who
carries no session cookie and no flash message, keyed by scheme, host, path and query
string, language, htmx or not, and one *generation* token per content area the page reads
(plus ``site``, renewed by every ``migrate``). Anyone with a session (every signed-in user)
gets the view itself, never a kept page, and nothing rendered for them is kept.

What differs per visitor in a kept page, and how:

- the CSRF token of the header's language switch (and of any other form): kept as a slot
  and filled with this visitor's own masked token on every answer, so the CSRF cookie is
  set or renewed exactly as if the page had been rendered;
- language: part of the key (``Vary: Accept-Language, Cookie`` is on every answer);
- flash messages: a visitor who has some gets the view; a page that added one is not kept.

Invalidation is explicit. Each app calls ``watch(area, models)`` for the models its public
pages read, so every save, delete and many-to-many change renews the area's token (now,
and again when the transaction commits, so no process keeps a page rendered from rows read
before the commit). ``QuerySet.update()`` and ``bulk_create()`` send no signal: their
callers call ``changed(area)``. A kept page also expires after the ``pages`` cache's
timeout, which bounds what a process sees of another's change when the cache is each
process's own memory (no ``REDIS_URL``); with Redis every process sees it at once.

Tokens live in the site's cache, pages in the ``pages`` cache: a flood of addresses that
differ only in their query evicts other pages, never rate-limit counts. Tokens are random,
not counters, so a token lost from the cache can never bring back an old page. When the
cache fails, pages are rendered as if nothing were kept.
"""

import functools
import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

log = logging.getLogger(__name__)
View = Callable[..., HttpResponse]
SITE = "site"  # every page's area: renewed after each migrate (templates and data may change)
PAGES = "pages"  # the cache alias of kept pages (settings.CACHES)
GENERATION_KEY = "pagecache:generation:%s"
# What {% csrf_token %} renders (django.template.defaulttags.CsrfTokenNode): the value is
# a masked token of 64 letters and digits. Only that exact attribute pair is a slot, and
# autoescaping keeps page content from ever producing it.
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')
CSRF_SLOT = b'name="csrfmiddlewaretoken" value="wb:csrf"'
MAX_QUERY_LENGTH = 512


@dataclass(frozen=True)
class Kept:
    """A page as kept: its body with CSRF slots, and the headers its view set."""

    content: bytes
    headers: tuple[tuple[str, str], ...]
    csrf_slots: int


def cached_page(*areas: str, params: Iterable[str] = ()) -> Callable[[View], View]:
    """Keep the view's page for visitors without a session; ``areas`` name what it reads.

    ``params`` are the query parameters the view reads: an address with any other
    parameter (or a very long query) is answered by the view and not kept, so the
    kept pages are the addresses the site itself links to.
    """
    allowed = frozenset(params)

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = page_key(request, areas) if shareable(request, allowed) else None
            kept = _get(key) if key else None
            if kept is not None:
                return _private(_answer(request, kept))
            response = view(request, *args, **kwargs)
            if key and storable(request, response):
                _keep(key, request, response)
            return _private(response)

        return wrapper

    return decorator


def shareable(request: HttpRequest, allowed: frozenset[str]) -> bool:
    """Whether a kept page may answer this request: a plain GET from a visitor without a
    session (so not signed in) and without flash messages waiting in a cookie."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
        and set(request.GET).issubset(allowed)
    )


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the view's answer is the same for every visitor without a session: a whole
    200 page that set no cookie, holds no flash message and left the session untouched."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "is_rendered", True)  # a TemplateResponse not rendered yet
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not (session is not None and session.modified)
        and not len(get_messages(request))
    )


def page_key(request: HttpRequest, areas: Iterable[str]) -> str | None:
    """The cache key of this address as this visitor sees it; None when the cache fails."""
    tokens = generations((SITE, *areas))
    if tokens is None:
        return None
    htmx = "htmx" if request.META.get("HTTP_HX_REQUEST") else "page"
    parts = [request.scheme, request.get_host(), request.get_full_path(), get_language(), htmx]
    digest = hashlib.sha256("\n".join([*parts, *tokens]).encode()).hexdigest()
    return f"page:{digest}"


def generations(areas: Iterable[str]) -> list[str] | None:
    """The current token of each area (created on first use); None when the cache fails."""
    keys = [GENERATION_KEY % area for area in areas]
    try:
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, None)
                found[key] = cache.get(key)  # another process's, if it added one first
    except Exception:  # any cache backend's error: serve pages uncached rather than fail
        log.warning("page cache: generation tokens unavailable", exc_info=True)
        return None
    if any(found[key] is None for key in keys):  # evicted between add and get
        return None
    return [str(found[key]) for key in keys]


def generation(area: str) -> str | None:
    """The current token of one area: a key for anything else derived from its content."""
    tokens = generations([area])
    return tokens[0] if tokens else None


def changed(*areas: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop every kept page of ``areas``: now, and again when the transaction commits.

    Now, so the rest of this request and transaction see it; on commit, because another
    process may have rendered and kept a page from rows read before the commit."""
    _renew(areas)
    transaction.on_commit(functools.partial(_renew, areas), using=using)


def _renew(areas: Iterable[str]) -> None:
    try:
        cache.set_many({GENERATION_KEY % area: uuid.uuid4().hex for area in areas}, None)
    except Exception:  # the edit must not fail for the cache; kept pages expire anyway
        log.warning("page cache: could not renew %s", list(areas), exc_info=True)


def watch(area: str, models: Iterable[type[Model]]) -> None:
    """Renew ``area`` whenever a row of one of ``models`` is saved or deleted, or one of
    their many-to-many relations changes (from anywhere: actions, the admin, seed loads)."""
    receiver = _Renewer(area)
    for model in models:
        uid = f"pagecache:{area}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                receiver, sender=through, weak=False, dispatch_uid=f"{uid}:{field.name}"
            )


@dataclass(frozen=True)
class _Renewer:
    area: str

    def __call__(self, sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
        if kwargs.get("action", "post_").startswith("post_"):  # m2m: once, after the change
            changed(self.area, using=using)


def renew_site(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After ``migrate`` (or a test database flush): data migrations and new templates."""
    changed(SITE, using=using)


def _get(key: str) -> Kept | None:
    try:
        kept = caches[PAGES].get(key)
    except Exception:  # as in generations(): a failing cache costs speed, not the page
        log.warning("page cache: read failed", exc_info=True)
        return None
    return kept if isinstance(kept, Kept) else None


def _keep(key: str, request: HttpRequest, response: HttpResponse) -> None:
    content, slots = CSRF_FIELD.subn(CSRF_SLOT, response.content)
    secret = request.META.get("CSRF_COOKIE", "")
    if secret and secret.encode() in content:  # a token in a form we cannot see: keep nothing
        return
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() != "set-cookie")
    try:
        caches[PAGES].set(key, Kept(content, headers, slots))
    except Exception:
        log.warning("page cache: write failed", exc_info=True)


def _answer(request: HttpRequest, kept: Kept) -> HttpResponse:
    content = kept.content
    if kept.csrf_slots:
        # get_token marks the CSRF cookie for setting, as rendering {% csrf_token %} does.
        field = b'name="csrfmiddlewaretoken" value="%s"' % get_token(request).encode()
        content = content.replace(CSRF_SLOT, field)
    return HttpResponse(content, headers=dict(kept.headers))


def _private(response: HttpResponse) -> HttpResponse:
    """Every answer carries a visitor's CSRF token and cookie: a shared proxy keeps none."""
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response
