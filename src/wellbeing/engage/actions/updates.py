from django.db import IntegrityError, transaction

from wellbeing.core.models import audit
from wellbeing.engage.forms import CONSENT_TEXT
from wellbeing.engage.models import Subscriber


def subscribe(email: str) -> Subscriber:
    """Store the address once; a repeated sign-up is not an error and reveals nothing."""
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(email=email, consent_text=CONSENT_TEXT)
            audit("subscriber.create", target=f"subscriber #{subscriber.pk}")
            return subscriber
    except IntegrityError:
        return Subscriber.objects.get(email=email)
