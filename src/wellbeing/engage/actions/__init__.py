"""The engage app's write path, one module per subject; import them from here."""

from wellbeing.engage.actions.updates import subscribe

__all__ = ["subscribe"]
