"""Movement norms, attacked: too few organizations, a group below the minimum in too many of
them, a release spent by reading, a non-staff release, and the true values kept."""

from datetime import timedelta

import pytest
from django.db.models import Avg
from django.utils import timezone

from wellbeing.accounts import actions as accounts
from wellbeing.core.models import AuditEvent
from wellbeing.reports import campaign, door, norms, releases
from wellbeing.reports.models import PrivateRelease
from wellbeing.surveys import actions
from wellbeing.surveys.models import Score

STAFF_URL = "/staff/campaign-aggregates/"
RELEASE_URL = "/staff/campaign-aggregates/norms/"
CONFIRMED = {"norms-confirm": "on"}
INSTRUMENTS = ["single-item-burnout", "who5"]
PRECISE = 8.0  # an epsilon that keeps these small test worlds' norms precise enough to show


def _answers(i, shift=0):
    return {
        "single-item-burnout": [1 + (i + shift) % 5],
        "who5": [(i + shift + j) % 6 for j in range(5)],
    }


def _results(org, *, nurses=30, physicians=30, shift=0, name="Pulse"):
    """``org``'s closed wave of synthetic nurses and physicians, with its final results."""
    survey = actions.create_survey(
        organization=org, name=name, instruments=INSTRUMENTS, demographics=["role"]
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey, name="Spring", opens_at=now - timedelta(days=20), closes_at=now
    )
    actions.open_links(wave=wave, units=[None])
    actions.set_wave_status(wave=wave, status="open")
    roles = ["nurse"] * nurses + ["physician"] * physicians
    rows = [
        actions.ImportedResponse(
            key=f"n-{org.slug}-{name}-{i}",
            unit=None,
            answers=_answers(i, shift),
            demographics={"role": role},
        )
        for i, role in enumerate(roles)
    ]
    actions.record_synthetic_responses(wave=wave, rows=rows)
    actions.set_wave_status(wave=wave, status="closed")
    releases.publish_final(wave)
    return wave


def _peer(number, synthetic=False, **kwargs):
    org = accounts.create_organization(
        name=f"Peer Health {number}", kind="health_system", slug=f"peer-{number}",
        is_synthetic=synthetic,
    )  # fmt: skip
    _results(org, shift=number, **kwargs)
    return org


@pytest.fixture
def own(org, org_admin):
    return _results(org)


def _report(client, user, wave):
    client.force_login(user)
    org = wave.survey.organization
    return client.get(f"/measure/{org.slug}/waves/{wave.pk}/report/")


def test_an_organization_with_fewer_than_five_organizations_in_all_sees_no_norms(
    client, own, org_admin, staff_curator
):
    for number in range(1, 4):  # the organization and three peers
        _peer(number)
    with pytest.raises(norms.NormsRefused, match="at least 5 organizations"):
        norms.release_norms(actor=staff_curator, epsilon=PRECISE)
    assert not PrivateRelease.objects.exists()
    assert campaign.privacy_spent() == 0
    response = _report(client, org_admin, own)
    assert response.status_code == 200
    assert response.context["norms"] is None
    assert "Movement" not in response.content.decode()


def test_an_organization_with_enough_peers_sees_the_movement_beside_its_own_figures(
    client, own, org_admin, staff_curator
):
    for number in range(1, 5):
        _peer(number)
    norms.release_norms(actor=staff_curator, epsilon=PRECISE)
    response = _report(client, org_admin, own)
    html = response.content.decode()
    shown = response.context["norms"]
    burnout = shown.headline["single-item-burnout.score"]
    assert burnout.organizations == 5 and burnout.mean is not None
    assert "Movement: " in html and "5 organizations, released " in html
    assert "How movement figures are made" in html
    assert "Movement figures for the same groups" in html
    groups = dict(shown.groups["role"])
    assert set(groups) == {"Nurse", "Physician"}


def test_no_norm_is_shown_beside_a_group_the_report_hides(client, org, org_admin, staff_curator):
    own = _results(org, physicians=2)  # the organization's physicians: hidden in its report
    for number in range(1, 6):
        _peer(number)
    row = norms.release_norms(actor=staff_curator, epsilon=PRECISE)
    assert any(c["group"] == "role:physician" for c in row.values["cells"])  # five peers' norm
    response = _report(client, org_admin, own)
    shown = response.context["norms"]
    assert shown.headline  # the organization-wide figures have their norms
    # Its physicians are hidden (and so, by subtraction, its nurses): no norm beside them.
    assert "Physician" not in dict(shown.groups.get("role", []))


def test_a_group_where_only_four_organizations_meet_the_minimum_is_not_released(own, staff_curator):
    for number in range(1, 5):
        # Peer 4 has two physicians: below its minimum group size of 5, it adds nothing.
        _peer(number, physicians=2 if number == 4 else 30)
    row = norms.release_norms(actor=staff_curator, epsilon=PRECISE)
    groups = {(c["scale"], c["group"]): c for c in row.values["cells"]}
    assert ("single-item-burnout.score", "role:physician") not in groups
    assert groups[("single-item-burnout.score", "role:nurse")]["organizations"] == 5
    assert groups[("single-item-burnout.score", "all")]["organizations"] == 5
    assert norms.latest(synthetic=False).get("who5.percentage", "role:physician") is None


def test_viewing_reports_and_the_staff_page_again_after_new_data_changes_no_release(
    client, own, org_admin, staff_curator
):
    for number in range(1, 5):
        _peer(number)
    row = norms.release_norms(actor=staff_curator, epsilon=PRECISE)
    before = (PrivateRelease.objects.count(), dict(row.values), campaign.privacy_spent())
    _report(client, org_admin, own)
    _report(client, org_admin, own)
    _peer(5)  # new results arrive: only a staff member's confirmed request releases them
    _report(client, org_admin, own)
    client.force_login(staff_curator)
    assert client.get(STAFF_URL).status_code == 200
    row.refresh_from_db()
    assert (PrivateRelease.objects.count(), row.values, campaign.privacy_spent()) == before
    assert norms.latest(synthetic=False).organizations == 5


def test_releasing_again_on_the_same_results_reuses_the_release_and_spends_nothing(
    own, staff_curator
):
    for number in range(1, 5):
        _peer(number)
    first = norms.release_norms(actor=staff_curator)
    again = norms.release_norms(actor=staff_curator)
    assert first.pk == again.pk and first.key.startswith("norms:")
    assert campaign.privacy_spent() == pytest.approx(norms.NORMS_EPSILON)
    _peer(5)
    third = norms.release_norms(actor=staff_curator)
    assert third.pk != first.pk
    assert campaign.privacy_spent() == pytest.approx(2 * norms.NORMS_EPSILON)


def test_stored_norms_are_noisy_but_within_a_few_noise_scales_of_the_exact_means(
    own, staff_curator
):
    waves = [own, *(_peer(number).surveys.get().waves.get() for number in range(1, 5))]
    row = norms.release_norms(actor=staff_curator)
    scored = Score.objects.filter(wave__in=waves, instrument="single-item-burnout")
    exact_n = scored.count()
    exact_mean = scored.aggregate(mean=Avg("value"))["mean"]
    cells = {(c["scale"], c["group"]): c for c in row.values["cells"]}
    everyone = cells[("single-item-burnout.score", "all")]
    # The true count and sum are not what is stored (noise was added).
    exact_sum = round(sum((v - 3) / 2 * 100 for v in scored.values_list("value", flat=True)))
    # P(both noisy values exact) is below 1e-4 at these scales.
    assert (everyone["count"], everyone["sum"]) != (exact_n, exact_sum)
    scales = row.values["scales"]
    assert abs(everyone["count"] - exact_n) <= 12 * scales["count"]
    assert abs(everyone["sum"] - exact_sum) <= 12 * scales["sum"]
    if everyone["mean"] is not None:
        assert everyone["mean"] != pytest.approx(exact_mean, abs=1e-9)
        assert abs(everyone["mean"] - exact_mean) <= 12 * scales["sum"] * 2 / 100 / exact_n + 0.3
        low, high = everyone["ci"]
        assert low <= everyone["mean"] <= high
    assert row.epsilon == pytest.approx(norms.NORMS_EPSILON)


def test_real_organizations_never_see_the_synthetic_demo_norms(client, own, org_admin):
    for number in range(1, 6):
        _peer(number, synthetic=True)
    norms.release_norms(actor=None, synthetic=True, epsilon=PRECISE)
    assert norms.latest(synthetic=True) is not None
    assert _report(client, org_admin, own).context["norms"] is None


def test_a_unit_lead_reads_no_norms(client, own, unit_lead, staff_curator):
    for number in range(1, 5):
        _peer(number)
    norms.release_norms(actor=staff_curator, epsilon=PRECISE)
    read = door.reading(unit_lead, own.survey.organization, own)
    assert door.norms(read) is None


def test_staff_see_a_note_before_any_norms_release_and_release_with_a_confirmed_post(
    client, own, staff_curator
):
    for number in range(1, 5):
        _peer(number)
    client.force_login(staff_curator)
    page = client.get(STAFF_URL).content.decode()
    assert "No movement norms of real organizations have been released" in page
    assert f"I understand this spends ε = {norms.NORMS_EPSILON:g}" in page
    refused = client.post(RELEASE_URL, {})
    assert refused.status_code == 400
    assert "No norms were released" in refused.content.decode()
    assert not PrivateRelease.objects.exists()
    response = client.post(RELEASE_URL, CONFIRMED)
    assert response.status_code == 302 and response.headers["Location"] == STAFF_URL
    (row,) = PrivateRelease.objects.all()
    assert row.key.startswith("norms:") and row.created_by == staff_curator
    assert AuditEvent.objects.filter(verb="reports.norms_release").count() == 1
    page = client.get(STAFF_URL).content.decode()
    assert "Movement norms released, spending ε = 2." in page
    assert "Latest norms release of real organizations" in page
    assert "No release yet. Make the first one below." in page  # the counts: still none


def test_a_norms_release_with_too_few_organizations_is_refused_on_the_staff_page(
    client, own, staff_curator
):
    client.force_login(staff_curator)
    response = client.post(RELEASE_URL, CONFIRMED)
    assert response.status_code == 409
    assert "No new norms release" in response.content.decode()
    assert campaign.privacy_spent() == 0


def test_people_who_are_not_staff_cannot_release_norms(client, own, org_admin, clinician, outsider):
    for number in range(1, 5):
        _peer(number)
    for user in (org_admin, clinician, outsider):
        client.force_login(user)
        assert client.post(RELEASE_URL, CONFIRMED).status_code == 404
        assert client.get(RELEASE_URL).status_code == 405
    assert not PrivateRelease.objects.exists()


def test_the_demo_loads_norms_from_synthetic_peers_once(db):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.reports.demo import load_norms_demo
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    load_survey_demo(world.organization, world.admin)
    first = load_norms_demo(world)
    spent = campaign.privacy_spent()
    again = load_norms_demo(world)
    assert first == again and first.organizations == 6 and first.scales > 0
    assert PrivateRelease.objects.filter(key__startswith="norms:").count() == 1
    assert campaign.privacy_spent() == spent
    peers = world.organization.__class__.objects.filter(name__startswith="Synthetic Peer")
    assert peers.count() == 6 and all(p.is_synthetic for p in peers)
