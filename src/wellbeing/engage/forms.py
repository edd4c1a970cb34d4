from django import forms
from django.utils.translation import gettext_lazy as _

from wellbeing.core.spam import honeypot_field, is_spam
from wellbeing.engage.models import ContactMessage, Topic

CONSENT_TEXT = _(
    "Send me occasional email updates about the National Plan, the Change Maker campaign and "
    "events. I can unsubscribe at any time."
)


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the format name@example.org."),
            "max_length": _("Email addresses can be at most 254 characters long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        required=False,
        help_text=_("Leave every box unticked to receive all of them."),
        error_messages={"invalid_choice": _("Choose topics from the list.")},
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": _("Tick the box to agree to receive updates.")},
    )
    website = honeypot_field()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def is_spam(self) -> bool:
        return is_spam(self)


class PreferencesForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("Send me updates about"),
        choices=Topic.choices,
        error_messages={
            "required": _("Choose at least one topic, or unsubscribe from everything below."),
            "invalid_choice": _("Choose topics from the list."),
        },
        widget=forms.CheckboxSelectMultiple,
    )


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("Names can be at most 200 characters long."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We reply to this address and use it for nothing else."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the format name@example.org."),
            "max_length": _("Email addresses can be at most 254 characters long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(
        label=_("What is your message about?"),
        choices=ContactMessage.Topic.choices,
        error_messages={
            "required": _("Choose what your message is about."),
            "invalid_choice": _("Choose a topic from the list."),
        },
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        error_messages={
            "required": _("Enter your message."),
            "max_length": _("Messages can be at most 5,000 characters long."),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    website = honeypot_field()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def is_spam(self) -> bool:
        return is_spam(self)


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send your confirmation, a reminder and the calendar link here."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the format name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class NewsletterForm(forms.Form):
    subject = forms.CharField(
        label="Subject", max_length=200, error_messages={"required": "Enter a subject."}
    )
    body = forms.CharField(
        label="Message",
        help_text="Plain text or Markdown, sent as written. The unsubscribe and preference "
        "links are added at the end.",
        max_length=50_000,
        error_messages={"required": "Enter the message."},
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    topics = forms.MultipleChoiceField(
        label="Send to subscribers of",
        choices=Topic.choices,
        error_messages={"required": "Choose at least one topic."},
        widget=forms.CheckboxSelectMultiple,
    )
