"""Lookups of campaign objects for a user: what they may not see is a 404.

Organization membership is decided by ``accounts.permissions``; this module only
adds the campaign's own rule that pending and declined sign-ons are never public.
"""

from django.http import Http404

from wellbeing.accounts.permissions import AnyUser, can_administer, is_staff
from wellbeing.campaign.models import Commitment, Participant


def can_manage(user: AnyUser, participant: Participant) -> bool:
    """Staff, the individual who signed on, or an admin of the participating organization."""
    if is_staff(user):
        return True
    if participant.organization is None:
        return getattr(user, "pk", None) == participant.user_id and bool(user.is_active)
    return can_administer(user, participant.organization)


def get_participant_to_manage(user: AnyUser, pk: int) -> Participant:
    participant = Participant.objects.select_related("organization", "user").filter(pk=pk).first()
    if participant is None or not can_manage(user, participant):
        raise Http404("No such participant.")
    return participant


def get_participant_to_view(user: AnyUser, pk: int) -> Participant:
    """A public participant, or one the user manages (so they can see their own page)."""
    participant = Participant.objects.select_related("organization").filter(pk=pk).first()
    if participant is None:
        raise Http404("No such participant.")
    public = participant.status == Participant.Status.APPROVED and participant.is_public
    if not public and not can_manage(user, participant):
        raise Http404("No such participant.")
    return participant


def get_commitment(participant: Participant, pk: int) -> Commitment:
    commitment = (
        Commitment.objects.filter(participant=participant, pk=pk)
        .select_related("priority_area", "action__priority_area")
        .first()
    )
    if commitment is None:
        raise Http404("No such commitment.")
    return commitment


def require_staff(user: AnyUser) -> None:
    """Staff-only pages answer 404 to everyone else, like any other unknown page."""
    if not is_staff(user):
        raise Http404("No such page.")
