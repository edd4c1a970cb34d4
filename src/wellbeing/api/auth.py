"""Bearer-token authentication, scopes and the per-token rate limit.

An unknown, expired or revoked token is a 401; a token without the scope an
endpoint needs is a 403; more requests in a minute than the limit a 429 with
``Retry-After``. Organization data is then reached as the token's creator through
``accounts.permissions``, and only within the token's own organization (any other
is a 404, as for a person).
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from wellbeing.accounts.permissions import is_org_admin
from wellbeing.api.models import ApiToken, hash_secret
from wellbeing.core.ratelimit import count_in_window

DEFAULT_RATE_LIMIT = 120  # requests per token per minute
WINDOW_SECONDS = 60


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limit exceeded; retry after {retry_after} seconds.")
        self.retry_after = retry_after


def rate_limit() -> int:
    return int(getattr(settings, "API_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT))


def _check_rate(token: ApiToken) -> None:
    """A fixed one-minute window per token, counted in the project's cache."""
    retry_after = count_in_window(f"api:rate:{token.pk}", rate_limit(), WINDOW_SECONDS)
    if retry_after:
        raise RateLimited(retry_after)


class TokenAuth(HttpBearer):
    openapi_description = (
        "An organization's API token (`Authorization: Bearer wbt_…`), created by an org admin."
    )

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = (
            ApiToken.objects.select_related("organization", "created_by")
            .filter(token_hash=hash_secret(token))
            .first()
        )
        if found is None:
            return None
        request.api_token = found  # type: ignore[attr-defined]  # logged with the response status
        creator = found.created_by
        if not found.is_active(timezone.now()) or not creator.is_active:
            return None
        # An admin by membership: campaign staff get no tokens for organizations they do not run,
        # and a token whose creator is no longer an admin of its organization reaches nothing.
        if not is_org_admin(creator, found.organization):
            return None
        _check_rate(found)
        request.user = creator
        return found


def require_scope(request: HttpRequest, scope: str) -> ApiToken:
    token: Any = request.auth  # type: ignore[attr-defined]
    if not isinstance(token, ApiToken) or scope not in token.scopes:
        raise HttpError(403, f"This token does not have the {scope!r} scope.")
    return token
