"""Staff pages of email updates and the contact inbox (404 to everyone else)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wellbeing.engage.actions import contact as contact_actions
from wellbeing.engage.actions import updates as actions
from wellbeing.engage.forms import NewsletterForm
from wellbeing.engage.models import ContactMessage, Newsletter, Subscriber
from wellbeing.engage.views.staff_engage import require_staff


def staff_newsletters(request: HttpRequest) -> HttpResponse:
    actor = require_staff(request)
    form = NewsletterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        newsletter = actions.create_newsletter(
            subject=data["subject"], body=data["body"], topics=data["topics"], actor=actor
        )
        return redirect("engage:newsletter_staff", pk=newsletter.pk)
    context = {
        "form": form,
        "newsletters": Newsletter.objects.all(),
        "sendable": Subscriber.objects.sendable().count(),
    }
    return render(
        request, "engage/updates/staff_list.html", context, status=400 if form.errors else 200
    )


def _newsletter(pk: int) -> Newsletter:
    newsletter = Newsletter.objects.filter(pk=pk).first()
    if newsletter is None:
        raise Http404("No such newsletter.")
    return newsletter


def staff_newsletter(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview and send; while sending, the progress region refreshes itself through htmx."""
    require_staff(request)
    newsletter = _newsletter(pk)
    template = (
        "engage/updates/_progress.html"
        if request.headers.get("HX-Request")
        else "engage/updates/staff_detail.html"
    )
    context = {
        "newsletter": newsletter,
        "recipients": actions.recipients(newsletter).count(),
        "percent": _percent(newsletter),
    }
    return render(request, template, context)


def _percent(newsletter: Newsletter) -> int:
    if newsletter.status == Newsletter.Status.SENT or not newsletter.total:
        return 100 if newsletter.status == Newsletter.Status.SENT else 0
    return min(100, round(100 * newsletter.sent_count / newsletter.total))


@require_POST
def staff_newsletter_send(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_staff(request)
    newsletter = _newsletter(pk)
    try:
        actions.send_newsletter(newsletter=newsletter, actor=actor)
    except ValueError:
        messages.error(request, "This newsletter has already been sent.")
    else:
        messages.success(request, f"“{newsletter.subject}” is being sent.")
    return redirect("engage:newsletter_staff", pk=newsletter.pk)


def staff_contact(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    show = request.GET.get("show", "open")
    inbox = ContactMessage.objects.select_related("handled_by")
    if show == "open":
        inbox = inbox.filter(handled_at__isnull=True)
    else:
        show = "all"
    return render(request, "engage/contact/staff_inbox.html", {"inbox": inbox, "show": show})


@require_POST
def staff_contact_handled(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_staff(request)
    contact = ContactMessage.objects.filter(pk=pk).first()
    if contact is None:
        raise Http404("No such message.")
    handled = request.POST.get("handled") == "1"
    contact_actions.set_handled(contact=contact, handled=handled, actor=actor)
    state = "handled" if handled else "open again"
    messages.success(request, f"The message from {contact.name} is {state}.")
    return redirect("engage:contact_staff")
