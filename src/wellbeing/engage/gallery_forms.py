"""Forms of the art gallery: submission, hosting request, and the staff's decisions."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wellbeing.engage.models import Artwork, HostRequest
from wellbeing.engage.uploads import CleanImage, clean_image, max_upload_bytes

PROMPT = _("What does clinician well-being look, feel, and sound like to you?")


class ArtworkForm(forms.ModelForm):
    # Radio groups offer the model's choices and nothing else: a select's blank "---------"
    # (which Django adds to a required field without a default) is not a choice.
    RADIOS = {
        "perspective": Artwork.Perspective.choices,
        "medium": Artwork.Medium.choices,
        "licence": Artwork.Licence.choices,
    }
    media_url = forms.URLField(
        label=_("Link to the audio or video"),
        required=False,
        assume_scheme="https",
        help_text=_("Required for audio or video: a public link (for example to a video site)."),
        error_messages={"invalid": _("Enter a full link starting with https://.")},
    )
    image_file = forms.FileField(
        label=_("Image file"),
        required=False,
        help_text=_("JPEG, PNG or WebP. We remove location and camera data before storing it."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Artwork
        fields = [
            "title",
            "artist_name",
            "location",
            "perspective",
            "medium",
            "alt_text",
            "media_url",
            "writing",
            "statement",
            "licence",
            "consent_to_publish",
            "contact_email",
        ]
        labels = {
            "title": _("Title"),
            "artist_name": _("Name to show with the work"),
            "location": _("City and state to show"),
            "perspective": _("You take part as"),
            "medium": _("Kind of work"),
            "alt_text": _("Alternative text for the image"),
            "media_url": _("Link to the audio or video"),
            "writing": _("Your writing"),
            "statement": _("Artist statement"),
            "licence": _("Licence"),
            "consent_to_publish": _(
                "I made this work (or have the right to share it) and agree that it "
                "may be published in the gallery under the licence I chose."
            ),
            "contact_email": _("Your email address"),
        }
        # The model's own help texts would repeat the labels of these fields word for word.
        help_texts = {
            "artist_name": "",
            "location": "",
            "alt_text": _(
                "Required for an image: describe what it shows for people who cannot see it."
            ),
            "media_url": _(
                "Required for audio or video: a public link (for example to a video site)."
            ),
            "statement": PROMPT,
            "contact_email": _("Used only to tell you the review's outcome; never shown."),
        }
        widgets = {
            "perspective": forms.RadioSelect,
            "medium": forms.RadioSelect,
            "licence": forms.RadioSelect,
            "writing": forms.Textarea(attrs={"rows": 8}),
            "statement": forms.Textarea(attrs={"rows": 4}),
            "alt_text": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "title": {"required": _("Give the work a title.")},
            "artist_name": {"required": _("Enter the name to show with the work.")},
            "perspective": {"required": _("Choose how you take part.")},
            "medium": {"required": _("Choose the kind of work.")},
            "statement": {"required": _("Write a short statement about the work.")},
            "licence": {"required": _("Choose a licence.")},
            "contact_email": {
                "required": _("Enter your email address."),
                "invalid": _("Enter a valid email address."),
            },
            "media_url": {"invalid": _("Enter a full link starting with https://.")},
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["consent_to_publish"].required = True
        self.fields["consent_to_publish"].error_messages["required"] = _(
            "Tick the box to agree to publication; we cannot show a work without it."
        )
        for name, choices in self.RADIOS.items():
            self.fields[name].choices = choices  # type: ignore[attr-defined]
        self.clean_image: CleanImage | None = None

    def clean_image_file(self) -> object:
        upload = self.cleaned_data.get("image_file")
        if upload:
            if upload.size > max_upload_bytes():
                raise ValidationError(
                    _("The image is too large; the largest accepted is %(mb)s MB."),
                    params={"mb": max_upload_bytes() // 1_048_576},
                )
            self.clean_image = clean_image(upload)
        return upload

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        medium = data.get("medium")
        if medium == Artwork.Medium.IMAGE:
            if not self.clean_image and "image_file" not in self.errors:
                self.add_error("image_file", _("Choose the image file."))
            if not str(data.get("alt_text") or "").strip():
                self.add_error("alt_text", _("Describe the image in alternative text."))
        elif medium in (Artwork.Medium.AUDIO, Artwork.Medium.VIDEO):
            if not data.get("media_url") and "media_url" not in self.errors:
                self.add_error("media_url", _("Give the link to the audio or video."))
        elif medium == Artwork.Medium.WRITING and not str(data.get("writing") or "").strip():
            self.add_error("writing", _("Paste your writing."))
        return data


class HostRequestForm(forms.ModelForm):
    class Meta:
        model = HostRequest
        fields = [
            "institution",
            "venue",
            "location",
            "starts_on",
            "ends_on",
            "contact_name",
            "contact_email",
            "contact_phone",
            "programming",
        ]
        labels = {
            "institution": _("Institution or organization"),
            "venue": _("Venue (building and room or space)"),
            "location": _("City and state"),
            "starts_on": _("First day of the exhibit"),
            "ends_on": _("Last day of the exhibit"),
            "contact_name": _("Contact person"),
            "contact_email": _("Contact email"),
            "contact_phone": _("Contact phone"),
            "programming": _("Accompanying programming (talks, discussions) and expected audience"),
        }
        help_texts = {
            "location": "",  # the model's help text repeats the label
            "starts_on": _("For example 2027-03-16."),
            "ends_on": _("For example 2027-03-26."),
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "programming": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "institution": {"required": _("Enter the institution.")},
            "venue": {"required": _("Enter the venue.")},
            "location": {"required": _("Enter the city and state.")},
            "starts_on": {
                "required": _("Enter the first day."),
                "invalid": _("Enter a date like 2027-03-16."),
            },
            "ends_on": {
                "required": _("Enter the last day."),
                "invalid": _("Enter a date like 2027-03-26."),
            },
            "contact_name": {"required": _("Enter the contact person's name.")},
            "contact_email": {
                "required": _("Enter the contact email."),
                "invalid": _("Enter a valid email address."),
            },
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if isinstance(starts, date) and starts < timezone.localdate():
            self.add_error("starts_on", _("The first day must be today or later."))
        if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
            self.add_error("ends_on", _("The last day must be on or after the first day."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    slug = forms.SlugField(
        label="Short name for the address", max_length=80, help_text="Letters, numbers and hyphens."
    )
    intro = forms.CharField(
        label="Why the network is asked", widget=forms.Textarea(attrs={"rows": 3})
    )
    instruments = forms.MultipleChoiceField(
        label="Validated measures (closed questions)",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one; shown as charts of their categories.",
        error_messages={"required": "Choose at least one validated measure."},
    )
    demographics = forms.MultipleChoiceField(
        label="About the respondent (closed questions)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    open_questions = forms.CharField(
        label="Open-ended questions, one per line (up to 3)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    closes_on = forms.DateField(
        label="Last day to answer",
        help_text="For example 2027-04-30.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        import instruments
        from wellbeing.surveys.questions import DEMOGRAPHICS

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["instruments"].choices = [  # type: ignore[attr-defined]
            (i.id, i.name)
            for i in instruments.registry().values()
            if not i.text_supplied_by_licensee
        ]
        self.fields["demographics"].choices = [  # type: ignore[attr-defined]
            (k, str(q.label)) for k, q in DEMOGRAPHICS.items()
        ]

    def clean_slug(self) -> str:
        from wellbeing.engage.models import Questionnaire

        slug = self.cleaned_data["slug"]
        if Questionnaire.objects.filter(slug=slug).exists():
            raise ValidationError("Another questionnaire uses this short name; choose another.")
        return str(slug)

    def clean_open_questions(self) -> list[str]:
        lines = [
            line.strip()
            for line in self.cleaned_data["open_questions"].splitlines()
            if line.strip()
        ]
        if not 1 <= len(lines) <= 3:
            raise ValidationError("Write one to three open-ended questions, one per line.")
        return lines

    def clean_closes_on(self) -> date:
        closes = self.cleaned_data["closes_on"]
        if closes <= timezone.localdate():
            raise ValidationError("The last day must be after today.")
        return closes  # type: ignore[no-any-return]


class RenameThemeForm(forms.Form):
    label = forms.CharField(label="Theme name", max_length=200)
