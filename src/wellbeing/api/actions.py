"""The write path for API tokens: create (the secret is returned once), revoke, log a use."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from wellbeing.accounts.models import Organization, User
from wellbeing.accounts.permissions import is_org_admin
from wellbeing.api.models import PREFIX_LENGTH, SCOPES, ApiToken, ApiTokenUse, hash_secret
from wellbeing.core.models import audit

MAX_NAME = 100
SECRET_PREFIX = "wbt_"  # noqa: S105  # a marker for secret scanners, not a secret


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def create_token(
    *,
    organization: Organization,
    name: str,
    scopes: list[str],
    expires_at: datetime,
    actor: User,
) -> NewToken:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"name: expected 1 to {MAX_NAME} characters, got {len(name)}")
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise ValueError(f"scopes: expected one or more of {sorted(SCOPES)}, got {scopes}")
    if timezone.is_naive(expires_at):
        raise ValueError("expires_at: expected a timezone-aware datetime, got a naive one")
    if expires_at <= timezone.now():
        raise ValueError(f"expires_at: expected a time in the future, got {expires_at}")
    if not is_org_admin(actor, organization):
        raise PermissionError("actor: expected an admin of the organization")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organization=organization,
        name=name,
        prefix=secret[len(SECRET_PREFIX) : len(SECRET_PREFIX) + PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=actor,
    )
    audit(
        "api.token.create",
        actor=actor,
        target=token,
        organization=organization,
        scopes=token.scopes,
        expires_at=expires_at.isoformat(),
    )
    return NewToken(token, secret)


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit("api.token.revoke", actor=actor, target=token, organization=token.organization)
    return token


def record_use(*, token: ApiToken, method: str, path: str, status: int | None) -> ApiTokenUse:
    """Log one request made with ``token`` (every use is logged, refused ones too)."""
    now = timezone.now()
    with transaction.atomic():
        use = ApiTokenUse.objects.create(
            token=token, at=now, method=method[:10], path=path[:300], status=status
        )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return use
