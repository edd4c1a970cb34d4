from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wellbeing.core.ratelimit import rate_limited
from wellbeing.engage.actions import subscribe
from wellbeing.engage.forms import SubscribeForm


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "engage/index.html")


@rate_limited("engage.updates", per_hour=10)
def updates(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        subscribe(form.cleaned_data["email"])
        return redirect("engage:updates_thanks")
    status = 400 if request.method == "POST" else 200
    return render(request, "engage/updates.html", {"form": form}, status=status)


def updates_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "engage/updates_thanks.html")
