"""The hub's pages: search, a resource, a case study, the compendium, instruments,
suggestions and saved lists. Views parse, call one query or action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

import instruments
from wellbeing.accounts.permissions import can_administer, organizations_for_user
from wellbeing.core.ratelimit import rate_limited
from wellbeing.hub import actions, queries, taxonomy
from wellbeing.hub.forms import SaveForm, SuggestForm
from wellbeing.hub.search import SORTS, search

SUGGESTIONS_PER_HOUR = 5


def index(request: HttpRequest) -> HttpResponse:
    """Search with facets; an htmx request gets only the results region."""
    params = request.GET
    facets = {name: params.getlist(name) for name in params if name not in {"q", "sort", "page"}}
    page, page_notice = _page(params.get("page", "1"))
    results = search(params.get("q", ""), facets, params.get("sort", "relevance"), page)
    context = {
        "results": results,
        "q": params.get("q", "")[:200],
        "sorts": SORTS,
        # The form shows the order asked for: without search words the results are
        # newest first anyway, and a later search must not inherit "date" from that.
        "sort": params.get("sort") if params.get("sort") in SORTS else "relevance",
        "notices": [*results.notices, *page_notice],
        "base_query": _query_string(results, drop=("page",)),
        "saved_lists": queries.lists_for_user(request.user),
    }
    # django-htmx's middleware sets request.htmx (truthy for an htmx request).
    template = "hub/_results.html" if getattr(request, "htmx", False) else "hub/index.html"
    return render(request, template, context)


def _page(raw: str) -> tuple[int, list[str]]:
    if raw.isdigit() and 0 < int(raw) < 10_000:
        return int(raw), []
    return 1, [f"Page {raw[:20]!r} does not exist: showing the first page."]


def _query_string(results, drop: tuple[str, ...] = ()) -> str:
    query = QueryDict(mutable=True)
    if results.query:
        query["q"] = results.query.text
    for name in taxonomy.FACETS:
        if results.filters.get(name):
            query.setlist(name, list(results.filters[name]))
    if results.sort != "relevance" and results.query:
        query["sort"] = results.sort
    for name in drop:
        query.pop(name, None)
    return query.urlencode()


def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = queries.get_resource_for_user(request.user, slug)
    if resource.kind == taxonomy.Kind.CASE_STUDY:
        return redirect("hub:case_study", slug=slug, permanent=True)
    return render(request, "hub/resource.html", _detail_context(request, resource))


def case_study_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = queries.get_resource_for_user(request.user, slug, kind=taxonomy.Kind.CASE_STUDY)
    record = getattr(resource, "case_study", None)
    if record is None:
        raise Http404("This case study has no record yet.")
    context = _detail_context(request, resource) | {"record": record}
    return render(request, "hub/case_study.html", context)


def _detail_context(request: HttpRequest, resource) -> dict:
    return {
        "resource": resource,
        "save_form": SaveForm(),
        "saved_lists": queries.lists_for_user(request.user),
    }


def case_studies(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('hub:index')}?kind={taxonomy.Kind.CASE_STUDY}")


@require_POST
def save(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('hub:resource', args=[slug])}")
    resource = queries.get_resource_for_user(request.user, slug)
    form = SaveForm(request.POST)
    name = form.cleaned_data["list_name"] if form.is_valid() else ""
    try:
        saved_list = actions.save_to_list(request.user, resource, name)
    except ValueError:
        messages.error(request, "Only published resources can be saved to a list.")
        return redirect(resource)
    messages.success(request, f"Saved “{resource.title}” to your list “{saved_list.name}”.")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(resource)


@login_required
def my_lists(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/lists.html", {"lists": queries.lists_for_user(request.user)})


@login_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    saved_list = queries.get_list_for_user(request.user, pk)
    items = saved_list.items.select_related("resource").filter(resource__status="published")
    return render(request, "hub/list.html", {"saved_list": saved_list, "items": items})


@login_required
@require_POST
def list_remove(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    saved_list = queries.get_list_for_user(request.user, pk)
    item = saved_list.items.select_related("resource").filter(resource__slug=slug).first()
    if item is None:
        raise Http404("Not in this list.")
    actions.remove_from_list(saved_list, item.resource, actor=request.user)
    messages.success(request, f"Removed “{item.resource.title}” from “{saved_list.name}”.")
    return redirect(saved_list)


def compendium_index(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/compendium_index.html", {"elements": taxonomy.Element.choices})


def compendium_element(request: HttpRequest, element: str) -> HttpResponse:
    labels = dict(taxonomy.Element.choices)
    if element not in labels:
        raise Http404("No such essential element.")
    entries = queries.compendium(element)
    context = {"element": element, "label": labels[element], "entries": entries}
    return render(request, "hub/compendium_element.html", context)


def instrument_index(request: HttpRequest) -> HttpResponse:
    catalogue = instruments.catalogue()
    return render(
        request,
        "hub/instruments.html",
        {"catalogue": [(i, instruments.verification_status(i)) for i in catalogue]},
    )


def instrument_detail(request: HttpRequest, instrument_id: str) -> HttpResponse:
    registry = instruments.registry()
    if instrument_id not in registry:
        raise Http404("No such instrument.")
    instrument = registry[instrument_id]
    admin_orgs = [
        org for org in organizations_for_user(request.user) if can_administer(request.user, org)
    ]
    context = {
        "instrument": instrument,
        "status": instruments.verification_status(instrument),
        "fieldable": bool(instrument.items) and not instrument.structure_only,
        "admin_orgs": admin_orgs,
    }
    return render(request, "hub/instrument.html", context)


@rate_limited("hub.suggest", per_hour=SUGGESTIONS_PER_HOUR)
def suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # A filled honeypot gets the same thank-you page, so bots learn nothing.
        if not form.is_spam():
            actions.suggest_resource(**form.cleaned_data_for_action())
        return redirect("hub:suggest_thanks")
    status = 400 if form.errors else 200
    return render(request, "hub/suggest.html", {"form": form}, status=status)


def suggest_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/suggest_thanks.html")
