"""``/api/v1/``: every request made with a token is logged with its answer's status."""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from wellbeing.api.actions import record_use
from wellbeing.api.api import api


def _logged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        token = getattr(request, "api_token", None)
        if token is not None:
            record_use(
                token=token,
                method=request.method or "",
                path=request.path,
                status=response.status_code,
            )
        return response

    return wrapper


def _patterns() -> list:
    patterns, _app, _namespace = api.urls
    for pattern in patterns:
        if pattern.callback is not None:
            pattern.callback = _logged(pattern.callback)
    return patterns


urlpatterns = [*_patterns()]
app_name = "api"
