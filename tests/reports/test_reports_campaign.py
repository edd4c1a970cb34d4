"""The staff page of campaign-wide aggregates in differential-privacy mode.

Attacked as a budget leak: opening the page must never spend privacy budget, however often
and however much data arrived in between; only a confirmed POST makes a release.
"""

import pytest

from wellbeing.core.models import AuditEvent
from wellbeing.reports import campaign
from wellbeing.reports.models import PrivateRelease
from wellbeing.surveys import actions

URL = "/staff/campaign-aggregates/"
CONFIRMED = {"confirm": "on"}


def _fill(wave, n, answers, start=0):
    rows = [
        actions.ImportedResponse(
            key=f"dp-{wave.pk}-{start + i}", unit=None, answers=answers(burnout=1 + i % 5),
            demographics={},
        )
        for i in range(n)
    ]  # fmt: skip
    actions.record_synthetic_responses(wave=wave, rows=rows)


@pytest.fixture
def filled(wave, answers):
    _fill(wave, 20, answers)
    return wave


def test_opening_the_page_twice_with_new_data_in_between_spends_nothing(
    client, filled, staff_curator, answers
):
    client.force_login(staff_curator)
    first = client.get(URL)
    _fill(filled, 5, answers, start=100)
    again = client.get(URL)
    assert first.status_code == again.status_code == 200
    assert not PrivateRelease.objects.exists()
    assert campaign.privacy_spent() == 0
    assert not AuditEvent.objects.filter(verb="campaign.private_release").exists()
    assert "No release yet" in again.content.decode()


def test_opening_the_page_after_new_data_shows_the_latest_release_and_spends_nothing(
    client, filled, staff_curator, answers
):
    client.force_login(staff_curator)
    client.post(URL, CONFIRMED)
    _fill(filled, 5, answers, start=100)  # a new release would now spend more
    for _ in range(3):
        response = client.get(URL)
        assert response.status_code == 200
    (release,) = PrivateRelease.objects.all()
    assert response.context["current"] == release
    assert campaign.privacy_spent() == pytest.approx(campaign.CAMPAIGN_EPSILON)


def test_a_post_without_the_confirmation_releases_nothing_and_says_why(
    client, filled, staff_curator
):
    client.force_login(staff_curator)
    response = client.post(URL, {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was released" in html
    assert "Tick the box to confirm: a release spends privacy budget for good." in html
    assert not PrivateRelease.objects.exists()
    assert campaign.privacy_spent() == 0


def test_the_confirmation_names_what_a_release_spends_of_what_is_left(client, staff_curator):
    campaign.release_campaign_aggregates(actor=staff_curator, epsilon=2.5)
    client.force_login(staff_curator)
    html = client.get(URL).content.decode()
    assert "I understand this spends ε = 1 of the remaining budget of 7.5 (of 10 in all)" in html
    assert "Spent so far: epsilon 2.50 of 10. Left: epsilon 7.50." in html


def test_a_confirmed_post_makes_one_recorded_release_shown_thereafter(
    client, filled, staff_curator
):
    client.force_login(staff_curator)
    response = client.post(URL, CONFIRMED)
    assert response.status_code == 302 and response.headers["Location"] == URL
    (release,) = PrivateRelease.objects.all()
    assert release.epsilon == pytest.approx(campaign.CAMPAIGN_EPSILON)
    assert release.created_by == staff_curator
    assert release.values["labels"] == campaign.CAMPAIGN_LABELS
    assert len(release.values["values"]) == 3
    (event,) = AuditEvent.objects.filter(verb="campaign.private_release")
    assert event.actor == staff_curator
    html = client.get(URL).content.decode()
    assert "Spent so far: epsilon 1.00 of 10" in html
    assert str(release.values["values"][0]) in html
    assert "Released, spending ε = 1." in html


def test_confirming_again_without_new_data_reuses_the_release_and_spends_nothing(
    client, filled, staff_curator
):
    client.force_login(staff_curator)
    client.post(URL, CONFIRMED)
    response = client.post(URL, CONFIRMED, follow=True)
    assert PrivateRelease.objects.count() == 1
    assert campaign.privacy_spent() == pytest.approx(1.0)
    assert "nothing was spent" in response.content.decode()


def test_a_confirmed_post_after_new_data_makes_a_second_release(
    client, filled, staff_curator, answers
):
    client.force_login(staff_curator)
    client.post(URL, CONFIRMED)
    _fill(filled, 3, answers, start=100)
    client.post(URL, CONFIRMED)
    assert PrivateRelease.objects.count() == 2
    assert campaign.privacy_spent() == pytest.approx(2.0)
    assert "Spent so far: epsilon 2.00" in client.get(URL).content.decode()


def test_the_stored_values_are_noisy_not_the_true_counts(filled, staff_curator, answers):
    differs = []
    for i in range(8):
        release = campaign.release_campaign_aggregates(actor=staff_curator, budget=100)
        # Burnout answers 1..5 cycled: 3, 4 and 5 are "burned out" (12 of 20, then 3 of 5).
        differs.append(release.values["values"] != [20 + 5 * i, 20 + 5 * i, 12 + 3 * i])
        _fill(filled, 5, answers, start=1000 + 10 * i)
    assert PrivateRelease.objects.count() == 8
    assert sum(differs) >= 4  # P(all three noisy counts exact) is below 0.01 at epsilon 1


def test_past_the_budget_a_confirmed_post_is_refused_with_a_clear_message(
    client, filled, staff_curator, answers
):
    client.force_login(staff_curator)
    campaign.release_campaign_aggregates(actor=staff_curator, epsilon=9.5)
    _fill(filled, 2, answers, start=200)
    page = client.get(URL).content.decode()
    assert "The privacy budget is spent" in page
    assert "Release the campaign-wide counts" not in page  # no button to press
    response = client.post(URL, CONFIRMED)
    assert response.status_code == 409
    html = response.content.decode()
    assert "No new release" in html
    assert "The privacy budget is spent: 9.5 of 10 is used" in html
    assert PrivateRelease.objects.count() == 1
    assert campaign.privacy_spent() == pytest.approx(9.5)


def test_people_who_are_not_campaign_staff_get_404_and_release_nothing(
    client, filled, org_admin, clinician, outsider
):
    for user in (org_admin, clinician, outsider):
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, CONFIRMED).status_code == 404
    assert not PrivateRelease.objects.exists()
