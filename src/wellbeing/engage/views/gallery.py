"""The public gallery "Expressions of well-being", submissions and hosting requests."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wellbeing.accounts.permissions import is_staff
from wellbeing.core.ratelimit import rate_limited
from wellbeing.engage.actions import gallery as actions
from wellbeing.engage.gallery_forms import PROMPT, ArtworkForm, HostRequestForm
from wellbeing.engage.models import Artwork
from wellbeing.engage.views._files import serve_file

PAGE_SIZE = 24


def gallery(request: HttpRequest) -> HttpResponse:
    works = Artwork.objects.public()
    medium = request.GET.get("medium", "")
    perspective = request.GET.get("perspective", "")
    if medium in Artwork.Medium.values:
        works = works.filter(medium=medium)
    else:
        medium = ""
    if perspective in Artwork.Perspective.values:
        works = works.filter(perspective=perspective)
    else:
        perspective = ""
    page = Paginator(works, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "medium": medium,
        "perspective": perspective,
        "media": Artwork.Medium.choices,
        "perspectives": Artwork.Perspective.choices,
        "prompt": PROMPT,
    }
    return render(request, "engage/gallery/index.html", context)


def _visible_work(request: HttpRequest, pk: int) -> Artwork:
    """A public work, or any work for staff; everything else is a 404."""
    works = Artwork.objects.all() if is_staff(request.user) else Artwork.objects.public()
    work = works.filter(pk=pk).first()
    if work is None:
        raise Http404("No such work.")
    return work


def gallery_work(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "engage/gallery/work.html", {"work": _visible_work(request, pk)})


def gallery_image(request: HttpRequest, pk: int) -> FileResponse:
    work = _visible_work(request, pk)
    if not work.image:
        raise Http404("This work has no image.")
    return serve_file(work.image)


@rate_limited("engage.gallery_submit", per_hour=5)
def gallery_submit(request: HttpRequest) -> HttpResponse:
    form = ArtworkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ArtworkForm.Meta.fields}
        image = form.clean_image if form.cleaned_data["medium"] == Artwork.Medium.IMAGE else None
        if image is None:
            fields["alt_text"] = ""
        actions.submit_artwork(actions.ArtworkSubmission(**fields), image)
        return redirect("engage:gallery_thanks")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "engage/gallery/submit.html", {"form": form, "prompt": PROMPT}, status=status
    )


def gallery_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "engage/gallery/thanks.html")


@rate_limited("engage.gallery_host", per_hour=5)
def gallery_host(request: HttpRequest) -> HttpResponse:
    form = HostRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.request_hosting(**form.cleaned_data)
        return redirect("engage:gallery_host_thanks")
    status = 400 if request.method == "POST" else 200
    return render(request, "engage/gallery/host.html", {"form": form}, status=status)


def gallery_host_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "engage/gallery/host_thanks.html")
