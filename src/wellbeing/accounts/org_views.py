"""An organization's set-up, for its admins: the unit tree, its import, members and invitations.

Every page asks ``get_org_for_user(..., min_role=ORG_ADMIN)`` first: a member, a unit lead,
staff and another organization's admin all meet 404. Every change is one call to
``accounts.actions``; a refused change is a form error (400), never a 500.
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from wellbeing.accounts import actions, two_factor, unit_import
from wellbeing.accounts.forms import (
    InviteAccountForm,
    InviteForm,
    MemberForm,
    UnitForm,
    UnitImportForm,
    UnitMoveForm,
    UnitRenameForm,
)
from wellbeing.accounts.middleware import PRIVILEGED
from wellbeing.accounts.models import Membership, MembershipInvite, Organization, Unit, User
from wellbeing.accounts.permissions import get_org_for_user, get_unit_for_user, units_visible_to
from wellbeing.core.uploads import MemoryOnlyUploadHandler

ADMIN = Membership.Role.ORG_ADMIN


def _admin_org(request: HttpRequest, slug: str) -> tuple[User, Organization]:
    user = cast(User, request.user)  # login_required: never anonymous here
    return user, get_org_for_user(user, slug, min_role=ADMIN)


def _active_units(user: User, org: Organization) -> QuerySet[Unit]:
    """The units a picker offers: never a retired one."""
    return units_visible_to(user, org).filter(retired_at__isnull=True)


# --- The unit tree ------------------------------------------------------------------------


def _units_page(
    request: HttpRequest, user: User, org: Organization, form: UnitForm, status: int = 200
) -> HttpResponse:
    units = list(units_visible_to(user, org))
    context = {
        "org": org,
        "units": [u for u in units if not u.is_retired],
        "retired": [u for u in units if u.is_retired],
        "form": form,
    }
    return render(request, "accounts/units.html", context, status=status)


@login_required
def units(request: HttpRequest, slug: str) -> HttpResponse:
    user, org = _admin_org(request, slug)
    form = UnitForm(request.POST or None, units=_active_units(user, org))
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.create_unit(
                organization=org,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                actor=user,
            )
        except actions.UnitError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"“{unit.name}” is added.")
            return redirect("accounts:units", org.slug)
    return _units_page(request, user, org, form, status=400 if form.errors else 200)


@login_required
def unit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One unit: rename it, move it (with its subtree) or retire it."""
    user, org = _admin_org(request, slug)
    target = get_unit_for_user(user, org, pk)
    targets = _active_units(user, org).exclude(path__startswith=target.path)
    post = request.POST if request.method == "POST" else None
    what = request.POST.get("what", "") if post is not None else ""
    rename = UnitRenameForm(post if what == "rename" else None, initial={"name": target.name})
    move = UnitMoveForm(
        post if what == "move" else None, units=targets, initial={"parent": target.parent_id}
    )
    error = ""
    if post is not None:
        form = {"rename": rename, "move": move}.get(what)
        if form is None:
            error = "Choose what to change: the name or the place in the tree."
        elif form.is_valid():
            try:
                if form is rename:
                    actions.rename_unit(unit=target, name=form.cleaned_data["name"], actor=user)
                else:
                    actions.move_unit(unit=target, parent=form.cleaned_data["parent"], actor=user)
            except actions.UnitError as refused:
                form.add_error("name" if form is rename else "parent", str(refused))
            else:
                messages.success(request, f"“{target.name}” is changed.")
                return redirect("accounts:units", org.slug)
    context = {"org": org, "unit": target, "rename": rename, "move": move, "error": error}
    bad = bool(error or rename.errors or move.errors)
    return render(request, "accounts/unit.html", context, status=400 if bad else 200)


@login_required
@require_POST
def unit_retire(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user, org = _admin_org(request, slug)
    target = get_unit_for_user(user, org, pk)
    count = actions.retire_unit(unit=target, actor=user)
    if count:
        messages.success(
            request,
            f"“{target.name}” is retired ({count} unit{'s' if count != 1 else ''}). Its past"
            " reports are kept; it is no longer offered in pickers or surveys.",
        )
    return redirect("accounts:units", org.slug)


@login_required
@require_POST
def unit_restore(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user, org = _admin_org(request, slug)
    target = get_unit_for_user(user, org, pk)
    try:
        count = actions.restore_unit(unit=target, actor=user)
    except actions.UnitError as refused:
        messages.error(request, str(refused))
    else:
        if count:
            messages.success(request, f"“{target.name}” is restored.")
    return redirect("accounts:units", org.slug)


# --- Importing a unit tree ----------------------------------------------------------------


@csrf_exempt  # checked by csrf_protect below, once the upload handler is set
@login_required
def units_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file and see the dry run. The upload handler must be set before the body is
    read, and the CSRF check reads it: hence the check after the admin check, as in the
    survey import. The file is held in memory only and dropped after the dry run."""
    user, org = _admin_org(request, slug)
    request.upload_handlers = [MemoryOnlyUploadHandler(request, limit=unit_import.MAX_BYTES)]
    return _import(request, user, org)


@csrf_protect
def _import(request: HttpRequest, user: User, org: Organization) -> HttpResponse:
    form = UnitImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"org": org, "form": form}
    if request.method != "POST":
        return render(request, "accounts/units_import.html", context)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > unit_import.MAX_BYTES:
                raise unit_import.ImportFileError(
                    f"The file is larger than {unit_import.MAX_BYTES // 1024} KB."
                )
            plan = unit_import.plan_file(org, upload.read(), upload.name)
        except unit_import.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            context.update(plan=plan, signed=unit_import.signed_plan(org, plan))
            return render(request, "accounts/units_import.html", context)
    return render(request, "accounts/units_import.html", context, status=400)


@login_required
@require_POST
def units_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Apply a dry run's plan, all or nothing, after checking it against today's tree."""
    user, org = _admin_org(request, slug)
    form = UnitImportForm()
    context: dict[str, object] = {"org": org, "form": form}
    try:
        paths = unit_import.paths_from(org, request.POST.get("plan", ""))
        plan = unit_import.plan_paths(org, paths)
        if plan.errors:
            raise unit_import.ImportFileError(
                "The unit tree changed since the dry run: upload the file again."
            )
        created = actions.import_units(organization=org, paths=paths, actor=user)
    except (unit_import.ImportFileError, actions.UnitError) as error:
        context["confirm_error"] = str(error)
        return render(request, "accounts/units_import.html", context, status=400)
    messages.success(request, f"Import done: {created} unit{'s' if created != 1 else ''} added.")
    return redirect("accounts:units", org.slug)


# --- Members and invitations -------------------------------------------------------------


def _membership(org: Organization, pk: int) -> Membership:
    membership = org.memberships.select_related("user", "unit").filter(pk=pk).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


def _invite(org: Organization, pk: int) -> MembershipInvite:
    invite = org.invites.filter(pk=pk).first()
    if invite is None:
        raise Http404("No such invitation.")
    return invite


def _members_page(
    request: HttpRequest, org: Organization, form: InviteForm, status: int = 200
) -> HttpResponse:
    context = {
        "org": org,
        "members": org.memberships.select_related("user", "unit").order_by("role", "user__email"),
        "invites": org.invites.filter(accepted_at__isnull=True, cancelled_at__isnull=True)
        .select_related("unit")
        .order_by("email"),
        "form": form,
        "invite_days": actions.INVITE_DAYS,
    }
    return render(request, "accounts/members.html", context, status=status)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    user, org = _admin_org(request, slug)
    form = InviteForm(request.POST or None, units=_active_units(user, org))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = actions.invite_member(
                organization=org,
                email=data["email"],
                role=data["role"],
                unit=data["unit"],
                actor=user,
            )
        except actions.MemberError as refused:
            form.add_error("email", str(refused))
        else:
            messages.success(request, f"An invitation is on its way to {sent.invite.email}.")
            return redirect("accounts:members", org.slug)
    return _members_page(request, org, form, status=400 if form.errors else 200)


@login_required
def member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One member: change their role and the unit they lead."""
    user, org = _admin_org(request, slug)
    membership = _membership(org, pk)
    initial = {"role": membership.role, "unit": membership.unit_id}
    form = MemberForm(request.POST or None, units=_active_units(user, org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_member(
                membership=membership,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                actor=user,
            )
        except actions.MemberError as refused:
            form.add_error("role", str(refused))
        else:
            role = membership.get_role_display().lower()
            messages.success(request, f"{membership.user.email} is now {role}.")
            if membership.user_id == user.pk and membership.role != ADMIN:
                return redirect(org)  # no longer an admin: the members page is closed to them
            return redirect("accounts:members", org.slug)
    return _member_page(request, org, membership, form)


def _member_page(
    request: HttpRequest,
    org: Organization,
    membership: Membership,
    form: MemberForm,
    error: str = "",
) -> HttpResponse:
    context = {"org": org, "membership": membership, "form": form, "remove_error": error}
    status = 400 if form.errors or error else 200
    return render(request, "accounts/member.html", context, status=status)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user, org = _admin_org(request, slug)
    membership = _membership(org, pk)
    try:
        actions.remove_member(membership=membership, actor=user)
    except actions.MemberError as refused:
        initial = {"role": membership.role, "unit": membership.unit_id}
        form = MemberForm(units=_active_units(user, org), initial=initial)
        return _member_page(request, org, membership, form, error=str(refused))
    messages.success(request, f"{membership.user.email} is no longer a member.")
    if membership.user_id == user.pk:
        return redirect("accounts:home")
    return redirect("accounts:members", org.slug)


@login_required
@require_POST
def invite_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user, org = _admin_org(request, slug)
    invite = _invite(org, pk)
    try:
        actions.resend_invite(invite=invite, actor=user)
    except actions.MemberError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"A new invitation is on its way to {invite.email}.")
    return redirect("accounts:members", org.slug)


@login_required
@require_POST
def invite_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user, org = _admin_org(request, slug)
    invite = _invite(org, pk)
    try:
        actions.cancel_invite(invite=invite, actor=user)
    except actions.MemberError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"The invitation of {invite.email} is cancelled.")
    return redirect("accounts:members", org.slug)


# --- Accepting an invitation (the token in the link is the capability) ---------------------


def _gone(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "accounts/invite_gone.html", {"reason": reason}, status=status)


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Signed in as the invited address: accept with one button. An account exists but is
    not signed in: sign in first. No account: set a name and a password, which creates the
    account, accepts and signs in. Nothing is accepted on a GET (mail scanners open links)."""
    invite = MembershipInvite.for_token(token)
    if invite is None:
        return _gone(request, "unknown", 404)
    if not invite.is_pending or invite.is_expired:
        reason = "expired" if invite.is_pending else "used"
        return _gone(request, reason, 410)
    if request.user.is_authenticated:
        return _accept_signed_in(request, invite, cast(User, request.user))
    if User.objects.filter(email=invite.email).exists():
        messages.info(request, "Sign in with the invited address to accept the invitation.")
        return redirect_to_login(request.get_full_path())
    form = InviteAccountForm(request.POST or None, email=invite.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.create_account_from_invite(
                invite=invite,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except actions.MemberError:
            return _gone(request, "used", 410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invite.organization.name}.")
        return redirect(invite.organization)
    context = {"invite": invite, "form": form}
    return render(
        request, "accounts/invite_accept.html", context, status=400 if form.errors else 200
    )


def _accept_signed_in(request: HttpRequest, invite: MembershipInvite, user: User) -> HttpResponse:
    context = {"invite": invite, "wrong_user": user.email != invite.email}
    if request.method != "POST":
        return render(request, "accounts/invite_accept.html", context)
    if context["wrong_user"]:
        return render(request, "accounts/invite_accept.html", context, status=403)
    try:
        actions.accept_invite(invite=invite, user=user)
    except actions.MemberError:
        return _gone(request, "used", 410)
    # A role granted now counts for the second factor and idle timeout from now on.
    request.session[PRIVILEGED] = two_factor.is_privileged(user)
    messages.success(request, f"You joined {invite.organization.name}.")
    return redirect(invite.organization)
