"""The hub's pages: search, a resource, a case study, the compendium, instruments,
suggestions and saved lists. Views parse, call one query or action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import instruments
from wellbeing.accounts.permissions import can_administer, is_staff, organizations_for_user
from wellbeing.core.pagecache import cached_page
from wellbeing.core.ratelimit import rate_limited
from wellbeing.hub import actions, catalogue, queries, taxonomy
from wellbeing.hub.forms import PlacementForm, SaveForm, SuggestForm
from wellbeing.hub.search import SORTS, search

SUGGESTIONS_PER_HOUR = 5
# Facets whose values are the Plan's own rows, named in English as NAM published them.
PLAN_FACETS = ("priority_area", "factor")
# NAM's page on its Resource Compendium, where the compendium's description was read
# (../shared/reference/national_plan_content.md, section 6, source "RES").
COMPENDIUM_AT_NAM = "https://nam.edu/resources-from-the-action-collaborative-on-clinician-well-being-and-resilience/"


@cached_page("hub", "plan", params=("q", "sort", "page", *taxonomy.FACETS))
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
        "applied": _applied_filters(results),
        "plan_facets": PLAN_FACETS,
        "saved_lists": queries.lists_for_user(request.user),
    }
    # django-htmx's middleware sets request.htmx (truthy for an htmx request).
    template = "hub/_results.html" if getattr(request, "htmx", False) else "hub/index.html"
    return render(request, template, context)


def _page(raw: str) -> tuple[int, list[str]]:
    if raw.isdigit() and 0 < int(raw) < 10_000:
        return int(raw), []
    return 1, [_("Page %(page)s does not exist: showing the first page.") % {"page": raw[:20]}]


def _query_string(
    results, drop: tuple[str, ...] = (), without: tuple[str, str] | None = None
) -> str:
    """The search's own address (query, filters, sort), less ``drop`` and one ``without`` value."""
    query = QueryDict(mutable=True)
    if results.query:
        query["q"] = results.query.text
    for name in taxonomy.FACETS:
        values = [v for v in results.filters.get(name, ()) if (name, v) != without]
        if values:
            query.setlist(name, values)
    if results.sort != "relevance" and results.query:
        query["sort"] = results.sort
    for name in drop:
        query.pop(name, None)
    return query.urlencode()


def _applied_filters(results) -> list[dict[str, str]]:
    """Each filter in force, named in words, with the address of the same search without it.

    A visitor arriving from another page (a conceptual-model factor opens the hub
    filtered by it) sees what narrowed the list and can remove it in one click.
    """
    labels = {
        (group.name, value.value): (group.label, value.label)
        for group in results.facets
        for value in group.values
    }
    applied = []
    for name, values in results.filters.items():
        for value in values:
            facet, label = labels.get((name, value), (taxonomy.FACETS[name], value))
            rest = _query_string(results, drop=("page",), without=(name, value))
            applied.append(
                {
                    "facet": facet,
                    "label": label,
                    "remove_url": reverse("hub:index") + (f"?{rest}" if rest else ""),
                    "model_url": reverse("plan:conceptual_model") if name == "factor" else "",
                    "lang": "en" if name in PLAN_FACETS else "",
                }
            )
    return applied


@cached_page("hub", "plan")
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = queries.get_resource_for_user(request.user, slug)
    if resource.kind == taxonomy.Kind.CASE_STUDY:
        return redirect("hub:case_study", slug=slug, permanent=True)
    return render(request, "hub/resource.html", _detail_context(request, resource))


@cached_page("hub", "plan")
def case_study_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = queries.get_resource_for_user(request.user, slug, kind=taxonomy.Kind.CASE_STUDY)
    record = getattr(resource, "case_study", None)
    context = _detail_context(request, resource)
    if record is None:
        # A case study staff have not yet given a record (organization, outcomes...) is
        # still listed as one: show it as a resource rather than a dead link.
        return render(request, "hub/resource.html", context)
    return render(request, "hub/case_study.html", context | {"record": record})


def _detail_context(request: HttpRequest, resource) -> dict:
    return {
        "resource": resource,
        "save_form": SaveForm(),
        "saved_lists": queries.lists_for_user(request.user),
        "placements": queries.placements(resource),
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
        messages.error(request, _("Only published resources can be saved to a list."))
        return redirect(resource)
    messages.success(
        request,
        _("Saved “%(title)s” to your list “%(list)s”.")
        % {"title": resource.title, "list": saved_list.name},
    )
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
    messages.success(
        request,
        _("Removed “%(title)s” from “%(list)s”.")
        % {"title": item.resource.title, "list": saved_list.name},
    )
    return redirect(saved_list)


@cached_page("hub")
def compendium_index(request: HttpRequest) -> HttpResponse:
    context = {"elements": queries.compendium_counts(), "nam_url": COMPENDIUM_AT_NAM}
    return render(request, "hub/compendium_index.html", context)


@cached_page("hub")
def compendium_element(request: HttpRequest, element: str) -> HttpResponse:
    labels = dict(taxonomy.Element.choices)
    if element not in labels:
        raise Http404("No such essential element.")
    context = {
        "element": element,
        "label": labels[element],
        "entries": queries.compendium(element),
        "nam_url": COMPENDIUM_AT_NAM,
    }
    return render(request, "hub/compendium_element.html", context)


def _require_staff(request: HttpRequest):
    """The signed-in staff member; anyone else gets a 404, as for any unknown page."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    return request.user


def curate(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff: place a resource under an essential element, see its placements and history."""
    actor = _require_staff(request)
    resource = queries.get_resource_for_user(actor, slug)
    form = PlacementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        element = form.cleaned_data["element"]
        actions.place_in_compendium(
            resource, element, reason=form.cleaned_data["reason"], actor=actor
        )
        label = dict(taxonomy.Element.choices)[element]
        messages.success(
            request,
            _("“%(title)s” is in “%(element)s”, with your reason.")
            % {"title": resource.title, "element": label},
        )
        return redirect("hub:curate", slug=resource.slug)
    context = {
        "resource": resource,
        "form": form,
        "placements": queries.placements(resource),
        "revisions": queries.revisions(resource),
    }
    return render(request, "hub/curate.html", context, status=400 if form.errors else 200)


@require_POST
def curate_remove(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff: take a resource out of one essential element (recorded in its history)."""
    actor = _require_staff(request)
    resource = queries.get_resource_for_user(actor, slug)
    element = request.POST.get("element", "")
    labels = dict(taxonomy.Element.choices)
    if element not in labels:
        messages.error(request, _("Choose the essential element to remove it from."))
    elif actions.remove_from_compendium(resource, element, actor=actor):
        messages.success(
            request,
            _("“%(title)s” is no longer in “%(element)s”.")
            % {"title": resource.title, "element": labels[element]},
        )
    else:
        messages.info(request, _("It was not in that element: nothing changed."))
    return redirect("hub:curate", slug=resource.slug)


@cached_page()
def instrument_index(request: HttpRequest) -> HttpResponse:
    rows = [catalogue.summary(i) for i in instruments.catalogue()]
    return render(request, "hub/instruments.html", {"catalogue": rows})


@cached_page()
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
        "about": catalogue.summary(instrument),
        "details": catalogue.details(instrument),
        "cutoffs": catalogue.cutoffs(instrument),
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
