"""Who may see an organization: tested as attacks, not only as happy paths."""

import pytest
from django.core.management import call_command
from django.http import Http404

from wellbeing.accounts import actions, permissions
from wellbeing.accounts.models import Membership, Organization, Unit, User
from wellbeing.core.models import AuditEvent


def _org_url(org):
    return f"/accounts/organizations/{org.slug}/"


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.get(_org_url(org))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_an_outsider_cannot_tell_another_organization_exists(client, org, outsider):
    client.force_login(outsider)
    existing = client.get(_org_url(org))
    missing = client.get("/accounts/organizations/no-such-org/")
    assert existing.status_code == missing.status_code == 404
    assert org.name not in existing.content.decode()


def test_an_org_admin_sees_units_and_members(client, org, units, org_admin, clinician):
    client.force_login(org_admin)
    html = client.get(_org_url(org)).content.decode()
    assert "Intensive Care Unit" in html and "Emergency Department" in html
    assert clinician.email in html


def test_a_unit_lead_sees_only_the_subtree_they_lead(client, org, units, unit_lead):
    client.force_login(unit_lead)
    html = client.get(_org_url(org)).content.decode()
    assert "ICU Night Team" in html
    assert "Emergency Department" not in html
    assert "alice@" not in html  # no member list for leads


def test_a_member_sees_the_organization_but_no_unit_reports(client, org, units, clinician):
    client.force_login(clinician)
    html = client.get(_org_url(org)).content.decode()
    assert org.name in html
    assert "Your role does not include unit reports." in html
    assert "Intensive Care Unit" not in html


def test_staff_without_a_role_cannot_tell_an_organization_exists(
    client, org, other_org, org_admin, staff_curator
):
    client.force_login(staff_curator)
    for target in (org, other_org):
        existing = client.get(_org_url(target))
        assert existing.status_code == 404
        assert target.name not in existing.content.decode()
        assert client.get(f"{_org_url(target)}audit/").status_code == 404
    assert org_admin.email not in client.get(_org_url(org)).content.decode()


def test_being_staff_opens_no_door_of_the_permission_helpers(org, units, staff_curator):
    for role in ("member", "unit_lead", "org_admin"):
        with pytest.raises(Http404):
            permissions.get_org_for_user(staff_curator, org.slug, min_role=role)
    assert not permissions.units_visible_to(staff_curator, org).exists()
    assert not permissions.can_administer(staff_curator, org)
    with pytest.raises(Http404):
        permissions.get_unit_for_user(staff_curator, org, units["icu"].pk)
    with pytest.raises(Http404):
        permissions.get_org_for_admin(staff_curator, org.slug)


def test_staff_with_a_role_read_by_that_role_only(client, org, units, staff_curator):
    actions.add_member(
        organization=org, user=staff_curator, role="unit_lead", unit=units["nursing"]
    )
    assert permissions.get_org_for_user(staff_curator, org.slug, min_role="unit_lead") == org
    with pytest.raises(Http404):
        permissions.get_org_for_user(staff_curator, org.slug, min_role="org_admin")
    assert set(permissions.units_visible_to(staff_curator, org)) == set(units["nursing"].subtree())
    assert not permissions.can_administer(staff_curator, org)
    client.force_login(staff_curator)
    html = client.get(_org_url(org)).content.decode()
    assert "ICU Night Team" in html and "Emergency Department" not in html


def test_get_org_for_user_enforces_the_minimum_role(org, clinician, org_admin):
    assert permissions.get_org_for_user(org_admin, org.slug, min_role="org_admin") == org
    with pytest.raises(Http404):
        permissions.get_org_for_user(clinician, org.slug, min_role="org_admin")
    with pytest.raises(ValueError, match="min_role: expected one of"):
        permissions.get_org_for_user(org_admin, org.slug, min_role="owner")


def test_a_unit_of_another_organization_is_not_found(org, other_org, units, org_admin):
    foreign = actions.add_unit(organization=other_org, name="Primary Care")
    assert permissions.get_unit_for_user(org_admin, org, units["icu"].pk) == units["icu"]
    with pytest.raises(Http404):
        permissions.get_unit_for_user(org_admin, org, foreign.pk)


def test_a_unit_cannot_hang_under_another_organizations_unit(org, other_org):
    foreign = actions.add_unit(organization=other_org, name="Primary Care")
    with pytest.raises(ValueError, match="parent: expected a unit of 'riverbend'"):
        actions.add_unit(organization=org, name="Sneaky", parent=foreign)


def test_the_unit_tree_has_arbitrary_depth_and_a_subtree_query(org, units):
    assert units["night"].depth == 2
    assert set(units["nursing"].subtree()) == {units["nursing"], units["icu"], units["night"]}
    assert units["ed"] not in units["nursing"].subtree()


def test_a_unit_lead_needs_a_unit(org):
    user = User.objects.create_user("x@riverbend.test", "pw-long-enough-1")
    with pytest.raises(ValueError, match="unit: a unit lead needs the unit"):
        actions.add_member(organization=org, user=user, role=Membership.Role.UNIT_LEAD)


def test_every_action_leaves_an_audit_row(org, units, org_admin):
    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs.count("unit.create") == 4
    assert "organization.create" in verbs and "membership.set" in verbs


@pytest.mark.django_db
def test_people_sign_in_with_their_email_address(client):
    User.objects.create_user("Pat@Example.org", "a-long-test-password")
    response = client.post(
        "/accounts/login/", {"username": "pat@example.org", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/"


@pytest.mark.django_db
def test_a_wrong_password_gets_a_clear_message(client):
    User.objects.create_user("pat@example.org", "a-long-test-password")
    response = client.post("/accounts/login/", {"username": "pat@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_loads_twice_without_doubling_anything():
    call_command("demo", verbosity=0)
    counts = (
        Organization.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("demo", verbosity=0)
    again = (
        Organization.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert counts == again
    assert counts[1] >= 10
    assert Organization.objects.filter(is_synthetic=False).count() == 0


def test_an_org_admin_reads_their_own_audit_log_only(
    client, org, other_org, org_admin, outsider, units
):
    from wellbeing.core.models import audit

    audit("report.view", actor=outsider, target="lakeside wave", organization=other_org)
    client.force_login(org_admin)
    response = client.get(f"/accounts/organizations/{org.slug}/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "unit.create" in html and "Intensive Care Unit" in html
    assert "lakeside wave" not in html
    assert client.get(f"/accounts/organizations/{other_org.slug}/audit/").status_code == 404


def test_unit_leads_and_members_cannot_read_the_audit_log(client, org, unit_lead, clinician):
    for user in (unit_lead, clinician):
        client.force_login(user)
        assert client.get(f"/accounts/organizations/{org.slug}/audit/").status_code == 404


def test_an_org_admin_finds_support_access_on_the_organization_page(
    client, org, org_admin, unit_lead
):
    link = f"/measure/{org.slug}/support-access/"
    client.force_login(org_admin)
    assert link in client.get(_org_url(org)).content.decode()
    client.force_login(unit_lead)
    assert link not in client.get(_org_url(org)).content.decode()
