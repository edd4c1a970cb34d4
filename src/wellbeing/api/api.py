"""The platform's public API, version 1, mounted at ``/api/v1/`` (docs at ``/api/v1/docs``).

Swagger UI is served from django-ninja's own static files (``ninja`` in
``INSTALLED_APPS``), so the docs page loads nothing from another origin and runs
under the project's Content-Security-Policy: its settings travel in a JSON block,
not an inline script.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger

from wellbeing.api import org, public
from wellbeing.api.auth import RateLimited


class Docs(Swagger):
    """Swagger UI inside the site's own page, so the docs pass the site's accessibility checks.

    django-ninja's bare page has no language, landmark or heading; deep links put a link
    inside each route's toggle button (a control inside a control, which axe-core refuses).
    """

    template = "api/docs.html"


api = NinjaAPI(
    docs=Docs(settings={"deepLinking": False}),
    title="workforce-wellbeing API",
    version="1",
    urls_namespace="api",
    description=(
        "Public data of the National Plan, the Change Maker campaign, the knowledge hub and the "
        "instrument catalogue; and, with an organization's API token, its surveys, response "
        "counts and confidential report aggregates (small groups suppressed exactly as on the "
        "report pages). See docs/api.md."
    ),
)
api.add_router("/", public.router)
api.add_router("/", org.router)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": str(error), "errors": []}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Bad input is a 400 naming each field, the expected and the received value."""
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in error.errors
    ]
    return api.create_response(
        request, {"detail": "The request's input is not valid.", "errors": errors}, status=400
    )
