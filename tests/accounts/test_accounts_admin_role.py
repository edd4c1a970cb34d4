"""Who is an organization's admin: by membership only, so campaign staff are not, here."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from wellbeing.accounts.permissions import get_org_for_admin, holds_admin_role, is_org_admin


def _deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def test_an_org_admin_is_an_admin_of_their_organization(org, org_admin):
    assert is_org_admin(org_admin, org)
    assert get_org_for_admin(org_admin, org.slug) == org


@pytest.mark.parametrize("who", ["unit_lead", "clinician", "outsider", "staff_curator"])
def test_leads_members_outsiders_and_staff_without_membership_are_not_admins(request, org, who):
    user = request.getfixturevalue(who)
    assert not is_org_admin(user, org)
    with pytest.raises(Http404, match="No such organization"):
        get_org_for_admin(user, org.slug)


def test_an_inactive_admin_is_no_admin(org, org_admin):
    _deactivate(org_admin)
    assert not is_org_admin(org_admin, org)
    with pytest.raises(Http404):
        get_org_for_admin(org_admin, org.slug)


def test_an_anonymous_visitor_is_no_admin(org):
    assert not is_org_admin(AnonymousUser(), org)
    assert not holds_admin_role(AnonymousUser())
    with pytest.raises(Http404):
        get_org_for_admin(AnonymousUser(), org.slug)


def test_an_unknown_organization_is_not_found_like_one_the_user_does_not_run(org_admin, other_org):
    with pytest.raises(Http404, match="No such organization") as unknown:
        get_org_for_admin(org_admin, "no-such-org")
    with pytest.raises(Http404, match="No such organization") as foreign:
        get_org_for_admin(org_admin, other_org.slug)
    assert str(unknown.value) == str(foreign.value)


def test_an_admin_of_any_organization_holds_the_admin_role(org_admin, outsider):
    assert holds_admin_role(org_admin)
    assert holds_admin_role(outsider)  # an admin of the other organization


@pytest.mark.parametrize("who", ["unit_lead", "clinician", "staff_curator"])
def test_leads_members_and_staff_without_membership_hold_no_admin_role(request, who):
    assert not holds_admin_role(request.getfixturevalue(who))


def test_an_inactive_admin_holds_no_admin_role(org_admin):
    assert not holds_admin_role(_deactivate(org_admin))
