"""The engage app's models, one module per subject; import them from here."""

from wellbeing.engage.models.subscriptions import Subscriber

__all__ = ["Subscriber"]
