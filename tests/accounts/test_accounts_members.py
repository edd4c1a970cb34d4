"""Members, roles and invitations, run by an organization's admins; accepting an invitation."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wellbeing.accounts import actions
from wellbeing.accounts.models import Membership, MembershipInvite, User, hash_token
from wellbeing.core.models import AuditEvent

PASSWORD = "a-long-and-unusual-passphrase"


def _members_url(org):
    return reverse("accounts:members", args=[org.slug])


def _membership(org, user):
    return Membership.objects.get(organization=org, user=user)


def _member_url(org, user, what=""):
    name = f"accounts:member_{what}" if what else "accounts:member"
    return reverse(name, args=[org.slug, _membership(org, user).pk])


def _accept_url(token):
    return reverse("accounts:invite_accept", args=[token])


def _invite(org, email="nia@example.org", role="member", unit=None, actor=None):
    return actions.invite_member(organization=org, email=email, role=role, unit=unit, actor=actor)


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client


# --- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["clinician", "unit_lead", "outsider", "staff_curator"])
def test_only_the_organization_s_admins_manage_its_members(request, client, org, org_admin, actor):
    client.force_login(request.getfixturevalue(actor))
    sent = _invite(org, actor=org_admin)
    member_pk = _membership(org, org_admin).pk
    assert client.get(_members_url(org)).status_code == 404
    assert client.get(reverse("accounts:member", args=[org.slug, member_pk])).status_code == 404
    attempts = [
        (_members_url(org), {"email": "mole@example.org", "role": "org_admin"}),
        (reverse("accounts:member", args=[org.slug, member_pk]), {"role": "member"}),
        (reverse("accounts:member_remove", args=[org.slug, member_pk]), {}),
        (reverse("accounts:invite_resend", args=[org.slug, sent.invite.pk]), {}),
        (reverse("accounts:invite_cancel", args=[org.slug, sent.invite.pk]), {}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 404, url
    assert _membership(org, org_admin).role == "org_admin"
    assert not MembershipInvite.objects.filter(email="mole@example.org").exists()
    assert MembershipInvite.objects.get(pk=sent.invite.pk).is_pending


def test_an_admin_cannot_reach_another_organization_s_member_through_their_own(
    client, org, other_org, clinician, outsider
):
    client.force_login(outsider)
    theirs = reverse("accounts:member", args=[other_org.slug, _membership(org, clinician).pk])
    assert client.get(theirs).status_code == 404
    assert client.post(theirs + "remove/").status_code == 404
    assert Membership.objects.filter(user=clinician, organization=org).exists()


# --- members and roles ----------------------------------------------------------------------


def test_the_members_page_lists_members_and_pending_invitations(admin_client, org, clinician):
    _invite(org, "pending@example.org")
    html = admin_client.get(_members_url(org)).content.decode()
    assert clinician.email in html and "pending@example.org" in html


def test_an_admin_makes_a_member_a_unit_lead_of_a_unit(admin_client, org, units, clinician):
    response = admin_client.post(
        _member_url(org, clinician), {"role": "unit_lead", "unit": units["icu"].pk}
    )
    assert response.status_code == 302
    membership = _membership(org, clinician)
    assert (membership.role, membership.unit) == ("unit_lead", units["icu"])
    event = AuditEvent.objects.get(verb="membership.change", organization=org)
    assert event.detail["old_role"] == "member" and event.detail["role"] == "unit_lead"


def test_a_unit_lead_needs_a_unit(admin_client, org, clinician):
    response = admin_client.post(_member_url(org, clinician), {"role": "unit_lead"})
    assert response.status_code == 400
    assert "Choose the unit this unit lead leads." in response.content.decode()


def test_a_retired_unit_is_not_offered_to_lead(admin_client, org, units, clinician):
    actions.retire_unit(unit=units["icu"])
    response = admin_client.post(
        _member_url(org, clinician), {"role": "unit_lead", "unit": units["icu"].pk}
    )
    assert response.status_code == 400
    assert _membership(org, clinician).role == "member"


def test_an_admin_removes_a_member(admin_client, org, clinician):
    response = admin_client.post(_member_url(org, clinician, "remove"))
    assert response.status_code == 302
    assert not Membership.objects.filter(organization=org, user=clinician).exists()
    assert User.objects.filter(pk=clinician.pk).exists()  # the account stays
    event = AuditEvent.objects.get(verb="membership.remove")
    assert event.organization == org and event.target == clinician.email


def test_the_last_admin_cannot_remove_themselves(admin_client, org, org_admin):
    response = admin_client.post(_member_url(org, org_admin, "remove"))
    assert response.status_code == 400
    assert "last admin" in response.content.decode()
    assert _membership(org, org_admin).role == "org_admin"
    assert not AuditEvent.objects.filter(verb="membership.remove").exists()


def test_the_last_admin_cannot_demote_themselves(admin_client, org, org_admin):
    response = admin_client.post(_member_url(org, org_admin), {"role": "member"})
    assert response.status_code == 400
    assert "last admin" in response.content.decode()
    assert _membership(org, org_admin).role == "org_admin"


def test_an_admin_may_step_down_once_another_admin_exists(admin_client, org, org_admin, clinician):
    actions.change_member(membership=_membership(org, clinician), role="org_admin")
    response = admin_client.post(_member_url(org, org_admin), {"role": "member"})
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    assert _membership(org, org_admin).role == "member"
    assert admin_client.get(_members_url(org)).status_code == 404


# --- invitations ------------------------------------------------------------------------------


def test_an_invitation_mails_a_link_and_stores_only_the_token_s_hash(
    admin_client, org, units, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            _members_url(org),
            {"email": " Nia@Example.org ", "role": "unit_lead", "unit": units["icu"].pk},
        )
    assert response.status_code == 302
    invite = MembershipInvite.objects.get()
    assert invite.email == "nia@example.org" and invite.unit == units["icu"]
    assert timedelta(days=13, hours=23) < invite.expires_at - timezone.now() <= timedelta(days=14)
    [message] = mail.outbox
    assert message.to == ["nia@example.org"]
    token = re.search(r"/accounts/invite/([^/\s]+)/", message.body).group(1)
    assert invite.token_hash == hash_token(token) and token not in invite.token_hash
    assert not AuditEvent.objects.filter(detail__icontains=token).exists()
    assert AuditEvent.objects.filter(verb="invite.create", organization=org).exists()


def test_inviting_a_member_again_is_a_clear_form_error(admin_client, org, clinician):
    response = admin_client.post(_members_url(org), {"email": clinician.email, "role": "member"})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    _invite(org, "twice@example.org")
    again = admin_client.post(_members_url(org), {"email": "twice@example.org", "role": "member"})
    assert again.status_code == 400 and "resend it instead" in again.content.decode()


def test_a_resent_invitation_replaces_the_old_link(
    admin_client, org, django_capture_on_commit_callbacks
):
    sent = _invite(org)
    url = reverse("accounts:invite_resend", args=[org.slug, sent.invite.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url).status_code == 302
    new_token = re.search(r"/accounts/invite/([^/\s]+)/", mail.outbox[-1].body).group(1)
    assert new_token != sent.token
    admin_client.logout()
    assert admin_client.get(_accept_url(sent.token)).status_code == 404
    assert admin_client.get(_accept_url(new_token)).status_code == 200
    assert AuditEvent.objects.filter(verb="invite.resend").exists()


def test_a_cancelled_invitation_is_refused_clearly(admin_client, org, client):
    sent = _invite(org)
    url = reverse("accounts:invite_cancel", args=[org.slug, sent.invite.pk])
    assert admin_client.post(url).status_code == 302
    admin_client.logout()
    response = admin_client.get(_accept_url(sent.token))
    assert response.status_code == 410
    assert "no longer open" in response.content.decode()
    assert AuditEvent.objects.filter(verb="invite.cancel").exists()


# --- accepting --------------------------------------------------------------------------------


def test_a_new_person_accepting_gets_an_account_a_membership_and_a_session(client, org, units):
    sent = _invite(org, "nia@example.org", "unit_lead", units["icu"])
    page = client.get(_accept_url(sent.token))
    assert page.status_code == 200 and "Create your account" in page.content.decode()
    response = client.post(
        _accept_url(sent.token),
        {"display_name": "Nia Park", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    user = User.objects.get(email="nia@example.org")
    assert user.display_name == "Nia Park" and user.check_password(PASSWORD)
    membership = _membership(org, user)
    assert (membership.role, membership.unit) == ("unit_lead", units["icu"])
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(org.get_absolute_url()).status_code == 200
    assert MembershipInvite.objects.get().accepted_at is not None
    verbs = set(AuditEvent.objects.filter(organization=org).values_list("verb", flat=True))
    assert {"user.create", "invite.accept", "membership.set"} <= verbs


def test_a_weak_password_is_a_form_error_and_creates_nothing(client, org):
    sent = _invite(org)
    response = client.post(
        _accept_url(sent.token), {"display_name": "Nia", "password1": "12345", "password2": "12345"}
    )
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()
    assert not User.objects.filter(email="nia@example.org").exists()
    assert MembershipInvite.objects.get().is_pending


def test_a_used_invitation_is_refused_clearly(client, org):
    sent = _invite(org)
    data = {"display_name": "Nia", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(_accept_url(sent.token), data).status_code == 302
    client.logout()
    again = client.post(_accept_url(sent.token), data)
    assert again.status_code == 410
    assert "no longer open" in again.content.decode()
    assert User.objects.filter(email="nia@example.org").count() == 1


def test_an_expired_invitation_is_refused_clearly(client, org):
    sent = _invite(org)
    MembershipInvite.objects.filter(pk=sent.invite.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(_accept_url(sent.token))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    posted = client.post(
        _accept_url(sent.token),
        {"display_name": "Nia", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert posted.status_code == 410
    assert not User.objects.filter(email="nia@example.org").exists()


def test_an_unknown_token_is_a_friendly_404(client, db):
    response = client.get(_accept_url("not-a-real-token"))
    assert response.status_code == 404
    assert "We cannot find this invitation" in response.content.decode()


def test_an_existing_account_is_asked_to_sign_in_first(client, org, clinician, other_org):
    sent = _invite(other_org, clinician.email)
    response = client.get(_accept_url(sent.token))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(clinician)
    assert client.get(_accept_url(sent.token)).status_code == 200  # a button, not yet accepted
    assert not Membership.objects.filter(user=clinician, organization=other_org).exists()
    assert client.post(_accept_url(sent.token)).status_code == 302
    assert _membership(other_org, clinician).role == "member"


def test_someone_signed_in_with_another_address_cannot_accept(client, org, unit_lead):
    sent = _invite(org, "nia@example.org", "org_admin")
    client.force_login(unit_lead)
    page = client.get(_accept_url(sent.token))
    assert "signed in with another address" in page.content.decode()
    assert client.post(_accept_url(sent.token)).status_code == 403
    assert _membership(org, unit_lead).role == "unit_lead"
    assert MembershipInvite.objects.get().is_pending


def test_accepting_never_lowers_a_role_already_held(client, org, org_admin):
    sent = _invite(org, "second@example.org")
    other = User.objects.create_user("second@example.org", PASSWORD)
    actions.add_member(organization=org, user=other, role="org_admin")
    client.force_login(other)
    assert client.post(_accept_url(sent.token)).status_code == 302
    assert _membership(org, other).role == "org_admin"
