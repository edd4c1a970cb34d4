"""What people read on the campaign's pages: names, not slugs; order by name; headings."""

import re
from itertools import pairwise

import pytest
from django.urls import reverse

DIRECTORY = reverse("campaign:directory")
EXPLORER = reverse("campaign:explorer")
INDEX = reverse("campaign:index")
ACTION_TEXT = "Offer confidential peer support to every clinician after an adverse event"


def headings(html):
    """The heading levels of the page's main content, in document order."""
    main = html.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]


@pytest.fixture
def action(db):
    """A verified recommended action that the Plan gives no number (so only a slug)."""
    from tests.campaign.conftest import area

    from wellbeing.plan.models import RecommendedAction

    return RecommendedAction.objects.create(
        priority_area=area(),
        slug="test-action-peer-support-after-adverse-events",
        code="",
        text=ACTION_TEXT,
        verified=True,
        source="Test source",
    )


@pytest.fixture
def committed_to_action(approved, org_admin, action):
    from tests.campaign.conftest import area, metric

    from wellbeing.campaign import actions

    return actions.add_commitment(
        approved,
        actor=org_admin,
        title="Peer support after adverse events",
        priority_area=area(),
        action=action,
        goal_statement="Every unit has trained peer supporters.",
        metric=metric(),
    )


@pytest.mark.django_db
def test_a_commitment_names_its_plan_action_by_its_wording_never_its_slug(
    client, org_admin, committed_to_action, action
):
    client.force_login(org_admin)
    pages = [
        EXPLORER,
        committed_to_action.participant.get_absolute_url(),
        committed_to_action.get_absolute_url(),
        reverse("campaign:commitment_new", args=[committed_to_action.participant_id]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert ACTION_TEXT[:40] in html, url
        # The slug may be an address (a link's #fragment), never words on the page.
        assert re.search(rf">[^<]*{action.slug}", html) is None, url


@pytest.mark.django_db
def test_a_numbered_action_shows_the_plans_number(client, committed_to_action, action):
    from wellbeing.plan.models import RecommendedAction

    RecommendedAction.objects.filter(pk=action.pk).update(code="9.9.Z")
    html = client.get(EXPLORER).content.decode()
    assert "Plan action 9.9.Z</a>" in html and ACTION_TEXT[:40] in html


@pytest.mark.django_db
def test_an_action_whose_wording_is_not_verified_shows_no_wording(
    client, committed_to_action, action
):
    from wellbeing.plan.models import RecommendedAction

    RecommendedAction.objects.filter(pk=action.pk).update(verified=False)
    html = client.get(EXPLORER).content.decode()
    assert ACTION_TEXT[:40] not in html
    assert "A recommended action of the Plan" in html


@pytest.mark.django_db
def test_a_metric_linked_to_a_survey_names_its_scale_not_its_key(
    client, org, org_admin, commitment
):
    from wellbeing.campaign import actions
    from wellbeing.surveys import actions as survey_actions

    survey = survey_actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout"],
        demographics=[],
        open_questions=[],
        actor=org_admin,
    )
    actions.link_metric_to_survey(
        commitment.metrics.get(),
        actor=org_admin,
        survey=survey,
        scale="single-item-burnout.score",
        statistic="share",
    )
    client.force_login(org_admin)
    html = client.get(commitment.get_absolute_url()).content.decode()
    assert "Single-item burnout measure: Burnout rating (1-5)" in html
    assert "single-item-burnout.score" not in html


@pytest.mark.django_db
def test_the_commitments_page_goes_from_its_h1_to_an_h2_before_any_h3(client, commitment):
    for query in ({}, {"area": "measurement-assessment-strategies-and-research"}):
        levels = headings(client.get(EXPLORER, query).content.decode())
        assert levels[:3] == [1, 2, 3], (query, levels)
        assert all(b - a <= 1 for a, b in pairwise(levels)), levels


@pytest.mark.django_db
def test_every_public_campaign_page_keeps_its_heading_order(client, commitment, approved):
    for url in (INDEX, DIRECTORY, approved.get_absolute_url(), reverse("campaign:join")):
        levels = headings(client.get(url).content.decode())
        assert levels[0] == 1, url
        assert all(b - a <= 1 for a, b in pairwise(levels)), (url, levels)


@pytest.mark.django_db
def test_no_radio_group_of_a_campaign_form_offers_a_blank_choice(client, approved, org_admin):
    from wellbeing.campaign.models import Participant

    Participant.objects.filter(pk=approved.pk).update(role="node")  # so it may move up
    pages = [reverse("campaign:sign_on_institution"), reverse("campaign:sign_on_individual")]
    anonymous = [client.get(url).content.decode() for url in pages]
    client.force_login(org_admin)
    manage = client.get(reverse("campaign:manage", args=[approved.pk])).content.decode()
    for html in [*anonymous, manage]:
        assert "---------" not in html
        radios = re.findall(r'<input[^>]*type="radio"[^>]*>', html)
        assert radios and not [r for r in radios if 'value=""' in r]


def _participant(name, state, *, organization=True):
    """An approved, listed participant in ``state`` (an institution or an individual)."""
    from wellbeing.accounts.models import Organization, User
    from wellbeing.campaign.models import Participant

    slug = re.sub(r"\W+", "-", f"{name} {state}".lower())
    user = User.objects.create_user(f"{slug}@example.test", "a-long-test-password")
    org = None
    if organization:
        org = Organization.objects.create(name=name, slug=slug, kind="hospital_clinic", state=state)
    return Participant.objects.create(
        organization=org,
        user=user,
        display_name=name,
        individual_state="" if organization else state,
        role="node",
        status="approved",
        is_public=True,
        signer_name=name,
        authority_statement="Test.",
    )


@pytest.mark.django_db
def test_the_movement_counts_states_in_alphabetical_order_of_their_names(client):
    # By postal code this would read Alaska (AK), Alabama (AL), Arkansas (AR), American Samoa (AS).
    for name, code in [("A", "AK"), ("B", "AL"), ("C", "AR"), ("D", "AS")]:
        _participant(f"Hospital {name}", code)
    _participant("Pat Person", "", organization=False)
    html = client.get(INDEX).content.decode()
    table = html.split("By state</caption>", 1)[1].split("</table>", 1)[0]
    names = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert names == ["Alabama", "Alaska", "American Samoa", "Arkansas", "State not given"]


@pytest.mark.django_db
def test_the_directory_lists_each_participant_once_and_narrows_to_a_state(client):
    # Two institutions with the same name in two states, an individual, and several
    # priority areas each: still one row per participant.
    from wellbeing.plan.models import PriorityArea

    first = _participant("St. Example Hospital", "OH")
    second = _participant("St. Example Hospital", "TX")
    person = _participant("Pat Person", "OH", organization=False)
    for p in (first, second, person):
        p.priority_areas.set(PriorityArea.objects.all())
    html = client.get(DIRECTORY).content.decode()
    assert html.count('data-label="Participant"') == 3
    assert html.count(f'href="{first.get_absolute_url()}"') == 1
    assert html.count(f'href="{second.get_absolute_url()}"') == 1
    ohio = client.get(DIRECTORY, {"state": "OH"}).content.decode()
    assert ohio.count('data-label="Participant"') == 2
    assert f'href="{second.get_absolute_url()}"' not in ohio
    assert f'href="{person.get_absolute_url()}"' in ohio
    options = re.findall(r'<option value="[A-Z]{2}"[^>]*>([^<]+)</option>', html)
    assert options == sorted(options) and "Ohio" in options


@pytest.mark.django_db
def test_an_unknown_state_or_role_in_the_directory_shows_everyone_not_an_error(client, approved):
    response = client.get(DIRECTORY, {"state": "<script>", "role": "nobody"})
    assert response.status_code == 200
    assert response.content.decode().count('data-label="Participant"') == 1


@pytest.mark.django_db
def test_every_sector_of_an_organization_has_a_campaign_name():
    from wellbeing.accounts.models import Organization
    from wellbeing.campaign.labels import SECTOR_LABELS

    assert set(SECTOR_LABELS) == set(Organization.Kind.values)


@pytest.mark.django_db
def test_the_growth_chart_keeps_its_first_and_last_month_labels_inside_the_chart(
    client, make_world
):
    """The last label ends at the chart's right edge instead of starting there (it was cut:
    "Nov 202"); the browser test measures the drawn labels at both widths."""
    make_world(participants=30, commitments=0)
    html = client.get(INDEX).content.decode()
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    labels = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"[^>]*>(\w{3} \d{4})<', svg
    )
    assert len(labels) >= 2
    first_x, first_anchor, _ = labels[0]
    last_x, last_anchor, _ = labels[1]
    assert first_anchor == "start" and float(first_x) >= 0
    assert last_anchor == "end" and float(last_x) <= width
    assert ">Participants</text>" in svg  # the y axis says what it counts


@pytest.mark.django_db
def test_a_quiet_month_keeps_its_place_in_the_growth_figures(client):
    import datetime as dt

    from wellbeing.campaign.models import Participant

    early, late = _participant("Hospital A", "OH"), _participant("Hospital B", "OH")
    Participant.objects.filter(pk=early.pk).update(
        reviewed_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    )
    Participant.objects.filter(pk=late.pk).update(
        reviewed_at=dt.datetime(2026, 4, 20, tzinfo=dt.UTC)
    )
    html = client.get(INDEX).content.decode()
    table = html.split("participants approved per month</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="text-right">(\d+)</td>', table)
    assert rows == [
        ("January 2026", "1"),
        ("February 2026", "0"),
        ("March 2026", "0"),
        ("April 2026", "1"),
    ]
    assert html.count("<rect ") == 4
