"""The staff audit-log viewer's filters: action, actor, organization and a date range."""

import datetime as dt

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from wellbeing.core.models import AuditEvent

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        required=False, max_length=80, help_text="The start of an action, e.g. wave. or campaign."
    )
    actor = forms.CharField(required=False, max_length=254, help_text="An email address.")
    organization = forms.SlugField(required=False, help_text="An organization's short name.")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The “From” date must not be after the “To” date.")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered(data: dict) -> QuerySet[AuditEvent]:
    """Audit rows matching the cleaned filters, newest first."""
    rows = AuditEvent.objects.select_related("actor", "organization").order_by("-at", "-pk")
    if data.get("action"):
        rows = rows.filter(verb__startswith=data["action"])
    if data.get("actor"):
        rows = rows.filter(actor__email__iexact=data["actor"].strip())
    if data.get("organization"):
        rows = rows.filter(organization__slug=data["organization"])
    if data.get("since"):
        rows = rows.filter(at__gte=_day_start(data["since"]))
    if data.get("until"):
        rows = rows.filter(at__lt=_day_start(data["until"] + dt.timedelta(days=1)))
    return rows


def page_of(rows: QuerySet[AuditEvent], number: str | None) -> Page:
    """One page; a number out of range shows the last page, not an error."""
    return Paginator(rows, PAGE_SIZE).get_page(number)
