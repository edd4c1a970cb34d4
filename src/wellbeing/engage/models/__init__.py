"""The engage app's models, one module per subject; import them from here."""

from wellbeing.engage.models.events import Event, Registration, ToolkitItem
from wellbeing.engage.models.gallery import Artwork, HostRequest
from wellbeing.engage.models.questionnaires import Questionnaire, Theme, ThemeAssignment
from wellbeing.engage.models.subscriptions import Subscriber

__all__ = [
    "Artwork",
    "Event",
    "HostRequest",
    "Questionnaire",
    "Registration",
    "Subscriber",
    "Theme",
    "ThemeAssignment",
    "ToolkitItem",
]
