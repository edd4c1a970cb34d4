from django import forms
from django.utils.translation import gettext_lazy as _

from wellbeing.core.spam import honeypot_field, is_spam
from wellbeing.hub import taxonomy
from wellbeing.hub.actions import REASON_MAX
from wellbeing.hub.models import Suggestion


class SuggestForm(forms.ModelForm):
    website = honeypot_field()
    url = forms.URLField(
        label=_("Link to the resource"),
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": _("Enter a link to the resource."),
            "invalid": _("Enter a full web address, starting with https://"),
        },
    )

    class Meta:
        model = Suggestion
        fields = ["title", "note", "email"]  # url is declared above (https by default)
        # No "(optional)" here: the shared field template adds it to every optional field.
        labels = {
            "title": _("Title of the resource"),
            "note": _("Why it would help others"),
            "email": _("Your email address, if we may contact you about it"),
        }
        error_messages = {
            "title": {"required": _("Enter the title of the resource.")},
            "email": {"invalid": _("Enter an email address in the format name@example.org.")},
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def cleaned_data_for_action(self) -> dict[str, str]:
        return {k: self.cleaned_data[k] for k in ("title", "url", "note", "email")}

    def is_spam(self) -> bool:
        return is_spam(self)


class SaveForm(forms.Form):
    list_name = forms.CharField(required=False, max_length=100, label=_("List name"))


class PlacementForm(forms.Form):
    """Staff place a resource under an essential element, saying why (readers see the reason)."""

    element = forms.ChoiceField(
        label=_("Essential element"),
        choices=taxonomy.Element.choices,
        error_messages={
            "required": _("Choose an essential element."),
            "invalid_choice": _("Choose one of the six essential elements."),
        },
    )
    reason = forms.CharField(
        label=_("Why it belongs under this element"),
        help_text=_("Shown to readers as the editor's note. One or two sentences, in your words."),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
        error_messages={"required": _("Say why the resource belongs under this element.")},
    )
