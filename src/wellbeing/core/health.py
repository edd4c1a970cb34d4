"""``/healthz`` for load balancers and monitoring, and the page shown when the database is down.

The health check answers JSON: the database (a ``SELECT 1``) and the task queue
(the in-process backend is always ready; a database-backed one is unhealthy when
tasks wait longer than ``HEALTH_STUCK_TASK_MINUTES``). 200 when every check
passes, else 503. Neither touches the session or the user, so a monitor needs
no account and leaves no session row.
"""

import datetime as dt
import logging
import sys

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache

log = logging.getLogger(__name__)
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# Models of the database task backends whose queue can be counted (app label, model).
QUEUE_MODELS = [("django_tasks_database", "DBTaskResult"), ("django_tasks_db", "DBTaskResult")]


def check_database() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_tasks() -> dict[str, object]:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.endswith(("ImmediateBackend", "DummyBackend")):
        return {"ok": True, "backend": "immediate"}
    model = next((_model(*m) for m in QUEUE_MODELS if _model(*m) is not None), None)
    if model is None:
        return {"ok": True, "backend": backend, "stuck": None}
    minutes = int(getattr(settings, "HEALTH_STUCK_TASK_MINUTES", 10))
    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    try:
        stuck = model._default_manager.filter(status="READY", enqueued_at__lt=cutoff).count()
    except DatabaseError as error:
        return {"ok": False, "backend": backend, "error": type(error).__name__}
    return {"ok": stuck == 0, "backend": backend, "stuck": stuck}


def _model(label: str, name: str) -> type[Model] | None:
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "tasks": check_tasks()}
    healthy = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


def database_down_response() -> HttpResponse:
    """The 503 page; rendered without the database, context processors or the session."""
    response = HttpResponse(render_to_string("core/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def is_database_down(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_DOWN)


class DatabaseUnavailableMiddleware:
    """A view that finds the database unreachable answers the 503 page, not a 500."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]  # Django's middleware protocol
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_down(exception):
            return None
        log.error("Database unavailable for %s: %s", request.path, exception)
        return database_down_response()


def current_error_is_database_down() -> bool:
    """For handler500: was the exception being handled a lost database connection?"""
    return is_database_down(sys.exc_info()[1])
