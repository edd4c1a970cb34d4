from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

from wellbeing.accounts.permissions import is_staff, organizations_for_user
from wellbeing.core import audit_log, health
from wellbeing.core.pagecache import cached_page


@cached_page("plan")  # what settings.HOME_PAGE_CONTEXT shows: the Plan's priority areas
def home(request: HttpRequest) -> HttpResponse:
    """The home page; what it shows of the Plan comes from ``settings.HOME_PAGE_CONTEXT``."""
    context = import_string(settings.HOME_PAGE_CONTEXT)()
    return render(request, "core/home.html", context)


@cached_page()
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


@cached_page()
def section(request: HttpRequest, template: str) -> HttpResponse:
    """A section's landing page (Campaign, Measure, Hub) until its app grows one."""
    return render(request, template, {"my_organizations": organizations_for_user(request.user)})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors run here on purpose: the database may be down.
    if health.current_error_is_database_down():  # lost in a middleware, before any view
        return health.database_down_response()
    return render(request, "core/500.html", status=500)


def staff_audit(request: HttpRequest) -> HttpResponse:
    """Every audit row, filtered by action, actor, organization and date (staff only)."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    form = audit_log.AuditFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    rows = audit_log.filtered(form.cleaned_data if request.GET and valid else {})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": audit_log.page_of(rows, request.GET.get("page")) if valid else None,
        "query": query.urlencode() + "&" if query else "",
    }
    return render(request, "core/staff_audit.html", context, status=200 if valid else 400)
