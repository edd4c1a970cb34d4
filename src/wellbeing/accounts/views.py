from typing import cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from wellbeing.accounts import two_factor
from wellbeing.accounts.forms import EmailAuthenticationForm, OneTimeCodeForm
from wellbeing.accounts.models import Membership, User
from wellbeing.accounts.permissions import (
    can_administer,
    get_org_for_user,
    is_staff,
    organizations_administered_by,
    units_visible_to,
)
from wellbeing.core.models import AuditEvent


def landing_url(user: User) -> str:
    """Where sign-in leads without a ``next``: staff to their tools, the admin of exactly one
    organization to its page, everyone else to the list of what they can do."""
    if is_staff(user):
        return reverse("campaign:dashboard")
    administered = list(organizations_administered_by(user)[:2])
    if len(administered) == 1:
        return administered[0].get_absolute_url()
    return reverse("accounts:home")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """A safe ``next`` wins (``get_redirect_url``); without one, the role's landing page."""
        return landing_url(cast(User, self.request.user))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    memberships = Membership.objects.filter(user=user).select_related("organization", "unit")
    context = {"memberships": memberships, "is_staff": is_staff(user)}
    return render(request, "accounts/home.html", context)


@login_required
def organization(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_org_for_user(request.user, slug)
    admin = can_administer(request.user, org)
    visible = list(units_visible_to(request.user, org))
    units = [u for u in visible if not u.is_retired]
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
            "retired": [u for u in visible if u.is_retired] if admin else [],
            "members": members,
            "is_admin": admin,
            "can_lead": bool(visible),
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


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/accounts/"


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code, its key typed by hand, a code to confirm."""
    user = cast(User, request.user)
    if two_factor.has_device(user):
        return redirect("accounts:two_factor_verify")
    device = two_factor.pending_device(user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_device(request, device, form.cleaned_data["token"])
        if codes is not None:
            done = {"codes": codes, "next": _next(request)}
            return render(request, "accounts/two_factor_done.html", done)
        form.add_error(
            "token",
            "That code does not match. Check the time on your phone and try the newest code.",
        )
    context: dict[str, object] = {
        "form": form,
        "qr": two_factor.qr_svg(device),
        "key": device.config_url.split("secret=")[1].split("&")[0],
        "next": _next(request),
    }
    return render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not two_factor.has_device(user):
        return redirect("accounts:two_factor_setup")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, user, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", "That code does not match. Try the newest code, or a backup code.")
    context = {"form": form, "next": _next(request)}
    return render(
        request, "accounts/two_factor_verify.html", context, status=400 if form.errors else 200
    )
