"""The pages of a survey version: which pages, their questions, and their rendering.

A respondent's page is the same for everyone who reaches it with nothing answered on it yet
(most page views: each page is first seen blank), apart from four values of the request: the
form's address, its CSRF token, the idempotency key and its signed copy. Such a page is
rendered once per process and kept (``step_page``) with a marker in each of those places,
and every request fills in its own values; a page with an answer checked or an error shown
is rendered afresh and never kept. What a kept page shows comes from its wave, survey,
version, organization and units, so it is forgotten when one of those changes here and
kept at most ``links.TTL`` seconds, as the open links are. A version's pages
(``Definition``) and an organization's units are kept the same way, so a respondent's
page reads nothing from the database once the first respondent of the process has.
"""

import secrets
from dataclasses import dataclass, fields

from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from instruments import Instrument
from wellbeing.accounts.models import Organization, Unit
from wellbeing.surveys import links, scoring
from wellbeing.surveys.memo import Memo
from wellbeing.surveys.models import Survey, SurveyVersion, Wave
from wellbeing.surveys.questions import DEMOGRAPHICS, MAX_COMMENT_LENGTH, PREFER_NOT

PAGE = "surveys/_page.html"

# An organization's units in use, per organization: a few hundred model instances at most.
_UNITS: Memo[int, list[Unit]] = Memo(
    "units", ttl=links.TTL, senders=(Unit, Organization), max_entries=256
)


def _units_in_use(org_id: int) -> list[Unit]:
    return list(
        Unit.objects.filter(organization_id=org_id, retired_at__isnull=True).order_by("path")
    )


@dataclass(frozen=True)
class Definition:
    """The pages of a survey version, for a link to a unit or to the whole organization."""

    instruments: list[Instrument]
    licensed_text: dict
    demographics: list[str]
    open_questions: list[str]
    steps: list[str]
    minutes: int

    @classmethod
    def of(cls, version: SurveyVersion, asks_unit: bool) -> "Definition":
        demographics = [d for d in version.demographics if d != "unit" or asks_unit]
        if asks_unit and "unit" not in demographics:
            # The organization-wide link asks for the unit ("prefer not to say" allowed):
            # people who give none form a group of their own in the report, and a small one
            # would have to be hidden along with figures that protect it.
            demographics.insert(0, "unit")
        instruments = [scoring.get_instrument(i) for i in version.instruments]
        open_questions = list(version.open_questions)
        steps = ["intro", *[i.id for i in instruments]]
        if demographics:
            steps.append("about")
        if open_questions:
            steps.append("comments")
        minutes = scoring.estimated_minutes(version.instruments, demographics, open_questions)
        return cls(
            instruments, version.licensed_text or {}, demographics, open_questions, steps, minutes
        )


# Every request of a respondent builds its Flow; what it holds of the version is worked out
# once per process (a version's questions are frozen; its licensed wording may be edited).
_DEFINITIONS: Memo[tuple, Definition] = Memo("definitions", ttl=links.TTL, senders=(SurveyVersion,))


class Flow:
    """The pages of one survey version and the answers gathered so far.

    Its lists are shared by every Flow of the same version (``Definition``): read them only.
    """

    def __init__(self, wave: Wave, unit: Unit | None) -> None:
        self.wave = wave
        self.unit = unit
        # Only a link to the whole organization asks for the unit: when the survey asks
        # for it, or when the organization has units to choose from (Definition.of).
        asks_unit = unit is None and (
            "unit" in wave.version.demographics or bool(self.unit_choices())
        )
        key = (wave.version_id, asks_unit)
        definition = _DEFINITIONS.get(key, lambda: Definition.of(wave.version, asks_unit))
        self.instruments = definition.instruments
        self.licensed_text = definition.licensed_text
        self.demographics = definition.demographics
        self.open_questions = definition.open_questions
        self.steps = definition.steps
        self.minutes = definition.minutes

    def unit_choices(self) -> list[Unit]:
        """The organization's units in use, kept in this process like its open links: every
        page of the organization-wide link asks whether there are any."""
        org_id = self.wave.survey.organization_id
        return _UNITS.get(org_id, lambda: _units_in_use(org_id))

    def parse_step(self, step: str, data, answers: dict, demo: dict) -> dict[str, str]:
        """Read one page's fields into answers/demo; return {field: error message}."""
        errors: dict[str, str] = {}
        if step in {i.id for i in self.instruments}:
            instrument = scoring.get_instrument(step)
            codes: list[int | None] = []
            for item in instrument.items:
                field = f"{instrument.id}__{item.id}"
                raw = data.get(field, "")
                code = int_or_none(raw)
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


def int_or_none(raw: str) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Question:
    name: str
    legend: str
    options: list[tuple[str, str, bool]]  # (value, label, checked)
    error: str = ""
    hint: str = ""
    lang: str = ""  # instrument wording stays in the language it was validated in


def questions(
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
    lang = scoring.wording_language(instrument, get_language())
    out = []
    for n, item in enumerate(instrument.items):
        name = f"{instrument.id}__{item.id}"
        value = checked(name, stored[n] if n < len(stored) else None)
        options = [
            (str(code), label, str(code) == value)
            for code, label in scoring.option_labels(instrument, item, flow.licensed_text, lang)
        ]
        legend = scoring.item_text(instrument, item, flow.licensed_text, lang)
        out.append(Question(name, legend, options, errors.get(name, ""), lang=lang))
    return out


@dataclass(frozen=True)
class Wording:
    """An instrument page's introduction: its stem, in the language its items are shown in."""

    stem: str
    lang: str
    english_only: bool  # the visitor reads another language and no translation ships


def wording(flow: Flow, step: str) -> Wording | None:
    instrument = next((i for i in flow.instruments if i.id == step), None)
    if instrument is None:
        return None
    current = get_language() or scoring.SOURCE_LANGUAGE
    lang = scoring.wording_language(instrument, current)
    return Wording(scoring.stem_text(instrument, lang), lang, lang != current.split("-")[0])


def step_index(raw: str | None, flow: Flow) -> int:
    index = int_or_none(raw or "0") or 0
    return min(max(index, 0), len(flow.steps) - 1)


def progress(flow: Flow, index: int) -> dict[str, int]:
    total = len(flow.steps) - 1  # the introduction is not a question page
    return {
        "current": index,
        "total": total,
        "percent": round(100 * index / total) if total else 100,
    }


@dataclass(frozen=True)
class Mine:
    """What a page holds of one respondent's request (filled into a kept page)."""

    action: str  # the form's address: the respondent's own /r/<rid>/
    csrf_token: str
    idempotency_key: str
    idempotency_field: str  # the key signed for this address


# Markers of this process where a kept page takes each request's values: letters, digits
# and hyphens, so escaping leaves them as they are, and random, so no wording contains one.
_MARKERS = Mine(*(f"wb-{secrets.token_hex(8)}-{f.name}" for f in fields(Mine)))
# A page is 2 to 15 kB ("about you" grows with the units): at most 1,000 (memo.MAX_ENTRIES).
_PAGES: Memo[tuple, str] = Memo(
    "pages", ttl=links.TTL, senders=(Wave, Survey, SurveyVersion, Unit, Organization)
)


def page_context(
    flow: Flow, index: int, answers: dict, demo: dict, posted=None, errors: dict | None = None
) -> dict:
    """What page ``index`` shows, with ``answers`` and ``demo`` so far; ``posted`` (the POST
    data of a page with ``errors``) puts back what was entered."""
    errors = errors or {}
    step = flow.steps[index]
    return {
        "flow": flow,
        "wave": flow.wave,
        "step_index": index,
        "step": step,
        "answers": answers,
        "demo": demo,
        "errors": errors,
        "posted": posted if errors else {},
        "progress": progress(flow, index),
        "wording": wording(flow, step),
        "comment_fields": [
            (n, q, posted.get(f"open__{n}", "") if errors else "", errors.get(f"open__{n}", ""))
            for n, q in enumerate(flow.open_questions, start=1)
        ],
        "questions": questions(flow, step, answers, demo, posted if errors else None, errors),
    }


def step_page(page: dict, mine: Mine) -> SafeString:
    """The form of a page (``page_context``): kept per process while blank, else rendered."""
    if page["errors"] or any(checked for q in page["questions"] for _v, _l, checked in q.options):
        return _render(page, mine)
    flow = page["flow"]
    unit = flow.unit.pk if flow.unit is not None else None
    key = (flow.wave.pk, unit, page["step_index"], get_language())
    kept = _PAGES.get(key, lambda: _render(page, _MARKERS))
    for f in fields(Mine):
        kept = kept.replace(getattr(_MARKERS, f.name), conditional_escape(getattr(mine, f.name)))
    return SafeString(kept)


def _render(page: dict, mine: Mine) -> SafeString:
    # {% csrf_token %} reads ``csrf_token``; the rest of ``mine`` stays under its own name,
    # apart from the page's (tests read a response's context by name).
    context = {**page, "mine": mine, "csrf_token": mine.csrf_token}
    return SafeString(render_to_string(PAGE, context))
