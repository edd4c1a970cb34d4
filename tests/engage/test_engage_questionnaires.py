"""Network questionnaires: fielded through the survey engine, results as topline takeaways."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from wellbeing.engage.actions import questionnaires as actions
from wellbeing.engage.models import Questionnaire, Theme
from wellbeing.surveys.actions import ImportedResponse, record_synthetic_responses
from wellbeing.surveys.models import Comment

OPEN = [
    "How did the crisis affect your work and life?",
    "What did your organization do that helped?",
]
CHILDCARE = "School closures meant no childcare for my kids, so I juggled family and shifts."
STAFFING = "We were short staffed every shift and overtime never ended on the unit."


@pytest.fixture
def questionnaire(staff_curator):
    return actions.create_questionnaire(
        title="Clinicians during the crisis",
        slug="crisis-2027",
        intro="Effects of the crisis on clinicians' lives and work, and creative solutions.",
        instruments=["single-item-burnout"],
        demographics=["role"],
        open_questions=OPEN,
        opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=30),
        actor=staff_curator,
    )


def _answer(q, n, role="nurse", start=0):
    rows = [
        ImportedResponse(
            key=f"t-{start + i}",
            unit=None,
            answers={"single-item-burnout": [1 + (i % 5)]},
            demographics={"role": role},
        )
        for i in range(n)
    ]
    record_synthetic_responses(wave=q.wave, rows=rows)


def _comments(q, texts, question=1):
    Comment.objects.bulk_create([Comment(wave=q.wave, question=question, text=t) for t in texts])


def test_a_questionnaire_runs_on_an_open_wave_of_the_network_organization(questionnaire):
    wave = questionnaire.wave
    assert wave.survey.organization.slug == "network"
    assert wave.status == "open" and wave.accepting_responses()
    assert wave.version.open_questions == OPEN
    assert wave.links.filter(unit__isnull=True).exists()


def test_its_open_link_takes_anonymous_answers_through_the_survey_engine(client, questionnaire):
    link = questionnaire.wave.links.get()
    assert client.get(link.get_absolute_url(), follow=True).status_code == 200


def test_staff_field_a_questionnaire_through_the_form(client, staff_curator):
    client.force_login(staff_curator)
    closes = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        reverse("engage:questionnaire_staff_list"),
        {
            "title": "Pulse",
            "slug": "pulse",
            "intro": "Why.",
            "instruments": ["single-item-burnout"],
            "demographics": ["role"],
            "open_questions": "One?\nTwo?",
            "closes_on": closes,
        },
    )
    assert response.status_code == 302
    assert Questionnaire.objects.get().wave.version.open_questions == ["One?", "Two?"]


def test_the_questionnaire_form_explains_its_errors(client, staff_curator):
    client.force_login(staff_curator)
    response = client.post(
        reverse("engage:questionnaire_staff_list"),
        {
            "title": "",
            "slug": "x",
            "intro": "i",
            "open_questions": "1\n2\n3\n4",
            "closes_on": "2000-01-01",
        },
    )
    assert response.status_code == 400
    assert b"Write one to three open-ended questions" in response.content
    assert b"The last day must be after today." in response.content
    assert b"Choose at least one validated measure." in response.content


@pytest.mark.parametrize("who", ["anonymous", "clinician", "org_admin"])
def test_staff_pages_and_actions_refuse_everyone_else(client, questionnaire, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("engage:questionnaire_staff_list")).status_code == 404
    assert (
        client.get(reverse("engage:questionnaire_staff", args=[questionnaire.slug])).status_code
        == 404
    )
    url = reverse("engage:questionnaire_staff_action", args=[questionnaire.slug, "publish"])
    assert client.post(url).status_code == 404
    questionnaire.refresh_from_db()
    assert not questionnaire.results_public


def test_the_actions_refuse_a_non_staff_actor(questionnaire, clinician):
    with pytest.raises(PermissionError):
        actions.publish_results(questionnaire=questionnaire, public=True, actor=clinician)


def test_unpublished_results_are_not_found_by_the_public(client, questionnaire):
    assert (
        client.get(reverse("engage:questionnaire_results", args=[questionnaire.slug])).status_code
        == 404
    )


def test_results_stay_hidden_below_the_minimum_group_size(
    client, questionnaire, staff_curator, settings
):
    settings.MIN_GROUP_SIZE = 5
    actions.publish_results(questionnaire=questionnaire, public=True, actor=staff_curator)
    _answer(questionnaire, 4)
    page = client.get(
        reverse("engage:questionnaire_results", args=[questionnaire.slug])
    ).content.decode()
    assert "Results appear once at least 5 people have answered" in page
    assert "Which best describes your role?" not in page


def test_charts_hide_small_groups_and_protect_them_from_subtraction(
    client, questionnaire, staff_curator, settings
):
    settings.MIN_GROUP_SIZE = 5
    _answer(questionnaire, 12, role="nurse")
    _answer(questionnaire, 7, role="physician", start=100)
    _answer(questionnaire, 2, role="pharmacist", start=200)
    actions.publish_results(questionnaire=questionnaire, public=True, actor=staff_curator)
    page = client.get(
        reverse("engage:questionnaire_results", args=[questionnaire.slug])
    ).content.decode()
    assert "21 responses" in page
    assert '<th scope="row">Nurse</th><td>12</td>' in page
    assert '<th scope="row">Pharmacist</th><td>fewer than 5 (hidden)</td>' in page
    # With the total known, 21 - 12 - 7 would give the pharmacists away: physicians are hidden too.
    assert '<th scope="row">Physician</th><td>fewer than 5 (hidden)</td>' in page
    assert "<td>7</td>" not in page


@pytest.fixture
def answered(questionnaire, staff_curator, settings):
    settings.MIN_GROUP_SIZE = 5
    _answer(questionnaire, 20)
    _comments(questionnaire, [CHILDCARE.replace("kids", f"kids ({i})") for i in range(10)])
    _comments(questionnaire, [STAFFING + f" Week {i}." for i in range(10)])
    _comments(
        questionnaire,
        [
            "Call me at 555-123-4567, Dr. Jane Doe knows the staffing story: short staffed every shift and overtime."
        ],
    )
    actions.publish_results(questionnaire=questionnaire, public=True, actor=staff_curator)
    return questionnaire


def test_grouping_finds_the_themes_of_the_open_answers(answered, staff_curator):
    made = actions.group_answers(questionnaire=answered, actor=staff_curator, k=2)
    assert made == 2
    counts = sorted(t.assignments.count() for t in answered.themes.filter(question=1))
    assert counts == [10, 11]


def test_the_results_page_shows_themes_with_counts_and_de_identified_quotes(
    client, answered, staff_curator
):
    actions.group_answers(questionnaire=answered, actor=staff_curator, k=2)
    page = client.get(
        reverse("engage:questionnaire_results", args=[answered.slug])
    ).content.decode()
    assert "21 answers" in page
    assert "11 answers" in page and "10 answers" in page
    assert "555-123-4567" not in page and "Jane Doe" not in page
    assert "School closures meant no childcare" in page


def test_a_theme_below_the_minimum_size_shows_no_quotes(client, answered, staff_curator, settings):
    settings.MIN_GROUP_SIZE = 12
    actions.group_answers(questionnaire=answered, actor=staff_curator, k=2)
    page = client.get(
        reverse("engage:questionnaire_results", args=[answered.slug])
    ).content.decode()
    assert "School closures" not in page and "short staffed" not in page
    assert "fewer than 12 answers" in page


def test_staff_rename_and_merge_themes(client, answered, staff_curator):
    actions.group_answers(questionnaire=answered, actor=staff_curator, k=2)
    first, second = answered.themes.filter(question=1)
    client.force_login(staff_curator)
    client.post(
        reverse("engage:questionnaire_theme_rename", args=[answered.slug, first.pk]),
        {"label": "Family and childcare"},
    )
    first.refresh_from_db()
    assert first.label == "Family and childcare"
    client.post(
        reverse("engage:questionnaire_staff_action", args=[answered.slug, "merge"]),
        {"theme": [first.pk, second.pk]},
    )
    assert list(
        Theme.objects.filter(questionnaire=answered, question=1).values_list("label", flat=True)
    ) == ["Family and childcare"]
    assert Theme.objects.get(questionnaire=answered, question=1).assignments.count() == 21


def test_merging_themes_of_different_questions_is_refused(answered, staff_curator):
    _comments(answered, ["Peer support groups helped."] * 6, question=2)
    actions.group_answers(questionnaire=answered, actor=staff_curator)
    one = answered.themes.filter(question=1).first()
    two = answered.themes.filter(question=2).first()
    with pytest.raises(ValueError, match="same open question"):
        actions.merge_themes(into=one, others=[two], actor=staff_curator)


def test_staff_group_answers_from_their_page(client, answered, staff_curator):
    client.force_login(staff_curator)
    response = client.post(
        reverse("engage:questionnaire_staff_action", args=[answered.slug, "group"])
    )
    assert response.status_code == 302
    assert answered.themes.exists()
    page = client.get(reverse("engage:questionnaire_staff", args=[answered.slug]))
    assert page.status_code == 200 and b"Rename" in page.content


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_loads_engage_content_once_and_labels_it_synthetic(settings, tmp_path):
    from django.core.management import call_command

    from wellbeing.engage.models import Artwork, Event

    settings.MEDIA_ROOT = tmp_path
    call_command("demo", verbosity=0)
    call_command("demo", verbosity=0)
    assert Event.objects.filter(is_demo=True).count() == 3
    assert Artwork.objects.public().filter(is_demo=True).count() == 3
    assert all(w.alt_text for w in Artwork.objects.exclude(image=""))
    q = Questionnaire.objects.get(slug="demo-network-pulse")
    assert q.is_demo and q.results_public and q.themes.count() >= 2
    assert q.wave.survey.organization.is_synthetic
