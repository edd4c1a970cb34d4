"""Network questionnaires: fielded through the survey engine, themed by ``analysis.themes``."""

import contextlib
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from wellbeing.accounts import actions as accounts_actions
from wellbeing.accounts.models import Organization, User
from wellbeing.core.models import audit
from wellbeing.engage.models import Questionnaire, Theme, ThemeAssignment
from wellbeing.surveys import actions as survey_actions
from wellbeing.surveys.models import Comment, Wave

NETWORK_SLUG = "network"
NETWORK_NAME = "Clinician well-being network"


def _require_staff(actor: User) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionError("actor: expected campaign staff")


def network_organization(*, synthetic: bool = False) -> Organization:
    """The organization that owns network questionnaires; it has no members, so only staff see it.

    A demo database creates it as synthetic, like every other organization there.
    """
    org = Organization.objects.filter(slug=NETWORK_SLUG).first()
    return org or accounts_actions.create_organization(
        name=NETWORK_NAME, kind=Organization.Kind.OTHER, slug=NETWORK_SLUG, is_synthetic=synthetic
    )


@transaction.atomic
def create_questionnaire(
    *,
    title: str,
    slug: str,
    intro: str,
    instruments: Sequence[str],
    demographics: Sequence[str],
    open_questions: Sequence[str],
    opens_at: datetime,
    closes_at: datetime,
    actor: User,
    is_demo: bool = False,
) -> Questionnaire:
    """A survey of the network organization with one open wave and an open link."""
    _require_staff(actor)
    survey = survey_actions.create_survey(
        organization=network_organization(synthetic=is_demo),
        name=title,
        instruments=list(instruments),
        demographics=list(demographics),
        open_questions=list(open_questions),
        actor=actor,
    )
    wave = survey_actions.create_wave(
        survey=survey, name=title, opens_at=opens_at, closes_at=closes_at, actor=actor
    )
    survey_actions.set_wave_status(wave=wave, status=Wave.Status.OPEN, actor=actor)
    survey_actions.open_links(wave=wave, units=[None], actor=actor)
    questionnaire = Questionnaire.objects.create(
        title=title, slug=slug, intro=intro, wave=wave, created_by=actor, is_demo=is_demo
    )
    audit("questionnaire.create", actor=actor, target=questionnaire)
    return questionnaire


@transaction.atomic
def group_answers(*, questionnaire: Questionnaire, actor: User, k: int | None = None) -> int:
    """(Re)group every open question's answers into themes; replaces staff edits. Returns themes made."""
    # Here, not at the top: analysis.themes loads scikit-learn (and with it scipy and pandas),
    # seconds that every web worker would otherwise pay at start-up for a staff-only action.
    from analysis.themes import group_themes

    _require_staff(actor)
    Theme.objects.filter(questionnaire=questionnaire).delete()
    made = 0
    for number in range(1, len(questionnaire.wave.version.open_questions) + 1):
        comments = list(
            Comment.objects.filter(wave=questionnaire.wave, question=number).order_by("pk")
        )
        result = group_themes([c.text for c in comments], k=k)
        for position, found in enumerate(result.themes):
            theme = Theme.objects.create(
                questionnaire=questionnaire,
                question=number,
                label=found.label[:200],
                terms=list(found.terms),
                quote_ids=[comments[i].pk for i in found.quotes],
                position=position,
            )
            ThemeAssignment.objects.bulk_create(
                [ThemeAssignment(theme=theme, comment=comments[i]) for i in found.members]
            )
            made += 1
    audit("questionnaire.group", actor=actor, target=questionnaire, themes=made)
    return made


@transaction.atomic
def rename_theme(*, theme: Theme, label: str, actor: User) -> Theme:
    _require_staff(actor)
    label = label.strip()
    if not label:
        raise ValueError("label: expected a non-empty name")
    theme.label = label[:200]
    theme.save(update_fields=["label"])
    audit("theme.rename", actor=actor, target=theme)
    return theme


@transaction.atomic
def merge_themes(*, into: Theme, others: Sequence[Theme], actor: User) -> Theme:
    """Move the answers of ``others`` into ``into``; the other themes are removed."""
    _require_staff(actor)
    others = [t for t in others if t.pk != into.pk]
    for other in others:
        if other.questionnaire_id != into.questionnaire_id or other.question != into.question:
            raise ValueError("others: expected themes of the same open question")
    ThemeAssignment.objects.filter(theme__in=others).update(theme=into)
    into.quote_ids = list(into.quote_ids) + [q for t in others for q in t.quote_ids]
    into.terms = list(dict.fromkeys([*into.terms, *(term for t in others for term in t.terms)]))
    into.save(update_fields=["quote_ids", "terms"])
    Theme.objects.filter(pk__in=[t.pk for t in others]).delete()
    audit("theme.merge", actor=actor, target=into, merged=len(others))
    return into


@transaction.atomic
def publish_results(*, questionnaire: Questionnaire, public: bool, actor: User) -> Questionnaire:
    """Make the results page public (or not). Publishing while the questionnaire is still open
    also publishes its results so far (``reports.door``: the page shows releases, never live
    figures); with too few new answers since the last results, those stay."""
    from wellbeing.reports import door

    _require_staff(actor)
    wave = questionnaire.wave
    if public and wave.collects and wave.accepting_responses():
        with contextlib.suppress(door.ReleaseRefused):
            door.publish_campaign_interim(actor, wave)
    questionnaire.results_public = public
    questionnaire.save(update_fields=["results_public"])
    audit(
        "questionnaire.publish" if public else "questionnaire.unpublish",
        actor=actor,
        target=questionnaire,
    )
    return questionnaire
