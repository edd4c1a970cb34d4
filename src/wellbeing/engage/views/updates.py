"""Email updates: sign-up with double opt-in, confirmation, preferences and unsubscribe.

The confirmation, preference and unsubscribe links are signed and work
without signing in. The unsubscribe URL also takes the RFC 8058 one-click POST
that mail providers send (``List-Unsubscribe-Post``), which carries no CSRF
token, hence ``csrf_exempt`` there and only there.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from wellbeing.core.spam import over_limit
from wellbeing.engage.actions import updates as actions
from wellbeing.engage.forms import PreferencesForm, SubscribeForm

SIGN_UPS_PER_HOUR = 10


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "engage/index.html")


def updates(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (
        retry_after := over_limit(request, "engage.updates", SIGN_UPS_PER_HOUR)
    ):
        response = render(
            request, "engage/updates.html", {"form": form, "limited": True}, status=429
        )
        response["Retry-After"] = str(retry_after)
        return response
    if request.method == "POST" and form.is_valid():
        # A filled honeypot gets the same page, so bots learn nothing.
        if not form.is_spam():
            data = form.cleaned_data
            actions.subscribe(data["email"], data["topics"], _site())
        return redirect("engage:updates_thanks")
    status = 400 if form.errors else 200
    return render(request, "engage/updates.html", {"form": form}, status=status)


def _site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def updates_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "engage/updates_thanks.html")


def updates_confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = actions.confirm(token)
    if subscriber is None:
        return render(request, "engage/updates/link_failed.html", {"what": "confirm"}, status=400)
    context = {"subscriber": subscriber, "preferences": actions.preferences_path(subscriber)}
    return render(request, "engage/updates/confirmed.html", context)


@csrf_exempt
def updates_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Unsubscribe on the click (GET) or the mail client's one-click POST; the same page twice."""
    if request.method not in ("GET", "POST", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    subscriber = actions.subscriber_for_unsubscribe(token)
    if subscriber is None:
        return render(
            request, "engage/updates/link_failed.html", {"what": "unsubscribe"}, status=400
        )
    if request.method != "HEAD":
        actions.unsubscribe(subscriber)
    return render(request, "engage/updates/unsubscribed.html", {"subscriber": subscriber})


def updates_preferences(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = actions.subscriber_for_preferences(token)
    if subscriber is None or subscriber.unsubscribed_at is not None:
        what = "preferences" if subscriber is None else "preferences_unsubscribed"
        return render(request, "engage/updates/link_failed.html", {"what": what}, status=400)
    initial = {"topics": subscriber.topics}
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        actions.set_topics(subscriber, form.cleaned_data["topics"])
        saved = True
    context = {
        "form": form,
        "saved": saved,
        "subscriber": subscriber,
        "unsubscribe": actions.unsubscribe_path(subscriber),
    }
    return render(
        request, "engage/updates/preferences.html", context, status=400 if form.errors else 200
    )
