"""People, organizations, the unit tree and memberships.

Survey responses never point at anything in this module: anonymity is a
property of the schema, not of good intentions.
"""

import hashlib
import secrets
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wellbeing.accounts.states import US_STATES


def normalize_email(address: str) -> str:
    """The one spelling of an address: no surrounding spaces, all lower case.

    Mail systems treat addresses case-insensitively in practice, and people type
    ``Admin@Example.org`` as often as ``admin@example.org``; one spelling keeps
    one account per person and one sign-in lockout count per person.
    """
    return address.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Django's version lower-cases the domain only; addresses here are one spelling.
        return normalize_email(email or "")

    def get_by_natural_key(self, username: str | None) -> "User":
        """Sign-in, ``createsuperuser`` and fixtures find the account however the address is typed."""
        key = self.normalize_email(username) if isinstance(username, str) else username
        return self.get(**{self.model.USERNAME_FIELD: key})

    def _create(self, email: str, password: str | None, **extra: object) -> "User":
        email = self.normalize_email(email)
        if not email:
            raise ValueError("email: expected an address, got an empty value")
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


def new_session_salt() -> str:
    """A fresh random value for ``User.session_salt``."""
    return secrets.token_urlsafe(24)


class User(AbstractUser):
    """A person who signs in with an e-mail address. ``is_staff`` marks campaign staff.

    The address is stored in its one spelling (``normalize_email``) and is unique
    ignoring case in the database too, so ``Admin@x`` and ``admin@x`` can never
    be two accounts, whatever path (admin, shell, a future form) creates them.
    """

    username = None  # type: ignore[assignment,misc]  # sign-in is by email; the column is dropped
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    # Part of every session's auth hash: a new value ends every session of the user at
    # their next request ("sign out everywhere"), without reading the session table.
    session_salt = models.CharField(max_length=64, default=new_session_salt, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc,assignment]  # our manager creates users by email

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="An account with this email address already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email or "")
        super().save(*args, **kwargs)

    def get_session_auth_hash(self) -> str:
        """Django's HMAC of the password hash, with ``session_salt`` in it too.

        Django compares it with the one stored in the session on every request and ends
        the session when they differ: changing the password or the salt ends every session.
        """
        return self._session_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)

    def _session_hash(self, secret: str | None) -> str:
        key_salt = "wellbeing.accounts.User.get_session_auth_hash"
        value = f"{self.password}\x00{self.session_salt}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Organization(models.Model):
    class Kind(models.TextChoices):
        HEALTH_SYSTEM = "health_system", "Health system"
        HOSPITAL_CLINIC = "hospital_clinic", "Hospital or clinic"
        ACADEMIC = "academic", "Academic or educational institution"
        PROFESSIONAL_ASSOCIATION = "professional_association", "Professional association"
        PAYER = "payer", "Payer"
        REGULATOR = "regulator", "Regulator or government"
        HEALTH_IT = "health_it", "Health IT company"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    website = models.URLField(blank=True)
    # Where the organization is based: the campaign counts participants by state.
    state = models.CharField("U.S. state", max_length=2, choices=US_STATES, blank=True)
    # Deployment default (settings.MIN_GROUP_SIZE) unless the organization asks
    # for more caution; never below 3.
    min_group_size = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(3)]
    )
    is_synthetic = models.BooleanField(
        default=False, help_text="Demonstration data: the organization and its people are invented."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organization", args=[self.slug])

    @property
    def effective_min_group_size(self) -> int:
        return max(3, self.min_group_size or 0, settings.MIN_GROUP_SIZE)


class Unit(models.Model):
    """A department or team. Units form a tree of any depth within one organization.

    ``path`` is a materialized path of zero-padded ids ("000012/000031/"), so a
    subtree is one indexed ``startswith`` query on SQLite and PostgreSQL alike.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=700, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # A retired unit keeps its history (past waves, releases, reports) but is offered in
    # no picker and asked in no survey; restoring it clears the date.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "parent", "name"], name="unit_name_unique_among_siblings"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def subtree(self) -> "models.QuerySet[Unit]":
        return Unit.objects.filter(organization_id=self.organization_id, path__startswith=self.path)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Membership(models.Model):
    class Role(models.TextChoices):
        ORG_ADMIN = "org_admin", "Organization admin"
        UNIT_LEAD = "unit_lead", "Unit lead"
        MEMBER = "member", "Member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    # For a unit lead: the unit whose subtree they lead.
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organization}"


class MembershipInvite(models.Model):
    """An invitation by e-mail to join an organization with a role.

    Only the SHA-256 of the token is stored: the token itself is in the mail alone, so a
    copy of the database cannot be used to join. A new token on resend makes the old link
    stop working."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(
        max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email or "")
        super().save(*args, **kwargs)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def for_token(cls, token: str) -> "MembershipInvite | None":
        """The invitation whose link holds ``token``, if any."""
        return (
            cls.objects.filter(token_hash=hash_token(token))
            .select_related("organization", "unit", "invited_by")
            .first()
        )


def hash_token(token: str) -> str:
    """The SHA-256 of an invitation token: all the database keeps of it."""
    return hashlib.sha256(token.encode()).hexdigest()
