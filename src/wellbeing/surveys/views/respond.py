"""The respondent's path: anonymity statement, one instrument per page, submit, feedback.

Works without JavaScript. Progress between pages lives in a signed cookie
scoped to the survey's URL (nothing is stored on the server before the final
submit), and ``static/surveys/draft.js`` additionally keeps the current page's
answers in localStorage so a reload or a dropped connection loses nothing.
"""

import re
from dataclasses import dataclass

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from wellbeing.accounts.models import Unit
from wellbeing.surveys import links, scoring
from wellbeing.surveys.actions import Submission, SubmissionRefused, submit_response
from wellbeing.surveys.models import InvitationToken, Wave, hash_token
from wellbeing.surveys.questions import DEMOGRAPHICS, MAX_COMMENT_LENGTH, PREFER_NOT

COOKIE = "wb_draft"
COOKIE_MAX_AGE = 7 * 24 * 3600
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@never_cache
def respond_link(request: HttpRequest, key: str) -> HttpResponse:
    link = links.resolve(key)
    if link is None:
        return _refused(request, "unknown", status=404)
    return _respond(request, link.wave, link.unit, token=None)


@never_cache
def respond_token(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        InvitationToken.objects.select_related(
            "wave__survey__organization", "wave__version", "unit"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        return _refused(request, "unknown", status=404)
    if invitation.used and request.method == "GET":
        return _refused(request, "token_used", status=410)
    return _respond(request, invitation.wave, invitation.unit, token=token)


def _refused(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "surveys/respond_refused.html", {"reason": reason}, status=status)


class Flow:
    """The pages of one survey version and the answers gathered so far."""

    def __init__(self, wave: Wave, unit: Unit | None) -> None:
        self.wave = wave
        self.unit = unit
        version = wave.version
        self.instruments = [scoring.get_instrument(i) for i in version.instruments]
        self.licensed_text = version.licensed_text or {}
        self.demographics = [d for d in version.demographics if d != "unit" or unit is None]
        if unit is None and "unit" not in self.demographics and self.unit_choices():
            # The organization-wide link asks for the unit ("prefer not to say" allowed):
            # people who give none form a group of their own in the report, and a small one
            # would have to be hidden along with figures that protect it.
            self.demographics.insert(0, "unit")
        self.open_questions = list(version.open_questions)
        self.steps = ["intro", *[i.id for i in self.instruments]]
        if self.demographics:
            self.steps.append("about")
        if self.open_questions:
            self.steps.append("comments")
        self.minutes = scoring.estimated_minutes(
            version.instruments, self.demographics, self.open_questions
        )

    def unit_choices(self) -> list[Unit]:
        if not hasattr(self, "_units"):
            self._units = list(
                Unit.objects.filter(organization_id=self.wave.survey.organization_id).order_by(
                    "path"
                )
            )
        return self._units

    def parse_step(self, step: str, data, answers: dict, demo: dict) -> dict[str, str]:
        """Read one page's fields into answers/demo; return {field: error message}."""
        errors: dict[str, str] = {}
        if step in {i.id for i in self.instruments}:
            instrument = scoring.get_instrument(step)
            codes: list[int | None] = []
            for item in instrument.items:
                field = f"{instrument.id}__{item.id}"
                raw = data.get(field, "")
                code = _int(raw)
                if code is None or code not in item.option_set.codes:
                    codes.append(None)
                    errors[field] = (
                        _("Choose an answer for this question.")
                        if raw == ""
                        else _("That answer is not one of the options.")
                    )
                else:
                    codes.append(code)
            answers[instrument.id] = codes
        elif step == "about":
            for key in self.demographics:
                field = f"demo__{key}"
                raw = data.get(field, "")
                if raw == "":
                    demo.pop(key, None)
                elif key == "unit":
                    if raw != PREFER_NOT and not any(str(u.pk) == raw for u in self.unit_choices()):
                        errors[field] = _("That unit is not one of the options.")
                    else:
                        demo[key] = raw
                elif raw not in DEMOGRAPHICS[key].keys:
                    errors[field] = _("That answer is not one of the options.")
                else:
                    demo[key] = raw
        return errors

    def parse_comments(self, data) -> tuple[dict[int, str], dict[str, str]]:
        comments, errors = {}, {}
        for n, _question in enumerate(self.open_questions, start=1):
            text = data.get(f"open__{n}", "").replace("\x00", "").strip()
            if len(text) > MAX_COMMENT_LENGTH:
                errors[f"open__{n}"] = _(
                    "Please keep this answer under %(max)d characters (it has %(n)d)."
                ) % {
                    "max": MAX_COMMENT_LENGTH,
                    "n": len(text),
                }
            elif text:
                comments[n] = text
        return comments, errors


def _int(raw: str) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


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


def _load_draft(request: HttpRequest) -> dict:
    try:
        draft = signing.loads(
            request.COOKIES.get(COOKIE, ""), salt=request.path, max_age=COOKIE_MAX_AGE
        )
    except signing.BadSignature:
        return {}
    return draft if isinstance(draft, dict) else {}


def _respond(
    request: HttpRequest, wave: Wave, unit: Unit | None, token: str | None
) -> HttpResponse:
    if not wave.accepting_responses():
        return _refused(request, "closed", status=410)
    flow = Flow(wave, unit)
    draft = _load_draft(request)
    key = draft.get("k") if _KEY.match(str(draft.get("k", ""))) else None
    answers: dict = draft.get("a", {}) if isinstance(draft.get("a"), dict) else {}
    demo: dict = draft.get("d", {}) if isinstance(draft.get("d"), dict) else {}
    if key is None:
        key = scoring.new_idempotency_key()
    step_index = _step_index(request.GET.get("step"), flow)
    errors: dict[str, str] = {}
    comments: dict[int, str] = {}

    if request.method == "POST":
        key = _posted_key(request) or key
        step_index = _step_index(request.POST.get("step"), flow)
        step = flow.steps[step_index]
        if request.POST.get("go") == "back":
            flow.parse_step(step, request.POST, answers, demo)  # keep what was entered, unvalidated
            return _save_and_go(request, key, answers, demo, max(step_index - 1, 0))
        errors = flow.parse_step(step, request.POST, answers, demo)
        if step == "comments":
            comments, comment_errors = flow.parse_comments(request.POST)
            errors.update(comment_errors)
        if not errors:
            if step_index + 1 < len(flow.steps):
                return _save_and_go(request, key, answers, demo, step_index + 1)
            return _submit(request, flow, key, answers, demo, comments, token)

    context = {
        "flow": flow,
        "wave": wave,
        "step_index": step_index,
        "step": flow.steps[step_index],
        "answers": answers,
        "demo": demo,
        "errors": errors,
        "idempotency_key": key,
        "idempotency_field": _sign_key(request, key),
        "progress": _progress(flow, step_index),
        "comment_fields": [
            (
                n,
                q,
                request.POST.get(f"open__{n}", "") if errors else "",
                errors.get(f"open__{n}", ""),
            )
            for n, q in enumerate(flow.open_questions, start=1)
        ],
        "posted": request.POST if errors else {},
        "questions": _questions(
            flow, flow.steps[step_index], answers, demo, request.POST if errors else None, errors
        ),
    }
    response = render(request, "surveys/respond.html", context, status=400 if errors else 200)
    _set_draft(response, request, key, answers, demo)
    return response


@dataclass(frozen=True)
class Question:
    name: str
    legend: str
    options: list[tuple[str, str, bool]]  # (value, label, checked)
    error: str = ""
    hint: str = ""
    lang: str = ""  # instrument wording stays in the language it was validated in


def _questions(
    flow: Flow, step: str, answers: dict, demo: dict, posted, errors: dict
) -> list[Question]:
    def checked(name: str, stored: object) -> str:
        return (
            str(posted.get(name, ""))
            if posted is not None
            else ("" if stored is None else str(stored))
        )

    if step == "about":
        out = []
        for key in flow.demographics:
            name = f"demo__{key}"
            if key == "unit":
                choices = [(str(u.pk), u.name) for u in flow.unit_choices()] + [
                    (PREFER_NOT, _("Prefer not to say"))
                ]
                legend = _("Which unit do you work in?")
            else:
                choices = [(v, str(label)) for v, label in DEMOGRAPHICS[key].choices]
                legend = str(DEMOGRAPHICS[key].label)
            value = checked(name, demo.get(key))
            options = [(v, str(label), v == value) for v, label in choices]
            out.append(Question(name, str(legend), options, errors.get(name, ""), _("Optional")))
        return out
    instrument = next((i for i in flow.instruments if i.id == step), None)
    if instrument is None:
        return []
    stored = answers.get(instrument.id) or []
    out = []
    for n, item in enumerate(instrument.items):
        name = f"{instrument.id}__{item.id}"
        value = checked(name, stored[n] if n < len(stored) else None)
        options = [
            (str(code), label, str(code) == value)
            for code, label in scoring.option_labels(instrument, item, flow.licensed_text)
        ]
        legend = scoring.item_text(instrument, item, flow.licensed_text)
        out.append(Question(name, legend, options, errors.get(name, ""), lang="en"))
    return out


def _step_index(raw: str | None, flow: Flow) -> int:
    index = _int(raw or "0") or 0
    return min(max(index, 0), len(flow.steps) - 1)


def _progress(flow: Flow, index: int) -> dict[str, int]:
    total = len(flow.steps) - 1  # the introduction is not a question page
    return {
        "current": index,
        "total": total,
        "percent": round(100 * index / total) if total else 100,
    }


def _set_draft(
    response: HttpResponse, request: HttpRequest, key: str, answers: dict, demo: dict
) -> None:
    value = signing.dumps({"k": key, "a": answers, "d": demo}, salt=request.path, compress=True)
    response.set_cookie(
        COOKIE,
        value,
        max_age=COOKIE_MAX_AGE,
        path=request.path,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _save_and_go(
    request: HttpRequest, key: str, answers: dict, demo: dict, index: int
) -> HttpResponse:
    response = redirect(f"{request.path}?step={index}")
    response.status_code = 303
    _set_draft(response, request, key, answers, demo)
    return response


def _submit(
    request, flow: Flow, key: str, answers: dict, demo: dict, comments: dict, token: str | None
) -> HttpResponse:
    # Every instrument page must have been completed; a forged request that skips pages is refused.
    missing = [i for i in flow.instruments if not _complete(answers.get(i.id), i.n_items)]
    if missing:
        return _save_and_go(request, key, answers, demo, flow.steps.index(missing[0].id))
    unit = flow.unit
    if unit is None and demo.get("unit", PREFER_NOT) != PREFER_NOT:
        unit = next((u for u in flow.unit_choices() if str(u.pk) == demo["unit"]), None)
    demographics = {k: v for k, v in demo.items() if k != "unit"}
    submission = Submission(
        wave=flow.wave,
        unit=unit,
        idempotency_key=key,
        answers={i.id: answers[i.id] for i in flow.instruments},
        demographics=demographics,
        comments=comments,
        token=token,
    )
    try:
        response_row, _created = submit_response(submission)
    except ValueError:
        # Answers from a draft the instruments no longer accept (a definition changed while
        # the draft waited): ask again rather than fail.
        return _save_and_go(request, key, {}, demo, 1)
    except SubmissionRefused as refused:
        status = 410 if refused.reason == "closed" else 409
        return _refused(request, refused.reason, status=status)
    feedback = scoring.feedback_for(response_row.answers)
    page = render(request, "surveys/feedback.html", {"feedback": feedback, "wave": flow.wave})
    page.delete_cookie(COOKIE, path=request.path)
    return page


def _complete(codes: object, n_items: int) -> bool:
    return (
        isinstance(codes, list) and len(codes) == n_items and all(isinstance(c, int) for c in codes)
    )
