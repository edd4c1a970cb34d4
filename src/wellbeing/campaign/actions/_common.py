"""What every campaign action shares: the transition error and mail after commit."""

from django.db import transaction

from wellbeing.campaign.models import Participant
from wellbeing.campaign.tasks import send_campaign_email


class TransitionError(ValueError):
    """A state change that the current state does not allow."""


def notify_on_commit(participant: Participant, subject: str, body: str) -> None:
    mail_on_commit(subject, body, participant.user.email)


def mail_on_commit(subject: str, body: str, email: str) -> None:
    """Enqueue the mail once the transaction commits: a rolled-back write sends nothing."""
    transaction.on_commit(
        lambda: send_campaign_email.enqueue(subject=subject, body=body, to=[email])
    )
