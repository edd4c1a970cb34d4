"""An org admin's API token pages: list, create (the secret shown once), revoke."""

from datetime import timedelta
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import User
from wellbeing.accounts.permissions import get_org_for_admin
from wellbeing.api import actions
from wellbeing.api.auth import rate_limit
from wellbeing.api.models import SCOPES, ApiToken

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("180", "180 days"), ("365", "1 year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=actions.MAX_NAME,
        label="Name",
        help_text="What the token is for, e.g. “Board dashboard”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        label="What it may do",
        error_messages={"required": "Choose at least one thing the token may do."},
    )
    expires_in = forms.ChoiceField(
        choices=EXPIRY_CHOICES, initial="90", label="Expires after", widget=forms.RadioSelect
    )


@login_required
def token_list(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_org_for_admin(request.user, slug)
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            days = int(form.cleaned_data["expires_in"])
            created = actions.create_token(
                organization=org,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + timedelta(days=days),
                actor=cast(User, request.user),
            )
            form = TokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(organization=org).select_related("created_by")
    context = {
        "org": org,
        "form": form,
        "created": created,
        "tokens": tokens,
        "scopes": SCOPES,
        "rate_limit": rate_limit(),
    }
    response = render(request, "api/tokens.html", context, status=status)
    if created is not None:
        response["Cache-Control"] = "no-store"  # the secret is on this page only
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_org_for_admin(request.user, slug)
    token = ApiToken.objects.filter(organization=org, pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    actions.revoke_token(token=token, actor=cast(User, request.user))
    return redirect("api_pages:tokens", slug=org.slug)
