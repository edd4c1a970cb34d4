from typing import cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wellbeing.accounts.forms import EmailAuthenticationForm
from wellbeing.accounts.models import Membership, User
from wellbeing.accounts.permissions import can_administer, get_org_for_user, units_visible_to
from wellbeing.core.models import AuditEvent


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    memberships = Membership.objects.filter(user=user).select_related("organization", "unit")
    return render(request, "accounts/home.html", {"memberships": memberships})


@login_required
def organization(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_org_for_user(request.user, slug)
    admin = can_administer(request.user, org)
    units = units_visible_to(request.user, org)
    members = (
        org.memberships.select_related("user", "unit").order_by("role", "user__email")
        if admin
        else None
    )
    return render(
        request,
        "accounts/organization.html",
        {
            "org": org,
            "units": units,
            "members": members,
            "is_admin": admin,
            "can_lead": units.exists(),
        },
    )


@login_required
def organization_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's audit log: who viewed or exported what, and when (admins only)."""
    org = get_org_for_user(request.user, slug, min_role=Membership.Role.ORG_ADMIN)
    events = (
        AuditEvent.objects.filter(organization=org).select_related("actor").order_by("-at")[:500]
    )
    return render(request, "accounts/audit.html", {"org": org, "events": events})
