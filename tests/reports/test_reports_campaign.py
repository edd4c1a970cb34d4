"""The staff page of campaign-wide aggregates in differential-privacy mode."""

import pytest

from wellbeing.core.models import AuditEvent
from wellbeing.reports import campaign
from wellbeing.reports.models import PrivateRelease
from wellbeing.surveys import actions

URL = "/staff/campaign-aggregates/"


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


def test_the_page_shows_a_release_with_its_epsilon_and_the_budget_spent(
    client, filled, staff_curator
):
    client.force_login(staff_curator)
    response = client.get(URL)
    assert response.status_code == 200
    (release,) = PrivateRelease.objects.all()
    assert release.epsilon == pytest.approx(campaign.CAMPAIGN_EPSILON)
    assert release.created_by == staff_curator
    assert release.values["labels"] == campaign.CAMPAIGN_LABELS
    assert len(release.values["values"]) == 3
    html = response.content.decode()
    assert "Spent so far: epsilon 1.00 of 10" in html
    assert str(release.values["values"][0]) in html
    assert AuditEvent.objects.filter(verb="campaign.private_release").count() == 1


def test_viewing_again_reuses_the_release_and_spends_nothing(client, filled, staff_curator):
    client.force_login(staff_curator)
    first = client.get(URL).context["current"]
    again = client.get(URL).context["current"]
    assert first.pk == again.pk and PrivateRelease.objects.count() == 1
    assert campaign.privacy_spent() == pytest.approx(1.0)


def test_new_responses_make_a_new_release_that_spends_more(client, filled, staff_curator, answers):
    client.force_login(staff_curator)
    client.get(URL)
    _fill(filled, 3, answers, start=100)
    client.get(URL)
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


def test_past_the_budget_the_last_release_is_shown_again(client, filled, staff_curator, answers):
    client.force_login(staff_curator)
    campaign.release_campaign_aggregates(actor=staff_curator, epsilon=9.5)
    _fill(filled, 2, answers, start=200)
    with pytest.raises(campaign.BudgetSpent):
        campaign.release_campaign_aggregates(actor=staff_curator)
    response = client.get(URL)
    assert response.status_code == 200
    assert "No new release" in response.content.decode()
    assert PrivateRelease.objects.count() == 1


def test_people_who_are_not_campaign_staff_get_404(client, filled, org_admin, clinician, outsider):
    for user in (org_admin, clinician, outsider):
        client.force_login(user)
        assert client.get(URL).status_code == 404
    assert not PrivateRelease.objects.exists()
