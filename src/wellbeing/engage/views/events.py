"""Public event pages: listing, registration, calendar file, cancellation, awareness day."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from wellbeing.core.ratelimit import rate_limited
from wellbeing.engage import awareness
from wellbeing.engage.actions import events as actions
from wellbeing.engage.forms import RegistrationForm
from wellbeing.engage.ics import event_ics
from wellbeing.engage.models import Event, Registration, ToolkitItem
from wellbeing.engage.views._files import serve_file


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _published_event(slug: str) -> Event:
    event = Event.objects.published().filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    return event


def event_list(request: HttpRequest) -> HttpResponse:
    context = {
        "upcoming": Event.objects.upcoming(),
        "past": Event.objects.past()[:30],
    }
    return render(request, "engage/events/list.html", context)


@rate_limited("engage.event_register", per_hour=20)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _published_event(slug)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    can_register = event.registration_open and not event.is_past
    if request.method == "POST" and can_register and form.is_valid():
        try:
            registration, _new = actions.register(
                event=event,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                site=_site(request),
            )
        except actions.RegistrationClosed:
            form.add_error(None, gettext("Registration for this event has closed."))
        else:
            waitlisted = registration.status == Registration.Status.WAITLISTED
            return redirect(
                "engage:event_registered",
                slug=event.slug,
                outcome="waitlist" if waitlisted else "confirmed",
            )
    elif request.method == "POST" and not can_register:
        form.add_error(None, gettext("Registration for this event has closed."))
    status = 400 if request.method == "POST" else 200
    context = {
        "event": event,
        "form": form,
        "can_register": can_register,
        "places_left": event.places_left(),
    }
    return render(request, "engage/events/detail.html", context, status=status)


def event_registered(request: HttpRequest, slug: str, outcome: str) -> HttpResponse:
    event = _published_event(slug)
    if outcome not in ("confirmed", "waitlist"):
        raise Http404("No such page.")
    return render(
        request,
        "engage/events/registered.html",
        {"event": event, "waitlist": outcome == "waitlist"},
    )


def event_ics_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _published_event(slug)
    body = event_ics(
        event,
        domain=request.get_host().split(":")[0],
        url=request.build_absolute_uri(event.get_absolute_url()),
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def event_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = actions.registration_for_token(token)
    if registration is None:
        return render(request, "engage/events/cancel_failed.html", status=404)
    if request.method == "POST":
        actions.cancel(registration=registration, site=_site(request))
        messages.success(
            request, gettext("Your registration is cancelled. Thank you for freeing your place.")
        )
        return redirect(
            registration.event.get_absolute_url()
            if registration.event.published
            else "engage:event_list"
        )
    return render(
        request, "engage/events/cancel.html", {"registration": registration, "token": token}
    )


def awareness_day(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = ToolkitItem.objects.filter(published=True)
    context = {
        "day": awareness,
        "next_day": awareness.next_day(today),
        "is_today": awareness.next_day(today) == today,
        "actions": [i for i in items if i.kind == ToolkitItem.Kind.ACTION],
        "messages_": [i for i in items if i.kind == ToolkitItem.Kind.MESSAGE],
        "facts": [i for i in items if i.kind == ToolkitItem.Kind.FACT],
        "graphics": [
            i for i in items if i.kind == ToolkitItem.Kind.GRAPHIC and i.graphic and i.alt_text
        ],
        "events": Event.objects.published()
        .filter(awareness_day=True, ends_at__gte=timezone.now())
        .order_by("starts_at"),
    }
    return render(request, "engage/events/awareness_day.html", context)


def awareness_graphic(request: HttpRequest, pk: int) -> FileResponse:
    item = ToolkitItem.objects.filter(pk=pk, published=True, kind=ToolkitItem.Kind.GRAPHIC).first()
    if item is None or not item.graphic:
        raise Http404("No such graphic.")
    return serve_file(item.graphic, download=True)
