"""The operations tests' world: one object of every kind a URL can name, owned by org A.

``world`` builds on the shared actors of ``tests/conftest.py`` (org A = ``org``,
org B = ``other_org`` whose admin is ``outsider``) and returns the values that
fill every URL pattern's arguments, plus the secrets the actors need (a survey
link, API tokens of both organizations). Support grants: ``support_staff`` may
read org A's reports; ``staff_curator`` may read org B's, which must open nothing
of org A.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef"
    "0000000049454e44ae426082"
)


@dataclass
class World:
    kwargs: dict[str, Any] = field(default_factory=dict)
    link_key: str = ""
    token_a: str = ""
    token_b: str = ""


def _survey_objects(org, units, org_admin, world: World) -> None:
    from wellbeing.api import actions as api_actions
    from wellbeing.surveys import actions
    from wellbeing.surveys.imports import run

    now = timezone.now()
    survey = actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout", "who5"],
        demographics=["role"],
        open_questions=["What would help most?"],
        actor=org_admin,
    )
    wave = actions.create_wave(
        survey=survey,
        name="Spring",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
        actor=org_admin,
    )
    link = actions.open_links(wave=wave, units=[None], actor=org_admin)[0]
    actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    [invitation] = actions.issue_tokens(wave=wave, count=1, actor=org_admin)
    # Results so far, published: every report page and export has figures to show.
    from wellbeing.reports import door

    actions.record_synthetic_responses(
        wave=wave,
        rows=[
            actions.ImportedResponse(
                f"ops-{i}", units["ed"], {"single-item-burnout": [2], "who5": [3] * 5}, {}
            )
            for i in range(6)
        ],
    )
    door.publish_interim(org_admin, org, wave)
    # Files are imported only into a wave that never opened: an earlier survey's.
    earlier = actions.create_wave(
        survey=survey,
        name="Earlier",
        opens_at=now - dt.timedelta(days=400),
        closes_at=now - dt.timedelta(days=380),
        actor=org_admin,
    )
    job = run.upload(
        wave=earlier,
        filename="earlier.csv",
        content=b"ResponseId,burnout\nR_1,2\n",
        preset="auto",
        actor=org_admin,
    )
    token = api_actions.create_token(
        organization=org,
        name="Dashboard",
        scopes=["surveys:read", "reports:read", "progress:read", "progress:write"],
        expires_at=now + dt.timedelta(days=30),
        actor=org_admin,
    )
    world.link_key = link.key
    world.token_a = token.secret
    world.kwargs.update(
        slug=org.slug,
        survey_pk=survey.pk,
        wave_pk=wave.pk,
        import_wave_pk=earlier.pk,
        unit_pk=units["ed"].pk,
        job_pk=job.pk,
        token_pk=token.token.pk,
        key=link.key,
        token=invitation,
    )


def _campaign_objects(org, org_admin, staff_curator, world: World) -> None:
    from wellbeing.campaign import actions
    from wellbeing.plan.models import PriorityArea

    area = PriorityArea.objects.order_by("number").first()
    participant = actions.sign_on(
        user=org_admin,
        organization=org,
        signer_name="Alice Admin",
        signer_title="Chief Wellness Officer",
        authority_statement="Alice Admin: I may commit Riverbend.",
        role="accelerator",
        priority_areas=[area],
        is_public=True,
    )
    confirm = actions.confirmation_token(participant)
    actions.confirm_email(confirm)
    participant = actions.approve(participant, actor=staff_curator, notify=False)
    commitment = actions.add_commitment(
        participant,
        actor=org_admin,
        title="Lower burnout in nursing",
        priority_area=area,
        goal_statement="Halve the share of nurses who report burnout.",
        metric=actions.MetricInput(
            name="Share reporting burnout",
            unit="%",
            direction="decrease",
            baseline_value=Decimal("42"),
            baseline_date=dt.date(2026, 1, 15),
            target_value=Decimal("30"),
            target_date=dt.date(2027, 12, 31),
        ),
    )
    support = actions.request_support(
        participant, actor=org_admin, topic="Survey design", description="Which scales?"
    )
    world.kwargs.update(
        participant_pk=participant.pk,
        commitment_pk=commitment.pk,
        metric_pk=commitment.metrics.get().pk,
        request_pk=support.pk,
        confirm=confirm,
        area_slug=area.slug,
    )


def _hub_objects(org_admin, world: World) -> None:
    from wellbeing.hub import actions

    resource, _ = actions.upsert_resource(
        {
            "slug": "peer-support",
            "title": "Peer support programs",
            "summary": "Colleagues listen after adverse events.",
            "kind": "case-study",
            "url": "https://example.org/peer-support",
            "source": "https://example.org/peer-support",
            "status": "published",
        },
        priority_areas=[],
        factors=[],
        case_study={
            "organization": "Example Clinic (fictional, for tests)",
            "setting": "primary-care",
            "population": "Primary-care physicians",
            "challenge": "Evenings spent on notes",
            "intervention": "Peer listeners after adverse events",
        },
        outcomes=[],
    )
    saved = actions.save_to_list(org_admin, resource, "Reading")
    world.kwargs.update(resource_slug=resource.slug, list_pk=saved.pk)


def _engage_objects(staff_curator, world: World) -> None:
    from wellbeing.engage.actions import events, gallery, questionnaires
    from wellbeing.engage.models import Event, ToolkitItem

    start = timezone.now() + dt.timedelta(days=10)
    event = Event.objects.create(
        title="Peer support, in practice",
        slug="peer-support-event",
        summary="How three hospitals run peer support.",
        format=Event.Format.HYBRID,
        venue="Main auditorium",
        host="Riverbend Health (synthetic)",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        online_url="https://meet.example.org/peer",
        capacity=10,
        published=True,
    )
    registration, _ = events.register(
        event=event, name="Ray", email="ray@example.org", site="http://testserver"
    )
    graphic = ToolkitItem(
        key="share-card", kind=ToolkitItem.Kind.GRAPHIC, title="Share card", alt_text="A card."
    )
    graphic.graphic.save("card.png", ContentFile(PNG_1PX), save=False)
    graphic.save()
    work = gallery.submit_artwork(
        gallery.ArtworkSubmission(
            title="Night shift",
            artist_name="R. Rivera (synthetic)",
            location="Omaha, NE",
            perspective="clinician",
            medium="writing",
            alt_text="",
            media_url="",
            writing="The hours after midnight.",
            statement="What the night feels like.",
            licence="cc-by-4.0",
            consent_to_publish=True,
            contact_email="rivera@example.org",
        )
    )
    gallery.moderate_artwork(work=work, approve=True, note="", actor=staff_curator)
    host = gallery.request_hosting(
        institution="Riverbend Health (synthetic)",
        venue="Main lobby",
        location="Omaha, NE",
        starts_on=dt.date(2027, 3, 1),
        ends_on=dt.date(2027, 3, 31),
        contact_name="Ray",
        contact_email="ray@example.org",
    )
    questionnaire = questionnaires.create_questionnaire(
        title="Clinicians during the crisis",
        slug="crisis-2027",
        intro="Effects of the crisis on clinicians' lives and work.",
        instruments=["single-item-burnout"],
        demographics=["role"],
        open_questions=["What helped?"],
        opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=30),
        actor=staff_curator,
    )
    theme = questionnaire.themes.create(label="Staffing", question=1)
    _consultation_objects(staff_curator, world)
    world.kwargs.update(
        event_slug=event.slug,
        cancel=events.cancel_token(registration),
        graphic_pk=graphic.pk,
        work_pk=work.pk,
        host_pk=host.pk,
        questionnaire_slug=questionnaire.slug,
        theme_pk=theme.pk,
    )


def _consultation_objects(staff_curator, world: World) -> None:
    from wellbeing.engage.actions import consultations, contact, updates

    draft = consultations.create_consultation(
        title="A demonstration draft (synthetic)",
        slug="demo-draft",
        summary="Synthetic draft for the authorization matrix.",
        opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=30),
        zone="America/New_York",
        sections=[consultations.DraftSection("One", ["First paragraph.", "Second paragraph."])],
        actor=staff_curator,
    )
    paragraph = draft.paragraphs.order_by("position").first()
    comment = consultations.submit_comment(
        consultation=draft,
        paragraph=paragraph,
        body="A comment.",
        email="commenter@example.org",
        site="http://testserver",
    )
    subscriber = updates.subscribe("reader@example.org", ["events"], "http://testserver")
    # Another address for the preferences link: the walk unsubscribes the first one.
    keeper = updates.subscribe("keeper@example.org", ["events"], "http://testserver")
    newsletter = updates.create_newsletter(
        subject="News", body="Text.", topics=["events"], actor=staff_curator
    )
    message = contact.send_contact_message(
        name="Ray", email="ray@example.org", topic="other", message="Hello."
    )
    world.kwargs.update(
        consultation_slug=draft.slug,
        anchor=paragraph.anchor,
        comment_pk=comment.pk,
        verify=consultations.verify_token(comment),
        subscribe_confirm=updates.confirm_token(subscriber),
        unsubscribe=updates.unsubscribe_path(subscriber).rstrip("/").rsplit("/", 1)[-1],
        preferences=updates.preferences_path(keeper).rstrip("/").rsplit("/", 1)[-1],
        newsletter_pk=newsletter.pk,
        contact_pk=message.pk,
    )


def _accounts_objects(org, org_admin, world: World) -> None:
    """A unit, a member and invitations of their own, for the set-up pages to act on."""
    from wellbeing.accounts import actions
    from wellbeing.accounts.models import User

    spare = actions.add_unit(organization=org, name="Pharmacy", actor=org_admin)
    pat = User.objects.create_user("pat@riverbend.test", "a-long-test-password")
    membership = actions.add_member(organization=org, user=pat, actor=org_admin)
    to_accept = actions.invite_member(organization=org, email="nia@riverbend.test", actor=org_admin)
    to_cancel = actions.invite_member(organization=org, email="ned@riverbend.test", actor=org_admin)
    world.kwargs.update(
        spare_unit_pk=spare.pk,
        spare_member_pk=membership.pk,
        spare_invite_pk=to_cancel.invite.pk,
        invite_token=to_accept.token,
    )


@pytest.fixture
def support_staff(db):
    """Campaign staff whom org A's admin lets read its reports (``world`` grants it)."""
    from wellbeing.accounts.models import User

    return User.objects.create_user("sue@campaign.test", "a-long-test-password", is_staff=True)


def _support_grants(world: World, org, other_org, org_admin, outsider, support, staff) -> None:
    from wellbeing.reports import actions

    grant = actions.grant_support_access(
        organization=org, staff_user=support, days=7, actor=org_admin
    ).grant
    actions.grant_support_access(organization=other_org, staff_user=staff, days=7, actor=outsider)
    world.kwargs.update(grant_pk=grant.pk)


@pytest.fixture
def world(
    settings,
    tmp_path,
    org,
    other_org,
    units,
    org_admin,
    unit_lead,
    clinician,
    staff_curator,
    outsider,
    support_staff,
):
    """Org A owns one of everything; org B (the outsider's) has an API token of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(org, other_org, units, org_admin, staff_curator, outsider, support_staff)


def build_world(org, other_org, units, org_admin, staff_curator, outsider, support_staff) -> World:
    """The world without fixtures: the browser crawl (tests/browser/_crawl.py) builds it once."""
    from wellbeing.api import actions as api_actions

    built = World()
    _survey_objects(org, units, org_admin, built)
    _campaign_objects(org, org_admin, staff_curator, built)
    _hub_objects(org_admin, built)
    _engage_objects(staff_curator, built)
    _support_grants(built, org, other_org, org_admin, outsider, support_staff, staff_curator)
    _accounts_objects(org, org_admin, built)
    built.token_b = api_actions.create_token(
        organization=other_org,
        name="Lakeside dashboard",
        scopes=["surveys:read", "reports:read", "progress:read", "progress:write"],
        expires_at=timezone.now() + dt.timedelta(days=30),
        actor=outsider,
    ).secret
    return built
