"""The engage app's models, one module per subject; import them from here."""

from wellbeing.engage.models.consultations import (
    CommentTheme,
    Consultation,
    ConsultationComment,
    Paragraph,
    Section,
)
from wellbeing.engage.models.contact import ContactMessage
from wellbeing.engage.models.events import Event, Registration, ToolkitItem
from wellbeing.engage.models.gallery import Artwork, HostRequest
from wellbeing.engage.models.questionnaires import Questionnaire, Theme, ThemeAssignment
from wellbeing.engage.models.subscriptions import (
    Delivery,
    Newsletter,
    Subscriber,
    SubscriberTopic,
    Topic,
)

__all__ = [
    "Artwork",
    "CommentTheme",
    "Consultation",
    "ConsultationComment",
    "ContactMessage",
    "Delivery",
    "Event",
    "HostRequest",
    "Newsletter",
    "Paragraph",
    "Questionnaire",
    "Registration",
    "Section",
    "Subscriber",
    "SubscriberTopic",
    "Theme",
    "ThemeAssignment",
    "ToolkitItem",
    "Topic",
]
