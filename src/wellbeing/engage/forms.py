from django import forms

CONSENT_TEXT = (
    "Send me occasional email updates about the National Plan, the Change Maker campaign and "
    "events. I can unsubscribe at any time."
)


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the format name@example.org.",
            "max_length": "Email addresses can be at most 254 characters long.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": "Tick the box to agree to receive updates."},
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send your confirmation, a reminder and the calendar link here.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the format name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
