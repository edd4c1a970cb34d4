"""Network questionnaires: a survey wave fielded to the whole network, with themed results.

The questions, the open link and the answers live in the survey engine
(``surveys.Survey``/``Wave``/``Comment``), owned by the network's own
organization. This app adds the public description and the themes staff
curate over the open-ended answers. A ``ThemeAssignment`` points at a
``Comment``, which has no link to its response, so themes never meet
demographics.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Questionnaire(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    intro = models.TextField(help_text="Why the network is asked, shown above the results.")
    wave = models.OneToOneField(
        "surveys.Wave", on_delete=models.PROTECT, related_name="questionnaire"
    )
    results_public = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engage:questionnaire_results", args=[self.slug])


class Theme(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="themes"
    )
    question = models.PositiveSmallIntegerField(help_text="1-based open question number.")
    label = models.CharField(max_length=200)
    terms = models.JSONField(default=list, blank=True)
    # Representative answers, as comment ids nearest the theme's centre.
    quote_ids = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["questionnaire", "question", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class ThemeAssignment(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    comment = models.OneToOneField("surveys.Comment", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"comment #{self.comment_id} in {self.theme}"
