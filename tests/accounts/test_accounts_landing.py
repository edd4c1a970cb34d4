"""Where sign-in leads each role, and the header's links for each kind of signed-in user."""

import pytest
from django.urls import reverse

from wellbeing.accounts import actions

PASSWORD = "a-long-test-password"


def _sign_in(client, user, next_url=None):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.email, "password": PASSWORD})


def _header(html):
    return html.split('<header class="usa-header')[1].split("</header>")[0]


# --- landing -------------------------------------------------------------------------------


def test_staff_land_on_their_tools(client, staff_curator):
    response = _sign_in(client, staff_curator)
    assert response["Location"] == reverse("campaign:dashboard")


def test_the_admin_of_one_organization_lands_on_its_page(client, org, org_admin):
    assert _sign_in(client, org_admin)["Location"] == org.get_absolute_url()


def test_the_admin_of_two_organizations_lands_on_the_list(client, org, other_org, org_admin):
    actions.add_member(organization=other_org, user=org_admin, role="org_admin")
    assert _sign_in(client, org_admin)["Location"] == reverse("accounts:home")


@pytest.mark.parametrize("actor", ["clinician", "unit_lead"])
def test_members_and_leads_land_on_the_list_of_what_they_can_do(request, client, actor):
    user = request.getfixturevalue(actor)
    response = _sign_in(client, user)
    assert response["Location"] == reverse("accounts:home")
    html = client.get(response["Location"]).content.decode()
    assert "Riverbend Health" in html


def test_the_list_links_a_lead_to_the_reports_they_may_read(client, org, unit_lead):
    client.force_login(unit_lead)
    html = client.get(reverse("accounts:home")).content.decode()
    assert reverse("surveys:survey_list", args=[org.slug]) in html
    assert reverse("accounts:members", args=[org.slug]) not in html


def test_a_member_s_list_offers_no_report_or_admin_page(client, org, clinician):
    client.force_login(clinician)
    html = client.get(reverse("accounts:home")).content.decode()
    assert reverse("surveys:survey_list", args=[org.slug]) not in html
    assert reverse("accounts:units", args=[org.slug]) not in html


def test_a_safe_next_address_wins_over_the_landing_page(client, org, org_admin):
    target = reverse("hub:index")
    assert _sign_in(client, org_admin, target)["Location"] == target


def test_an_outside_next_address_is_ignored(client, staff_curator):
    response = _sign_in(client, staff_curator, "https://evil.example/")
    assert response["Location"] == reverse("campaign:dashboard")


def test_a_signed_in_visitor_to_the_sign_in_page_goes_to_their_landing(client, org, org_admin):
    client.force_login(org_admin)
    assert client.get(reverse("accounts:login"))["Location"] == org.get_absolute_url()


# --- the header ------------------------------------------------------------------------------


def test_staff_see_staff_tools_and_no_one_else_does(client, staff_curator, clinician, org_admin):
    client.force_login(staff_curator)
    staff = _header(client.get(reverse("core:home")).content.decode())
    assert "Staff tools" in staff and reverse("campaign:dashboard") in staff
    for user in (clinician, org_admin):
        client.force_login(user)
        assert "Staff tools" not in _header(client.get(reverse("core:home")).content.decode())


def test_an_admin_s_header_links_to_their_organization_s_api_tokens(client, org, org_admin):
    client.force_login(org_admin)
    header = _header(client.get(reverse("core:home")).content.decode())
    assert reverse("api_pages:tokens", args=[org.slug]) in header
    assert reverse("accounts:home") in header and "Sign out</button>" in header


def test_a_member_s_header_has_no_api_tokens_and_costs_no_query(
    client, clinician, django_assert_num_queries
):
    client.force_login(clinician)
    client.get(reverse("core:home"))
    header = _header(client.get(reverse("core:home")).content.decode())
    assert "API tokens" not in header and "My organizations" in header
    with django_assert_num_queries(3):  # session, user, the page's priority areas: no header query
        client.get(reverse("core:home"))


def test_the_header_links_to_account_settings(client, clinician):
    client.force_login(clinician)
    header = _header(client.get(reverse("core:home")).content.decode())
    assert reverse("accounts:settings") in header


def test_a_signed_in_header_never_reaches_a_visitor_or_another_user(
    client, staff_curator, clinician
):
    client.force_login(staff_curator)
    client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="es")
    client.logout()
    visitor = _header(client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="es").content.decode())
    assert reverse("campaign:dashboard") not in visitor
    assert reverse("accounts:logout") not in visitor and reverse("accounts:login") in visitor
    assert "Iniciar sesión" in visitor and "Herramientas del personal" not in visitor
    client.force_login(clinician)
    member = _header(client.get(reverse("core:home")).content.decode())
    assert "Staff tools" not in member and "Sign out</button>" in member


def test_the_signed_in_header_keeps_its_translated_strings_in_spanish(client, staff_curator):
    client.force_login(staff_curator)
    html = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    header = _header(html)
    assert "Menú" in header and "Cerrar el menú" in header
    for spanish in (
        "Herramientas del personal",
        "Mis organizaciones",
        "Configuración de la cuenta",
    ):
        assert spanish in header
    assert "Cerrar sesión" in header
    assert reverse("campaign:dashboard") in header and reverse("accounts:logout") in header
