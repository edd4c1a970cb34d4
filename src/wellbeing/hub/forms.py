from django import forms

from wellbeing.core.spam import honeypot_field, is_spam
from wellbeing.hub.models import Suggestion


class SuggestForm(forms.ModelForm):
    website = honeypot_field()
    url = forms.URLField(
        label="Link to the resource",
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": "Enter a link to the resource.",
            "invalid": "Enter a full web address, starting with https://",
        },
    )

    class Meta:
        model = Suggestion
        fields = ["title", "note", "email"]  # url is declared above (https by default)
        labels = {
            "title": "Title of the resource",
            "note": "Why it would help others (optional)",
        }
        error_messages = {
            "title": {"required": "Enter the title of the resource."},
            "email": {"invalid": "Enter an email address in the format name@example.org."},
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def cleaned_data_for_action(self) -> dict[str, str]:
        return {k: self.cleaned_data[k] for k in ("title", "url", "note", "email")}

    def is_spam(self) -> bool:
        return is_spam(self)


class SaveForm(forms.Form):
    list_name = forms.CharField(required=False, max_length=100, label="List name")
