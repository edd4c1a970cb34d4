"""The contact form: store the message, then mail it to ``settings.CONTACT_EMAIL``."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from wellbeing.core.models import audit
from wellbeing.engage.models import ContactMessage
from wellbeing.engage.tasks import send_engage_email


def send_contact_message(*, name: str, email: str, topic: str, message: str) -> ContactMessage:
    with transaction.atomic():
        contact = ContactMessage.objects.create(
            name=name, email=email.strip().lower(), topic=topic, message=message
        )
        audit("contact.message", target=f"contact message #{contact.pk}")
        # Staff read the inbox in the site's default language, whatever the sender's page was in.
        with translation.override(settings.LANGUAGE_CODE):
            topic = str(contact.get_topic_display())
        subject = f"Contact form: {topic}"
        inbox = str(settings.SITE_URL).rstrip("/") + reverse("engage:contact_staff")
        body = (
            f"From: {contact.name} <{contact.email}>\n"
            f"Topic: {topic}\n\n"
            f"{contact.message}\n\n--\nAll messages: {inbox}\n"
        )
        to = [settings.CONTACT_EMAIL]
        transaction.on_commit(lambda: send_engage_email.enqueue(subject, body, to))
    return contact


def set_handled(*, contact: ContactMessage, handled: bool, actor) -> ContactMessage:
    with transaction.atomic():
        contact.handled_at = timezone.now() if handled else None
        contact.handled_by = actor if handled else None
        contact.save(update_fields=["handled_at", "handled_by"])
        audit(
            "contact.handled",
            actor=actor,
            target=f"contact message #{contact.pk}",
            handled=handled,
        )
    return contact
