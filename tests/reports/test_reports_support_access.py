"""Support access, attacked: campaign staff read an organization's reports only under a grant
its admin gave them, only its reports, only until it ends, and every read is audited."""

import datetime as dt

import pytest
from django.utils import timezone

from wellbeing.core.models import AuditEvent
from wellbeing.reports import actions, door
from wellbeing.reports.models import SupportAccess

READS = ["report/", "report.csv", "report.xlsx", "report-long.csv", "report.pdf"]


@pytest.fixture
def filled(wave, units, synthetic, close):
    synthetic(wave, units["icu"], 12)
    synthetic(wave, units["ed"], 9, role="physician")
    close(wave)  # its results are published when first read
    return wave


def _base(org, wave) -> str:
    return f"/measure/{org.slug}/waves/{wave.pk}/"


def _grant(org, staff, admin, days=7):
    return actions.grant_support_access(
        organization=org, staff_user=staff, days=days, actor=admin
    ).grant


def _reads_of(staff, org):
    return AuditEvent.objects.filter(actor=staff, organization=org, verb__startswith="report.")


def _page(org) -> str:
    return f"/measure/{org.slug}/support-access/"


# -- without a grant ------------------------------------------------------------------------


def test_staff_without_a_grant_meet_404_on_the_report_its_files_and_units(
    client, org, filled, units, staff_curator
):
    client.force_login(staff_curator)
    base = _base(org, filled)
    for path in [*READS, f"report/units/{units['icu'].pk}/", "export/"]:
        assert client.get(base + path).status_code == 404, path
    assert client.post(base + "report/publish/").status_code == 404
    assert not _reads_of(staff_curator, org).exists()


def test_staff_without_a_role_see_no_organization_page_member_list_or_audit_log(
    client, org, org_admin, staff_curator
):
    client.force_login(staff_curator)
    for path in ("", "audit/"):
        response = client.get(f"/accounts/organizations/{org.slug}/{path}")
        assert response.status_code == 404, path
        assert org_admin.email not in response.content.decode()


def test_door_reading_shows_staff_without_a_grant_nothing(org, filled, staff_curator):
    read = door.reading(staff_curator, org, filled)
    assert read.report is None and not read.admin and read.rows == []


# -- granting -------------------------------------------------------------------------------


def test_an_admin_grants_a_named_staff_member_access_for_the_days_chosen(
    client, org, org_admin, staff_curator
):
    client.force_login(org_admin)
    assert client.get(_page(org)).status_code == 200
    before = timezone.now()
    response = client.post(_page(org), {"email": "SAM@campaign.test", "days": "3"})
    assert response.status_code == 302
    grant = SupportAccess.objects.get()
    assert (grant.organization, grant.staff_user, grant.granted_by) == (
        org,
        staff_curator,
        org_admin,
    )
    assert before + dt.timedelta(days=3) <= grant.expires_at
    assert grant.expires_at <= timezone.now() + dt.timedelta(days=3)
    event = AuditEvent.objects.get(verb="support_access.grant")
    assert event.organization == org and event.actor == org_admin
    assert event.detail["staff"] == staff_curator.email and event.detail["days"] == 3
    html = client.get(_page(org)).content.decode()
    assert "Who has access now" in html and staff_curator.email in html


def test_the_grant_form_defaults_to_seven_days_and_refuses_other_lengths(
    client, org, org_admin, staff_curator
):
    client.force_login(org_admin)
    assert client.get(_page(org)).context["form"]["days"].value() == 7
    for days in ("0", "31", "many"):
        response = client.post(_page(org), {"email": staff_curator.email, "days": days})
        assert response.status_code == 400, days
    assert not SupportAccess.objects.exists()
    with pytest.raises(actions.SupportAccessRefused, match="days: expected 1 to 30"):
        _grant(org, staff_curator, org_admin, days=31)


def test_only_campaign_staff_can_be_granted_access(client, org, org_admin, clinician, outsider):
    client.force_login(org_admin)
    for email in (clinician.email, outsider.email, "nobody@example.org"):
        response = client.post(_page(org), {"email": email, "days": "7"})
        assert response.status_code == 400
        assert "No campaign staff member has this address." in response.content.decode()
    assert not SupportAccess.objects.exists()
    with pytest.raises(actions.SupportAccessRefused, match="staff_user: expected an active"):
        _grant(org, clinician, org_admin)


def test_an_admin_of_b_cannot_grant_or_revoke_access_to_a(
    client, org, other_org, org_admin, outsider, staff_curator
):
    grant = _grant(org, staff_curator, org_admin)
    client.force_login(outsider)
    assert client.get(_page(org)).status_code == 404
    assert client.post(_page(org), {"email": staff_curator.email, "days": "30"}).status_code == 404
    # Through their own organization's address, A's grant is not found either.
    assert client.post(f"{_page(other_org)}{grant.pk}/revoke/").status_code == 404
    assert client.post(f"{_page(org)}{grant.pk}/revoke/").status_code == 404
    with pytest.raises(actions.SupportAccessRefused, match="actor: expected an admin"):
        _grant(org, staff_curator, outsider)
    with pytest.raises(actions.SupportAccessRefused, match="actor: expected an admin"):
        actions.revoke_support_access(grant=grant, actor=outsider)
    grant.refresh_from_db()
    assert grant.revoked_at is None and SupportAccess.objects.count() == 1


def test_staff_leads_and_members_cannot_grant_access_to_themselves(
    client, org, unit_lead, clinician, staff_curator
):
    for user in (staff_curator, unit_lead, clinician):
        client.force_login(user)
        response = client.post(_page(org), {"email": staff_curator.email, "days": "30"})
        assert response.status_code == 404
        with pytest.raises(actions.SupportAccessRefused):
            _grant(org, staff_curator, user)
    assert not SupportAccess.objects.exists()


# -- reading under a grant ------------------------------------------------------------------


def test_with_a_grant_every_report_read_works_and_adds_an_audit_row(
    client, org, filled, units, org_admin, staff_curator
):
    grant = _grant(org, staff_curator, org_admin)
    client.force_login(staff_curator)
    base = _base(org, filled)
    paths = [*READS, f"report/units/{units['icu'].pk}/", f"report/?unit={units['ed'].pk}"]
    for number, path in enumerate(paths, start=1):
        assert client.get(base + path).status_code == 200, path
        reads = _reads_of(staff_curator, org)
        assert reads.count() == number, path
        assert reads.order_by("-pk").first().detail["support_access"] == grant.pk


def test_a_support_reader_sees_the_admin_s_figures_but_no_button_to_act(
    client, org, filled, org_admin, staff_curator
):
    _grant(org, staff_curator, org_admin)
    client.force_login(staff_curator)
    response = client.get(_base(org, filled) + "report/")
    assert response.context["is_admin"] and response.context["support"]
    assert response.context["report"].responses.n == 21
    html = response.content.decode()
    assert "with the support access its admin gave you" in html
    assert "/export/" not in html and "/report/publish/" not in html
    assert f"/measure/{org.slug}/surveys" not in html  # no breadcrumb into closed pages


def test_a_grant_opens_neither_the_record_export_nor_surveys_imports_or_members(
    client, org, filled, org_admin, staff_curator
):
    _grant(org, staff_curator, org_admin)
    client.force_login(staff_curator)
    closed = [
        _base(org, filled) + "export/",
        f"/measure/{org.slug}/",
        _base(org, filled),
        _base(org, filled) + "counts/",
        _base(org, filled) + "import/",
        f"/measure/{org.slug}/api-tokens/",
        f"/measure/{org.slug}/support-access/",
        f"/accounts/organizations/{org.slug}/",
        f"/accounts/organizations/{org.slug}/audit/",
    ]
    for path in closed:
        assert client.get(path).status_code == 404, path
    assert client.post(_base(org, filled) + "report/publish/").status_code == 404
    with pytest.raises(door.ExportRefused, match="Only the organization's admins"):
        door.records(staff_curator, org, filled)


def test_a_grant_for_a_gives_nothing_of_b(
    client, org, other_org, filled, org_admin, outsider, staff_curator
):
    from wellbeing.surveys import actions as survey_actions

    other = survey_actions.create_survey(
        organization=other_org,
        name="Lakeside pulse",
        instruments=["single-item-burnout"],
        demographics=[],
        open_questions=[],
        actor=outsider,
    )
    now = timezone.now()
    theirs = survey_actions.create_wave(
        survey=other,
        name="Theirs",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
        actor=outsider,
    )
    _grant(org, staff_curator, org_admin)
    client.force_login(staff_curator)
    for path in READS:
        assert client.get(_base(other_org, theirs) + path).status_code == 404, path
        # Nor A's address with B's wave, nor B's address with A's wave.
        assert client.get(_base(org, theirs) + path).status_code == 404, path
        assert client.get(_base(other_org, filled) + path).status_code == 404, path
    assert not _reads_of(staff_curator, other_org).exists()


def test_another_staff_member_gains_nothing_from_a_colleague_s_grant(
    client, org, filled, org_admin, staff_curator
):
    from wellbeing.accounts.models import User

    colleague = User.objects.create_user("kim@campaign.test", "a-long-test-password", is_staff=True)
    _grant(org, staff_curator, org_admin)
    client.force_login(colleague)
    assert client.get(_base(org, filled) + "report/").status_code == 404


# -- the end of a grant ---------------------------------------------------------------------


def test_after_revocation_every_read_is_404_again(client, org, filled, org_admin, staff_curator):
    grant = _grant(org, staff_curator, org_admin)
    client.force_login(staff_curator)
    assert client.get(_base(org, filled) + "report/").status_code == 200
    client.force_login(org_admin)
    response = client.post(f"{_page(org)}{grant.pk}/revoke/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == org_admin
    assert AuditEvent.objects.filter(verb="support_access.revoke", organization=org).count() == 1
    client.force_login(staff_curator)
    for path in READS:
        assert client.get(_base(org, filled) + path).status_code == 404, path
    client.force_login(org_admin)
    html = client.get(_page(org)).content.decode()
    assert "Nobody from the campaign can read your reports." in html
    assert "Past access" in html and "Revoked" in html


def test_after_expiry_every_read_is_404_again(client, org, filled, org_admin, staff_curator):
    grant = _grant(org, staff_curator, org_admin, days=1)
    client.force_login(staff_curator)
    assert client.get(_base(org, filled) + "report/").status_code == 200
    SupportAccess.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for path in READS:
        assert client.get(_base(org, filled) + path).status_code == 404, path
    client.force_login(org_admin)
    assert "Expired" in client.get(_page(org)).content.decode()


def test_a_grant_ends_when_its_holder_stops_being_staff(
    client, org, filled, org_admin, staff_curator
):
    _grant(org, staff_curator, org_admin)
    staff_curator.is_staff = False
    staff_curator.save(update_fields=["is_staff"])
    client.force_login(staff_curator)
    assert client.get(_base(org, filled) + "report/").status_code == 404


def test_granting_again_replaces_the_active_grant(org, org_admin, staff_curator):
    first = _grant(org, staff_curator, org_admin, days=30)
    second = _grant(org, staff_curator, org_admin, days=2)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None and second.expires_at < first.granted_at + dt.timedelta(3)
    assert AuditEvent.objects.filter(verb="support_access.revoke").get().detail["replaced"]


def test_revoking_an_ended_grant_writes_nothing(org, org_admin, staff_curator):
    grant = _grant(org, staff_curator, org_admin)
    actions.revoke_support_access(grant=grant, actor=org_admin)
    actions.revoke_support_access(grant=grant, actor=org_admin)
    assert AuditEvent.objects.filter(verb="support_access.revoke").count() == 1


# -- the staff member's own list ------------------------------------------------------------


def test_staff_see_the_reports_they_may_read_and_no_others(
    client, org, other_org, filled, org_admin, staff_curator
):
    client.force_login(staff_curator)
    html = client.get("/staff/support-access/").content.decode()
    assert "No organization has given you access" in html and org.name not in html
    _grant(org, staff_curator, org_admin)
    html = client.get("/staff/support-access/").content.decode()
    assert org.name in html and other_org.name not in html
    assert f"/measure/{org.slug}/waves/{filled.pk}/report/" in html


def test_the_staff_list_is_not_found_for_anyone_else(client, org_admin, clinician):
    for user in (org_admin, clinician):
        client.force_login(user)
        assert client.get("/staff/support-access/").status_code == 404


def test_staff_publish_no_organization_s_results_even_under_a_grant(
    wave, units, synthetic, org, org_admin, staff_curator
):
    """Publishing is administration: staff do it only for the campaign's own network, which
    has no members (tests/engage/test_engage_questionnaires.py publishes there)."""
    synthetic(wave, units["icu"], 12)
    with pytest.raises(door.ReleaseRefused, match="Only the organization's admins"):
        door.publish_interim(staff_curator, org, wave)
    _grant(org, staff_curator, org_admin)
    with pytest.raises(door.ReleaseRefused, match="Only the organization's admins"):
        door.publish_interim(staff_curator, org, wave)
    assert door.publish_interim(org_admin, org, wave).number == 1
