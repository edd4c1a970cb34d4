"""The public contact form."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wellbeing.core.spam import over_limit
from wellbeing.engage.actions.contact import send_contact_message
from wellbeing.engage.forms import ContactForm

MESSAGES_PER_HOUR = 5


def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if retry_after := over_limit(request, "engage.contact", MESSAGES_PER_HOUR):
            response = render(
                request, "engage/contact/form.html", {"form": form, "limited": True}, status=429
            )
            response["Retry-After"] = str(retry_after)
            return response
        if form.is_valid():
            # A filled honeypot gets the same thank-you page, so bots learn nothing.
            if not form.is_spam():
                data = form.cleaned_data
                send_contact_message(
                    name=data["name"],
                    email=data["email"],
                    topic=data["topic"],
                    message=data["message"],
                )
            return redirect("engage:contact_thanks")
    status = 400 if form.errors else 200
    return render(request, "engage/contact/form.html", {"form": form}, status=status)


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "engage/contact/thanks.html")
