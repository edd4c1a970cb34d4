import re

import pytest
from django.core import mail
from django.urls import reverse

from wellbeing.accounts.models import Membership, Organization, User
from wellbeing.campaign.models import Participant, RoleChange
from wellbeing.core.models import AuditEvent

INSTITUTION = reverse("campaign:sign_on_institution")
INDIVIDUAL = reverse("campaign:sign_on_individual")


def institution_data(**overrides):
    data = {
        "signer_name": "Dana Doe",
        "signer_title": "Chief Medical Officer",
        "email": "Dana@Harbor.test",
        "password": "correct-horse-battery-staple",
        "organization_name": "Harbor Health",
        "kind": "health_system",
        "state": "OH",
        "website": "https://harbor.example.org",
        "role": "accelerator",
        "priority_areas": [
            "measurement-assessment-strategies-and-research",
            "mental-health-and-stigma",
        ],
        "is_public": "on",
        "authority": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_visitor_signs_on_a_new_institution_and_gets_a_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INSTITUTION, institution_data())
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert response.headers["Location"] == reverse("campaign:sign_on_sent")
    assert "_auth_user_id" not in client.session  # signed in only with the password, later
    assert participant.status == Participant.Status.PENDING
    assert participant.role == "accelerator"
    assert participant.is_public is True
    assert participant.email_confirmed_at is None
    assert "Dana Doe, Chief Medical Officer" in participant.authority_statement
    assert sorted(participant.priority_areas.values_list("number", flat=True)) == [2, 3]
    org = Organization.objects.get(name="Harbor Health")
    assert (participant.organization, org.state, org.kind) == (org, "OH", "health_system")
    signer = User.objects.get(email="dana@harbor.test")
    assert Membership.objects.get(user=signer, organization=org).role == "org_admin"
    assert list(RoleChange.objects.values_list("from_role", "to_role")) == [("", "accelerator")]
    assert AuditEvent.objects.filter(verb="campaign.sign_on", organization=org).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@harbor.test"]
    link = re.search(r"https?://\S+/campaign/confirm/\S+/", mail.outbox[0].body).group(0)
    confirmed = client.post(link)
    assert confirmed.status_code == 200
    assert "Email address confirmed" in confirmed.content.decode()
    participant.refresh_from_db()
    assert participant.email_confirmed_at is not None


@pytest.mark.django_db
def test_a_tampered_confirmation_link_is_refused_cleanly(client, pending):
    from wellbeing.campaign.actions import confirmation_token

    token = confirmation_token(pending)
    response = client.get(reverse("campaign:confirm", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    pending.refresh_from_db()
    assert pending.email_confirmed_at is None


@pytest.mark.django_db
def test_an_individual_signs_on_as_a_node(client):
    response = client.post(
        INDIVIDUAL,
        {
            "signer_name": "Riley Nurse",
            "email": "riley@example.org",
            "password": "correct-horse-battery-staple",
            "state": "TX",
            "role": "node",
            "priority_areas": ["mental-health-and-stigma"],
        },
    )
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.organization is None
    assert (participant.display_name, participant.state, participant.is_public) == (
        "Riley Nurse",
        "TX",
        False,
    )
    assert participant.sector == "Individual"


@pytest.mark.django_db
def test_an_org_admin_signs_on_their_existing_organization(client, org, org_admin):
    client.force_login(org_admin)
    form = client.get(INSTITUTION).content.decode()
    assert "Riverbend Health" in form
    response = client.post(
        INSTITUTION,
        institution_data(
            email=None,
            password=None,
            organization="riverbend",
            organization_name="",
            kind="",
            state="",
        ),
    )
    assert response.status_code == 302
    assert Participant.objects.get().organization == org
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_a_member_who_is_not_admin_cannot_sign_on_their_organization(client, org, clinician):
    client.force_login(clinician)
    assert "Riverbend Health" not in client.get(INSTITUTION).content.decode()
    response = client.post(
        INSTITUTION,
        institution_data(email=None, password=None, organization="riverbend", organization_name=""),
    )
    # The field does not exist for a non-admin: the form asks for a new institution instead.
    assert response.status_code == 400
    assert "Enter the institution&#x27;s name." in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_an_outsider_cannot_pick_another_organization(client, org, outsider):
    client.force_login(outsider)
    response = client.post(
        INSTITUTION, institution_data(email=None, password=None, organization="riverbend")
    )
    assert response.status_code == 400
    assert "Choose one of your institutions." in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"priority_areas": ["no-such-area"]},
            "no-such-area is not a priority area of the National Plan.",
        ),
        ({"priority_areas": None}, "Choose at least one priority area."),
        ({"role": "sponsor"}, "Choose Node, Champion or Accelerator."),
        ({"role": None}, "Choose a role."),
        ({"authority": None}, "Confirm that you may commit the institution."),
        ({"organization_name": ""}, "Enter the institution&#x27;s name."),
        ({"state": ""}, "Choose the U.S. state where the institution is based."),
        ({"state": "ZZ"}, "Choose a U.S. state from the list."),
        ({"email": "not-an-email"}, "Enter an email address in the format name@example.org."),
        ({"password": "short"}, "This password is too short."),
        ({"website": "harbor"}, "Enter a web address starting with https://."),
        ({"signer_name": "x\x00y"}, "Null characters are not allowed."),
    ],
)
def test_bad_sign_on_input_gets_a_clear_form_error(client, overrides, message):
    response = client.post(INSTITUTION, institution_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Please correct the form" in html
    assert not Participant.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_organization_signs_on_only_once(pending, org, org_admin, client):
    client.force_login(org_admin)
    response = client.post(
        INSTITUTION,
        institution_data(email=None, password=None, organization="riverbend"),
    )
    assert response.status_code == 400
    assert "already signed on" in response.content.decode()
    assert Participant.objects.count() == 1
