"""Invitations by email (org admins): addresses in, a confirmation, then the platform sends.

The addresses are received in memory only (``core.uploads``), checked, and carried to
the confirmation step sealed in the form (``invitations.seal_draft``): nothing is stored
until the admin confirms. Pages show counts only, never which address answered.
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import Membership, Organization, Unit, User
from wellbeing.accounts.permissions import get_org_for_user
from wellbeing.core.uploads import MemoryOnlyUploadHandler
from wellbeing.surveys import invitations
from wellbeing.surveys.forms import InvitationConfirmForm, InvitationForm
from wellbeing.surveys.models import Wave
from wellbeing.surveys.queries import wave_for_org

ADMIN = Membership.Role.ORG_ADMIN


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _admin_wave(request: HttpRequest, slug: str, pk: int) -> tuple[Organization, Wave]:
    org = get_org_for_user(_user(request), slug, min_role=ADMIN)
    return org, wave_for_org(org, pk)


def _units(org: Organization) -> list[Unit]:
    return list(Unit.objects.filter(organization=org, retired_at=None).order_by("path"))


def _page(
    request: HttpRequest,
    org: Organization,
    wave: Wave,
    form,
    status: int = 200,
    problem: str = "",
    plan: invitations.Plan | None = None,
) -> HttpResponse:
    try:
        invitations.check_invitable(wave)
        closed = ""
    except invitations.InvitationsRefused as refused:
        closed = str(refused)
    context = {
        "org": org,
        "wave": wave,
        "survey": wave.survey,
        "form": form,
        "closed": closed,
        "problem": problem,
        "summary": invitations.summary(wave),
        **_row_errors(plan),
    }
    return render(request, "surveys/invitations/invite.html", context, status=status)


def _row_errors(plan: invitations.Plan | None) -> dict:
    errors = plan.errors if plan is not None else []
    return {
        "errors": errors[: invitations.MAX_ROWS_SHOWN],
        "more_errors": max(0, len(errors) - invitations.MAX_ROWS_SHOWN),
    }


@csrf_exempt  # checked by csrf_protect below, once the upload handlers are set
@login_required
def invite(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Addresses in (GET: the form; POST: the confirmation page, or the form with errors).

    The file is held in memory only; the handlers must be set before the body is read,
    and the CSRF check reads it, hence the check after this point. Only an admin's
    request gets as far as reading the body."""
    org, wave = _admin_wave(request, slug, pk)
    request.upload_handlers = [MemoryOnlyUploadHandler(request, limit=invitations.MAX_FILE_BYTES)]
    return _invite(request, org, wave)


@csrf_protect
def _invite(request: HttpRequest, org: Organization, wave: Wave) -> HttpResponse:
    units = _units(org)
    if request.method != "POST":
        return _page(request, org, wave, InvitationForm(units=units))
    form = InvitationForm(request.POST, request.FILES, units=units)
    if not form.is_valid():
        return _page(request, org, wave, form, status=400)
    unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), None)
    try:
        invitations.check_invitable(wave)
        lines = _lines(form)
    except (invitations.InvitationsRefused, invitations.InputError) as problem:
        form.add_error("file" if form.cleaned_data.get("file") else "addresses", str(problem))
        return _page(request, org, wave, form, status=400)
    plan = invitations.plan_batch(wave, lines, unit)
    if len(plan.entries) > invitations.MAX_ADDRESSES:
        form.add_error(
            None, f"At most {invitations.MAX_ADDRESSES:,} addresses at a time: split the list."
        )
    elif not plan.entries:
        form.add_error(None, _nothing_to_send(plan))
    if form.errors:
        return _page(request, org, wave, form, status=400, plan=plan)
    context = {
        "org": org,
        "wave": wave,
        "survey": wave.survey,
        "plan": plan,
        "per_unit": plan.per_unit({u.pk: u for u in units}),
        **_row_errors(plan),
        "confirm": InvitationConfirmForm(
            initial={"draft": invitations.seal_draft(wave, _user(request), unit, plan)}
        ),
    }
    return render(request, "surveys/invitations/confirm.html", context)


def _lines(form: InvitationForm) -> list[invitations.Line]:
    lines = invitations.pasted_lines(form.cleaned_data.get("addresses", ""))
    upload = form.cleaned_data.get("file")
    if upload:
        if upload.size > invitations.MAX_FILE_BYTES:
            raise invitations.InputError(
                f"The file is larger than {invitations.MAX_FILE_BYTES // (1024 * 1024)} MB."
            )
        lines += invitations.file_lines(upload.read(), upload.name)
    return lines


def _nothing_to_send(plan: invitations.Plan) -> str:
    if plan.skipped:
        return (
            f"Nothing to send: {plan.skipped} address{'es' if plan.skipped != 1 else ''}"
            " skipped as already invited to this wave or repeated, and no new valid address."
        )
    return "No valid email address was found: see the lines listed, or check the file."


@login_required
@require_POST
def send(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, wave = _admin_wave(request, slug, pk)
    form = InvitationConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise invitations.InputError("This confirmation is missing: check the addresses again.")
        unit_pk, entries = invitations.open_draft(form.cleaned_data["draft"], wave, _user(request))
        unit = Unit.objects.filter(organization=org, pk=unit_pk).first() if unit_pk else None
        batch, skipped = invitations.create_batch(
            wave=wave, entries=entries, unit=unit, actor=_user(request)
        )
    except (invitations.InputError, invitations.InvitationsRefused) as problem:
        return _page(request, org, wave, _blank(org), status=400, problem=str(problem))
    except ValueError:  # a unit deleted since the check
        problem = "The organization's units changed: check the addresses again."
        return _page(request, org, wave, _blank(org), status=400, problem=problem)
    if batch is None:
        messages.warning(request, "Nothing was sent: every address had been invited already.")
    else:
        note = f" {skipped} already invited meanwhile, skipped." if skipped else ""
        messages.success(
            request,
            f"Sending {batch.total} invitation{'s' if batch.total != 1 else ''} "
            f"by email, each with its own single-use link.{note}",
        )
    return redirect("surveys:invitations", org.slug, wave.pk)


def _blank(org: Organization) -> InvitationForm:
    return InvitationForm(units=_units(org))


@login_required
@require_POST
def remind(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, wave = _admin_wave(request, slug, pk)
    try:
        due = invitations.start_reminders(wave=wave, actor=_user(request))
    except invitations.InvitationsRefused as refused:
        messages.error(request, str(refused))
    else:
        floor = invitations.rounded(due, wave)
        k = org.effective_min_group_size
        people = f"at least {floor} people" if floor else f"fewer than {k} people"
        messages.success(
            request,
            f"Reminders are on their way to everyone invited who has not answered yet"
            f" ({people}; rounded like the live counts, so nobody's answer can be worked out).",
        )
    return redirect("surveys:invitations", org.slug, wave.pk)


@login_required
def status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The batches' progress: polled by htmx every 2 seconds while one is sending."""
    org, wave = _admin_wave(request, slug, pk)
    context = {"org": org, "wave": wave, "summary": invitations.summary(wave)}
    return render(request, "surveys/invitations/_status.html", context)
