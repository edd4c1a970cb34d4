"""Support access: an organization admin's page to grant and revoke it, and the staff's list.

Campaign staff read no organization's reports by being staff. An admin who wants help
reading theirs names their campaign support contact and a number of days; the contact then
reads the report pages and files (never the record export, imports or administration)
until the grant expires or an admin revokes it. Every grant, revocation and read is in the
organization's audit log.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import User
from wellbeing.accounts.permissions import get_org_for_admin, is_staff
from wellbeing.reports import actions
from wellbeing.reports.access import active_grants
from wellbeing.reports.models import SupportAccess
from wellbeing.surveys.models import Wave

PAST_SHOWN = 50


class GrantForm(forms.Form):
    email = forms.EmailField(
        label="Your campaign support contact's email address",
        help_text="The address of their campaign staff account.",
        error_messages={"required": "Enter the email address of your support contact."},
    )
    days = forms.IntegerField(
        label="Number of days",
        min_value=actions.MIN_DAYS,
        max_value=actions.MAX_DAYS,
        initial=actions.DEFAULT_DAYS,
        help_text=f"From {actions.MIN_DAYS} to {actions.MAX_DAYS}. You can revoke it sooner.",
        error_messages={
            "required": "Enter a number of days.",
            "min_value": f"Enter at least {actions.MIN_DAYS} day.",
            "max_value": f"Enter at most {actions.MAX_DAYS} days.",
        },
    )

    def clean_email(self) -> User:
        """The named staff member; the same message for an unknown address and a non-staff
        one, so the form tells an admin nothing about other people's accounts."""
        address = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=address, is_staff=True, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                "No campaign staff member has this address. Check it with your support contact."
            )
        return user


@login_required
def support_access(request: HttpRequest, slug: str) -> HttpResponse:
    """The admin's page: who may read the reports now, grants of the past, and a new grant."""
    org = get_org_for_admin(request.user, slug)  # staff without the role get 404 too
    form = GrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        granted = actions.grant_support_access(
            organization=org,
            staff_user=form.cleaned_data["email"],
            days=form.cleaned_data["days"],
            actor=cast(User, request.user),
        )
        messages.success(request, _granted_message(granted))
        return redirect("reports:support_access", slug=org.slug)
    now = timezone.now()
    grants = SupportAccess.objects.filter(organization=org).select_related(
        "staff_user", "granted_by", "revoked_by"
    )
    context = {
        "org": org,
        "form": form,
        "active": list(grants.filter(revoked_at__isnull=True, expires_at__gt=now)),
        "past": grants.filter(Q(revoked_at__isnull=False) | Q(expires_at__lte=now))[:PAST_SHOWN],
        "now": now,
        "max_days": actions.MAX_DAYS,
    }
    status = 400 if form.errors else 200
    return render(request, "reports/support_access.html", context, status=status)


def _granted_message(granted: actions.Granted) -> str:
    grant = granted.grant
    until = date_format(timezone.localtime(grant.expires_at), "F j, Y, H:i")
    text = f"{grant.staff_user.email} may read the reports until {until}."
    if granted.replaced is not None:
        text += " This replaces their earlier access."
    return text


@login_required
@require_POST
def support_access_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """End a grant now (an admin of the grant's own organization only; others get 404)."""
    org = get_org_for_admin(request.user, slug)
    grant = SupportAccess.objects.filter(organization=org, pk=pk).select_related("staff_user")
    found = grant.first()
    if found is None:
        raise Http404("No such grant.")
    actions.revoke_support_access(grant=found, actor=cast(User, request.user))
    messages.success(request, f"{found.staff_user.email} can no longer read the reports.")
    return redirect("reports:support_access", slug=org.slug)


@login_required
def my_support_access(request: HttpRequest) -> HttpResponse:
    """A staff member's active grants, each with the waves whose reports they may open."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    grants = list(active_grants(request.user).select_related("organization", "granted_by"))
    waves = Wave.objects.filter(
        survey__organization__in=[g.organization for g in grants],
        status__in=[Wave.Status.OPEN, Wave.Status.CLOSED],
    ).select_related("survey")
    by_org: dict[int, list[Wave]] = {}
    for wave in waves.order_by("survey__name", "opens_at", "pk"):
        by_org.setdefault(wave.survey.organization_id, []).append(wave)
    rows = [{"grant": g, "waves": by_org.get(g.organization_id, [])} for g in grants]
    return render(request, "reports/support_mine.html", {"rows": rows})
