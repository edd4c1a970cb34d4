"""The respondent's feedback page: own results, support first, and resources matched to them."""

import pytest
from tests.conftest import complete_answers

import instruments
from wellbeing.core.models import AuditEvent
from wellbeing.hub import actions as hub_actions
from wellbeing.plan.models import ModelElement, PriorityArea
from wellbeing.surveys import feedback

WORK_GUIDE = "Staffing and scheduling toolkit"
MIND_GUIDE = "Peer support after adverse events"


def _publish(slug, title, factors, areas, status="published", kind="toolkit"):
    values = {
        "slug": slug,
        "title": title,
        "summary": "A resource.",
        "kind": kind,
        "url": f"https://example.org/{slug}",
        "source": f"https://example.org/{slug}",
        "status": status,
    }
    hub_actions.upsert_resource(values, factors=factors, priority_areas=areas)


@pytest.fixture
def hub(db):
    """A toolkit for the work environment, one for mental health, a draft and a paper."""
    _publish(
        "staffing-toolkit",
        WORK_GUIDE,
        ["organizational-factors"],
        ["positive-work-and-learning-environments"],
    )
    _publish("peer-support", MIND_GUIDE, ["personal-factors"], ["mental-health-and-stigma"])
    _publish("draft-guide", "Draft guide", ["organizational-factors"], [], status="draft")
    # The best match by the hub's ranking (two factors and the area), but a research paper.
    _publish(
        "burnout-study",
        "A cohort study of burnout",
        ["organizational-factors", "learning-practice-environment"],
        ["positive-work-and-learning-environments"],
        kind="research",
    )


def _feedback_html(client, wave, walk, **answers):
    final = walk(
        client, wave.links.get(unit=None).get_absolute_url(), answers=complete_answers(**answers)
    )
    assert final.status_code == 200
    return final.content.decode()


def _matched_section(html):
    start = html.find('id="matched-heading"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def test_a_burned_out_respondent_is_offered_resources_for_the_work_environment(
    client, wave, walk, hub
):
    html = _feedback_html(client, wave, walk, burnout=5)
    matched = _matched_section(html)
    assert "Resources for what your answers point to" in matched
    assert WORK_GUIDE in matched and 'href="/hub/' in matched
    # Well-being and mood were fine: nothing for them; a draft or a paper is never offered.
    assert MIND_GUIDE not in html and "Draft guide" not in html
    assert "A cohort study of burnout" not in html
    # The general resources and 988 are still there.
    assert "988 Suicide &amp; Crisis Lifeline" in html and "More support" in html


def test_a_positive_phq9_item_9_keeps_988_first_and_matches_mental_health_resources(
    client, wave, walk, hub
):
    html = _feedback_html(client, wave, walk, phq9=(0, 0, 0, 0, 0, 0, 0, 0, 1))
    support = html.index("Support is available right now")
    assert support < html.index("Thank you: your answers are saved") < html.index(MIND_GUIDE)
    assert 'href="tel:988"' in html[support : support + 2000]
    assert MIND_GUIDE in _matched_section(html) and WORK_GUIDE not in html


def test_results_that_give_no_cause_get_the_general_resources_and_no_match(client, wave, walk, hub):
    html = _feedback_html(client, wave, walk, burnout=1)
    assert _matched_section(html) == ""
    assert WORK_GUIDE not in html and MIND_GUIDE not in html
    assert "Clinician Well-Being Knowledge Hub" in html and ">Resources</h2>" in html


def test_a_hub_without_a_matching_resource_leaves_the_page_as_it_was(client, wave, walk):
    html = _feedback_html(client, wave, walk, burnout=5)
    assert _matched_section(html) == "" and "Clinician Well-Being Knowledge Hub" in html


def test_matching_stores_and_logs_nothing_about_the_respondent(client, wave, walk, hub, caplog):
    audits = AuditEvent.objects.count()
    with caplog.at_level("DEBUG"):
        html = _feedback_html(client, wave, walk, burnout=5)
    assert WORK_GUIDE in html
    assert AuditEvent.objects.count() == audits
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "staffing-toolkit" not in logged and "organizational-factors" not in logged


def test_every_measure_points_to_factors_and_priority_areas_of_the_plan(db):
    assert set(feedback.TOPICS) == set(instruments.MEASURES)
    factors = {f for topic in feedback.TOPICS.values() for f in topic.factors}
    areas = {a for topic in feedback.TOPICS.values() for a in topic.priority_areas}
    assert factors <= set(ModelElement.objects.values_list("slug", flat=True))
    assert areas <= set(PriorityArea.objects.values_list("slug", flat=True))


def test_only_results_a_verified_cut_off_or_a_flag_singles_out_ask_for_resources():
    calm = feedback.feedback_for(complete_answers(burnout=2, who5=(4,) * 5))
    assert calm.attention == () and not calm.concern
    low = feedback.feedback_for(complete_answers(burnout=2, who5=(2,) * 5))
    assert low.attention == ("depression", "well-being")
    # The 988 alert's rule is unchanged: a WHO-5 item at 0 or 1 raises it.
    assert feedback.feedback_for(complete_answers(who5=(1, 4, 4, 4, 4))).concern


def test_the_feedback_page_speaks_spanish_around_results_that_stay_english(client, wave, walk, hub):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = _feedback_html(client, wave, walk, burnout=5)
    assert "Gracias: sus respuestas se han guardado" in html
    assert "Recursos para lo que indican sus respuestas" in html and WORK_GUIDE in html
    assert "Rango posible de 1 a 5. Las puntuaciones más altas indican más dificultad." in html
    assert 'lang="en">Burnout rating (1-5): 5</strong>' in html
    assert "Más apoyo" in html and "Possible range" not in html
