"""Email updates: sign-up with double opt-in, confirmation, preferences and unsubscribe.

The confirmation, preference and unsubscribe links are signed and work
without signing in. Opening one (GET) changes nothing: mail scanners follow
every link in a message, so the page only shows the button that acts (a POST
with the CSRF token). The unsubscribe URL also takes the RFC 8058 one-click
POST that mail providers send (``List-Unsubscribe-Post``), which carries no
CSRF token and no cookie, hence ``csrf_exempt`` there and only there: that
view acts on the exact one-click body, and checks the CSRF token of any other
POST itself.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from wellbeing.core.spam import over_limit
from wellbeing.engage.actions import updates as actions
from wellbeing.engage.forms import PreferencesForm, SubscribeForm

SIGN_UPS_PER_HOUR = 10
# RFC 8058 section 3.1: the one-click POST's whole content, form-encoded or multipart.
ONE_CLICK = [("List-Unsubscribe", ["One-Click"])]


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


def _link_failed(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "engage/updates/link_failed.html", {"what": what}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def updates_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link: a page with the button (GET), the confirmation itself (POST)."""
    if request.method == "POST":
        subscriber = actions.confirm(token)
    else:
        subscriber = actions.subscriber_to_confirm(token)
    if subscriber is None:
        return _link_failed(request, "confirm")
    if subscriber.confirmed_at is None:
        return render(request, "engage/updates/confirm.html", {"token": token})
    context = {"subscriber": subscriber, "preferences": actions.preferences_path(subscriber)}
    return render(request, "engage/updates/confirmed.html", context)


def _is_one_click(request: HttpRequest) -> bool:
    """Whether the POST is exactly RFC 8058's ``List-Unsubscribe=One-Click``, nothing else."""
    return not request.FILES and list(request.POST.lists()) == ONE_CLICK


def _unsubscribe(request: HttpRequest, link: actions.SubscriberLink) -> HttpResponse:
    actions.unsubscribe(link.subscriber)
    return render(request, "engage/updates/unsubscribed.html", {"subscriber": link.subscriber})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def updates_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The unsubscribe link: a page with the button (GET); the button or the one-click POST acts.

    A link mailed when links still carried the address keeps working for the
    mail provider's one-click POST, so nobody who asked to leave keeps getting
    mail; opened in a browser it only says the link has expired and how to get
    a new one.
    """
    link = actions.subscriber_for_unsubscribe(token)
    if link is None:
        return _link_failed(request, "unsubscribe")
    if request.method == "POST" and _is_one_click(request):
        return _unsubscribe(request, link)
    if link.legacy:
        return _link_failed(request, "expired")
    if request.method == "POST":
        # Exempt above only for the one-click body: any other POST needs its CSRF token.
        return csrf_protect(_unsubscribe)(request, link)
    if link.subscriber.unsubscribed_at is not None:
        return render(request, "engage/updates/unsubscribed.html", {"subscriber": link.subscriber})
    return render(request, "engage/updates/unsubscribe.html", {"token": token})


def updates_preferences(request: HttpRequest, token: str) -> HttpResponse:
    link = actions.subscriber_for_preferences(token)
    if link is None:
        return _link_failed(request, "preferences")
    if link.legacy:
        return _link_failed(request, "expired")
    subscriber = link.subscriber
    if subscriber.unsubscribed_at is not None:
        return _link_failed(request, "preferences_unsubscribed")
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
