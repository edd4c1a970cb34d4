"""The respondent's path: anonymity statement, one instrument per page, submit, feedback.

Works without JavaScript, and leaves nothing that ties a person's link to their visit:

- **Token-free addresses.** A personal link (``/t/<token>/``) or an open link (``/s/<key>/``)
  is only an entrance: it is checked and answered with a redirect (303) to ``/r/<rid>/``,
  ``rid`` a fresh random id stored nowhere on the server. Every page and the final submit
  use that address, so no access log or proxy sees the token next to the times of the pages
  (``core/accesslog.py`` also logs respondent paths as ``/t/-``, ``/s/-`` and ``/r/-``).
- **A sealed draft.** Which link or token it is, the idempotency key and the answers so far
  live in one cookie scoped to that address and encrypted for it (``core.sealing``, the
  purpose bound to the path): unreadable on the device and on the wire, useless on another
  address, ignored when altered or older than ``DRAFT_DAYS``. Nothing is stored on the server
  before the final submit, and the feedback page deletes the cookie.
  ``static/surveys/draft.js`` also keeps the current page's answers in localStorage, so a
  reload or a dropped connection loses nothing.
- **Coming back.** A second cookie, on the entrances' prefix (``/t/`` or ``/s/``), holds the
  sealed address of the survey in progress, so opening the same link again resumes it.
- **Feedback of one size.** The feedback page is padded to a fixed size and marked
  ``no-transform``: its length on the wire says nothing about the scores.

What each page shows is ``surveys.pages`` (the pages of a version, their questions, and a
blank page rendered once per process); what it reads of the database is kept per process
(``links``, ``memo``), so after the first respondent only the final submit reads it.
"""

import functools
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache

from wellbeing.accounts.models import Unit
from wellbeing.core import sealing
from wellbeing.surveys import feedback, links, pages, scoring
from wellbeing.surveys.actions import Submission, SubmissionRefused, submit_response
from wellbeing.surveys.models import InvitationToken, Response, Wave, hash_token
from wellbeing.surveys.pages import Flow
from wellbeing.surveys.questions import PREFER_NOT

COOKIE = "wb_draft"
RESUME_COOKIE = "wb_resume"
DRAFT_DAYS = 7
COOKIE_MAX_AGE = DRAFT_DAYS * 24 * 3600
# Every feedback page is padded to this size (a larger survey's to a multiple of it): far
# above any page the catalogue can make, so no set of scores reaches the next size.
FEEDBACK_BYTES = 64 * 1024
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_RID = re.compile(r"^[A-Za-z0-9_-]{22}$")
_RID_BYTES = 16  # token_urlsafe(16): 22 characters
# The entrances: a draft's source names the route its reference (token or link key) opens.
_ENTRANCES = {"t": ("surveys:respond_token", "token"), "s": ("surveys:respond_link", "key")}
_SEALED_BLOCK = 256  # drafts are padded to a multiple of this before sealing
_FILLER_MIN = len(b"<!--  -->\n")


def _unlogged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep Django's request logger from writing this view's 4xx answers with their path.

    It logs every 4xx as ``"Gone: /t/<token>/"``: a personal token, or the address of a
    survey in progress, with the time, in the error log. The status still reaches the access
    log, whose respondent paths are redacted (``core/accesslog.py``); server errors are
    logged as usual.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code < 500:
            response._has_been_logged = True  # type: ignore[attr-defined]  # log_response reads it
        return response

    return wrapped


@never_cache
@_unlogged
def respond_link(request: HttpRequest, key: str) -> HttpResponse:
    """An open link's entrance: check it, then go on at a token-free address."""
    link = links.resolve(key)
    if link is None:
        return _refused(request, "unknown", status=404)
    return _enter(request, link.wave, "s", key)


@never_cache
@_unlogged
def respond_token(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link's entrance: check the token, then go on at a token-free address."""
    invitation = _invitation(token)
    if invitation is None:
        return _refused(request, "unknown", status=404)
    if invitation.used:
        response = _refused(request, "token_used", status=410)
        if _resumable(request) is not None:
            _forget_resume(response, "t")
        return response
    return _enter(request, invitation.wave, "t", token)


@never_cache
@_unlogged
def respond(request: HttpRequest, rid: str) -> HttpResponse:
    """Every page of a survey in progress and its final submit, at ``/r/<rid>/``.

    The draft cookie of this address is the only thing that says which survey this is;
    without it (expired, another browser, already submitted) the person is asked to open
    their link again."""
    draft = _load_draft(request) if _RID.match(rid) else None
    if draft is None:
        response = _refused(request, "restart", status=410)
        # The entrance would send them back here: it must start afresh instead.
        for source in _ENTRANCES:
            _forget_resume(response, source)
        return response
    found = _find(draft)
    if found is None:
        return _refused(request, "unknown", status=404)
    wave, unit, used = found
    if used and request.method == "GET":
        # Answered in another browser; a POST goes on so a retried submit gets its feedback.
        return _refused(request, "token_used", status=410)
    return _respond(request, wave, unit, draft)


def _invitation(token: str) -> InvitationToken | None:
    return (
        InvitationToken.objects.select_related(
            "wave__survey__organization", "wave__version", "unit"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def _find(draft: "Draft") -> tuple[Wave, Unit | None, bool] | None:
    """The wave and unit of the draft's link or token, and whether the token is used."""
    if draft.source == "s":
        link = links.resolve(draft.ref)
        return None if link is None else (link.wave, link.unit, False)
    invitation = _invitation(draft.ref)
    return None if invitation is None else (invitation.wave, invitation.unit, invitation.used)


def _enter(request: HttpRequest, wave: Wave, source: str, ref: str) -> HttpResponse:
    """Send the person to their survey's token-free address: the one in progress, or a new one."""
    if not wave.accepting_responses():
        return _refused(request, "closed", status=410)
    resumed = _resumable(request)
    if resumed is not None:
        return _see_other(resumed)
    rid = secrets.token_urlsafe(_RID_BYTES)
    path = reverse("surveys:respond", kwargs={"rid": rid})
    response = _see_other(path)
    draft = Draft(source=source, ref=ref, key=scoring.new_idempotency_key())
    _set_draft(response, request, path, draft)
    _set_resume(response, request, source, rid)
    return response


def _refused(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "surveys/respond_refused.html", {"reason": reason}, status=status)


def _see_other(path: str) -> HttpResponse:
    response = redirect(path)
    response.status_code = 303
    return response


# -- the sealed cookies -------------------------------------------------------------------------


@dataclass
class Draft:
    """One respondent's state between pages, sealed into the cookie of their own address."""

    source: str  # "t": a personal token, "s": an open link
    ref: str  # the token or the link key: how each page finds the wave and unit again
    key: str  # the idempotency key of the final submit
    answers: dict = field(default_factory=dict)
    demo: dict = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        return self.ref if self.source == "t" else None

    def payload(self) -> dict:
        """What is sealed; an expiry day, not a time, so the cookie holds no time of day."""
        expires = timezone.localdate() + timedelta(days=DRAFT_DAYS)
        return {
            "src": self.source,
            "ref": self.ref,
            "k": self.key,
            "a": self.answers,
            "d": self.demo,
            "exp": expires.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: object) -> "Draft | None":
        """The draft of an unsealed payload, or None when it is malformed or expired."""
        if not isinstance(payload, dict) or not _unexpired(payload.get("exp")):
            return None
        source, ref, key = payload.get("src"), payload.get("ref"), payload.get("k")
        answers, demo = payload.get("a"), payload.get("d")
        if source not in _ENTRANCES or not isinstance(ref, str) or not ref:
            return None
        if not isinstance(key, str) or not _KEY.match(key):
            return None
        if not isinstance(answers, dict) or not isinstance(demo, dict):
            return None
        return cls(source, ref, key, answers, demo)

    def sealed(self, path: str) -> str:
        """The cookie value of this draft at ``path``: it opens there and nowhere else."""
        return _seal(self.payload(), _draft_purpose(path))

    @classmethod
    def unsealed(cls, text: str, path: str) -> "Draft | None":
        """The draft sealed in ``text`` for ``path``; None when absent, altered or expired."""
        return cls.from_payload(_unseal(text, _draft_purpose(path)))


def _unexpired(expires: object) -> bool:
    try:
        return date.fromisoformat(str(expires)) >= timezone.localdate()
    except ValueError:
        return False


def _seal(payload: dict, purpose: str) -> str:
    """Seal ``payload``, padded so the cookie's length does not follow the answers closely."""
    data = json.dumps(payload, separators=(",", ":")).encode()
    data += b" " * (-len(data) % _SEALED_BLOCK)
    return sealing.seal_text(data, purpose)


def _unseal(text: str, purpose: str) -> object:
    """The payload sealed in ``text`` for ``purpose``, or None (absent, altered, another path)."""
    if not text:
        return None
    try:
        return json.loads(sealing.unseal_text(text, purpose))
    except (sealing.Unsealable, ValueError):
        return None


def _draft_purpose(path: str) -> str:
    return f"respondent-draft:{path}"


def _load_draft(request: HttpRequest) -> Draft | None:
    return Draft.unsealed(request.COOKIES.get(COOKIE, ""), request.path)


def _secure(request: HttpRequest) -> bool:
    """Secure over HTTPS, behind the TLS proxy too (``SECURE_PROXY_SSL_HEADER``), and
    whenever the session cookie is."""
    return request.is_secure() or bool(settings.SESSION_COOKIE_SECURE)


def _set_draft(response: HttpResponse, request: HttpRequest, path: str, draft: Draft) -> None:
    response.set_cookie(
        COOKIE,
        draft.sealed(path),
        max_age=COOKIE_MAX_AGE,
        path=path,
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )


def _entrance_prefix(source: str) -> str:
    """``/t/`` or ``/s/``: where the resume cookie lives, shared by every link of its kind so
    that forgetting it never needs the token in a header."""
    name, param = _ENTRANCES[source]
    return reverse(name, kwargs={param: "-"}).removesuffix("-/")


def _resume_purpose(entrance: str) -> str:
    return f"respondent-resume:{entrance}"


def _resumable(request: HttpRequest) -> str | None:
    """The address of the survey in progress from this entrance (``request.path``), if any:
    the resume cookie is shared by every link of its kind but opens only for its own."""
    payload = _unseal(request.COOKIES.get(RESUME_COOKIE, ""), _resume_purpose(request.path))
    if not isinstance(payload, dict) or not _unexpired(payload.get("exp")):
        return None
    rid = payload.get("rid")
    if not isinstance(rid, str) or not _RID.match(rid):
        return None
    return reverse("surveys:respond", kwargs={"rid": rid})


def _set_resume(response: HttpResponse, request: HttpRequest, source: str, rid: str) -> None:
    expires = timezone.localdate() + timedelta(days=DRAFT_DAYS)
    response.set_cookie(
        RESUME_COOKIE,
        _seal({"rid": rid, "exp": expires.isoformat()}, _resume_purpose(request.path)),
        max_age=COOKIE_MAX_AGE,
        path=_entrance_prefix(source),
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )


def _forget_resume(response: HttpResponse, source: str) -> None:
    response.delete_cookie(RESUME_COOKIE, path=_entrance_prefix(source), samesite="Lax")


# -- the pages ----------------------------------------------------------------------------------


def _sign_key(request: HttpRequest, key: str) -> str:
    return signing.dumps(key, salt=f"wb-idempotency:{request.path}")


def _posted_key(request: HttpRequest) -> str | None:
    """The key this server issued to the form (signed), never one the client made up:
    a chosen key could otherwise fetch the feedback of a stored response."""
    try:
        key = signing.loads(
            request.POST.get("idempotency_key", ""),
            salt=f"wb-idempotency:{request.path}",
            max_age=COOKIE_MAX_AGE,
        )
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) and _KEY.match(key) else None


def _respond(request: HttpRequest, wave: Wave, unit: Unit | None, draft: Draft) -> HttpResponse:
    if not wave.accepting_responses():
        return _refused(request, "closed", status=410)
    flow = Flow(wave, unit)
    step_index = pages.step_index(request.GET.get("step"), flow)
    errors: dict[str, str] = {}
    comments: dict[int, str] = {}

    if request.method == "POST":
        draft.key = _posted_key(request) or draft.key
        step_index = pages.step_index(request.POST.get("step"), flow)
        step = flow.steps[step_index]
        if request.POST.get("go") == "back":
            # Keep what was entered, unvalidated.
            flow.parse_step(step, request.POST, draft.answers, draft.demo)
            return _save_and_go(request, draft, max(step_index - 1, 0))
        errors = flow.parse_step(step, request.POST, draft.answers, draft.demo)
        if step == "comments":
            comments, comment_errors = flow.parse_comments(request.POST)
            errors.update(comment_errors)
        if not errors:
            if step_index + 1 < len(flow.steps):
                return _save_and_go(request, draft, step_index + 1)
            return _submit(request, flow, draft, comments)

    posted = request.POST if errors else None
    page = pages.page_context(flow, step_index, draft.answers, draft.demo, posted, errors)
    mine = pages.Mine(request.path, get_token(request), draft.key, _sign_key(request, draft.key))
    context = {
        **page,
        "idempotency_key": draft.key,
        "idempotency_field": mine.idempotency_field,
        "csrf_token": mine.csrf_token,  # the page's one token (the language switch's too)
        "page": pages.step_page(page, mine),
    }
    response = render(request, "surveys/respond.html", context, status=400 if errors else 200)
    _set_draft(response, request, request.path, draft)
    return response


def _save_and_go(request: HttpRequest, draft: Draft, index: int) -> HttpResponse:
    response = _see_other(f"{request.path}?step={index}")
    _set_draft(response, request, request.path, draft)
    return response


def _submit(request: HttpRequest, flow: Flow, draft: Draft, comments: dict) -> HttpResponse:
    answers, demo = draft.answers, draft.demo
    # Every instrument page must have been completed; a forged request that skips pages is refused.
    missing = [i for i in flow.instruments if not _complete(answers.get(i.id), i.n_items)]
    if missing:
        return _save_and_go(request, draft, flow.steps.index(missing[0].id))
    unit = flow.unit
    if unit is None and demo.get("unit", PREFER_NOT) != PREFER_NOT:
        unit = next((u for u in flow.unit_choices() if str(u.pk) == demo["unit"]), None)
    submission = Submission(
        wave=flow.wave,
        unit=unit,
        idempotency_key=draft.key,
        answers={i.id: answers[i.id] for i in flow.instruments},
        demographics={k: v for k, v in demo.items() if k != "unit"},
        comments=comments,
        token=draft.token,
    )
    try:
        stored, created = submit_response(submission)
    except ValueError:
        # Answers from a draft the instruments no longer accept (a definition changed while
        # the draft waited): ask again rather than fail.
        return _save_and_go(request, replace(draft, answers={}), 1)
    except SubmissionRefused as refused:
        return _submit_refused(request, draft, refused.reason)
    if not created and not _same_submission(stored, submission):
        # Belt and braces for the action's own "key_reused": feedback is only ever shown for
        # the answers of this very request, never for a response someone else stored.
        return _submit_refused(request, draft, "key_reused")
    context = {"feedback": feedback.feedback_page(submission.answers), "wave": flow.wave}
    page = render(request, "surveys/feedback.html", context)
    page.delete_cookie(COOKIE, path=request.path, samesite="Lax")
    _forget_resume(page, draft.source)
    return _padded(page)


def _submit_refused(request: HttpRequest, draft: Draft, reason: str) -> HttpResponse:
    """The refusal page of a submit. The draft cookie is kept (with "key_reused" the answers
    were not sent), but the link no longer resumes it: its key would be refused again, so
    opening the link starts afresh, as the page advises."""
    response = _refused(request, reason, status=410 if reason == "closed" else 409)
    _forget_resume(response, draft.source)
    return response


def _same_submission(stored: Response, submission: Submission) -> bool:
    unit_id = submission.unit.pk if submission.unit is not None else None
    return (
        stored.answers == submission.answers
        and stored.demographics == submission.demographics
        and stored.unit_id == unit_id
    )


def _padded(response: HttpResponse) -> HttpResponse:
    """Pad the page to a multiple of ``FEEDBACK_BYTES`` with an HTML comment, uncompressed.

    A page's length shows through TLS; a feedback page's would follow the scores (bands,
    the support alert). ``no-transform`` keeps proxies from compressing it, which would
    make the length follow the content again; nothing in MIDDLEWARE compresses."""
    body = response.content
    size = -(-(len(body) + _FILLER_MIN) // FEEDBACK_BYTES) * FEEDBACK_BYTES
    filler = b"<!-- " + b"." * (size - len(body) - _FILLER_MIN) + b" -->\n"
    at = body.rfind(b"</body>")
    at = len(body) if at < 0 else at
    response.content = body[:at] + filler + body[at:]
    patch_cache_control(response, no_store=True, no_transform=True)
    return response


def _complete(codes: object, n_items: int) -> bool:
    return (
        isinstance(codes, list) and len(codes) == n_items and all(isinstance(c, int) for c in codes)
    )
