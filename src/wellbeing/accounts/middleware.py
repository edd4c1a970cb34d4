"""Privileged sessions: a second factor before anything else, and a shorter idle timeout.

Staff and organization admins (``two_factor.is_privileged``) must verify a
second factor (``WELLBEING_REQUIRE_2FA``) before any page but enrolment,
verification and sign-out; and a privileged session idle for longer than
``PRIVILEGED_IDLE_MINUTES`` is signed out. Members keep Django's session age.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from wellbeing.accounts import two_factor

SEEN = "wb_privileged_seen"
# Whether the session's user is privileged, decided at sign-in (so pages cost no query):
# a role granted later applies from the next sign-in; sessions without it decide once.
PRIVILEGED = "wb_privileged"
SEEN_RESOLUTION = 30  # seconds: the session is written at most this often for the timestamp
OPEN_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz")


def mark_session(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """On sign-in: remember whether the user is privileged, and start the idle clock."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[PRIVILEGED] = two_factor.is_privileged(user)  # type: ignore[arg-type]
    request.session[SEEN] = int(time.time())


def _privileged(request: HttpRequest) -> bool:
    flag = request.session.get(PRIVILEGED)
    if flag is None:
        flag = request.session[PRIVILEGED] = two_factor.is_privileged(request.user)
    return bool(flag)


class PrivilegedSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if not _privileged(request):
            return self.get_response(request)
        expired = self._idle_expired(request)
        if expired is not None:
            return expired
        gate = self._second_factor_gate(request)
        return gate if gate is not None else self.get_response(request)

    def _idle_expired(self, request: HttpRequest) -> HttpResponse | None:
        now = int(time.time())
        seen = request.session.get(SEEN)
        limit = int(getattr(settings, "PRIVILEGED_IDLE_MINUTES", 30)) * 60
        if seen is not None and now - int(seen) > limit:
            logout(request)
            messages.info(request, "You were signed out after a period of inactivity.")
            login = reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()})
            return redirect(login)
        if seen is None or now - int(seen) >= SEEN_RESOLUTION:
            request.session[SEEN] = now
        return None

    def _second_factor_gate(self, request: HttpRequest) -> HttpResponse | None:
        if not getattr(settings, "WELLBEING_REQUIRE_2FA", False):
            return None
        if request.user.is_verified():  # type: ignore[union-attr]  # set by OTPMiddleware
            return None
        allowed = {
            reverse("accounts:two_factor_setup"),
            reverse("accounts:two_factor_verify"),
            reverse("accounts:logout"),
        }
        if request.path in allowed:
            return None
        target = (
            "accounts:two_factor_verify"
            if two_factor.has_device(request.user)  # type: ignore[arg-type]
            else "accounts:two_factor_setup"
        )
        return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
