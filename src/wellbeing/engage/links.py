"""Tokens for the links mailed to people who have no account: opaque, signed, address-free.

``signing.dumps`` signs its payload but does not hide it: the payload is
base64 that anyone holding the URL can read back (mail scanners, proxies,
server logs, browser history). A token therefore names its row by primary key
and a keyed fingerprint of the row's email address, never the address itself.
The fingerprint keeps what the address gave the old tokens: a link works only
for the row and the address it was mailed to.

Links mailed before this change carried the address (``"e"``). They still
verify, and are read as ``legacy`` so a page can say the link has expired
instead of acting on a URL that spells out someone's address.
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

FINGERPRINT_SALT = "wellbeing.engage.links.address"
FINGERPRINT_LENGTH = 24  # hex digits: 96 bits, far beyond guessing, short enough for a URL


def fingerprint(email: str, secret: str | bytes | None = None) -> str:
    """A keyed digest of the address: equal for equal addresses, useless without SECRET_KEY."""
    address = email.strip().lower()
    digest = salted_hmac(FINGERPRINT_SALT, address, secret=secret, algorithm="sha256")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def _fingerprints(email: str) -> list[str]:
    # Signatures still verify under SECRET_KEY_FALLBACKS after a key rotation; so must this,
    # or every unsubscribe link in the newsletters already sent would stop working.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [fingerprint(email, key) for key in keys]


def make_token(*, salt: str, key: str, pk: int, email: str) -> str:
    """A signed token naming row ``pk`` under ``key``, bound to ``email`` without showing it."""
    return signing.dumps({key: pk, "f": fingerprint(email)}, salt=salt)


@dataclass(frozen=True)
class Link:
    """What a verified token names. ``legacy_email`` is set only for an old, address-bearing link."""

    pk: int
    fingerprint: str = ""
    legacy_email: str = ""

    @property
    def legacy(self) -> bool:
        return bool(self.legacy_email)

    def matches(self, email: str) -> bool:
        """Whether the link was made for this address (constant time for new links)."""
        if self.legacy:
            return self.legacy_email == email
        return any(hmac.compare_digest(self.fingerprint, f) for f in _fingerprints(email))


def read_token(token: str, *, salt: str, key: str, max_age: timedelta | int | None = None) -> Link:
    """The link a token names; raises ``signing.BadSignature`` (or its ``SignatureExpired``).

    A payload that verifies but has the wrong shape is treated as a bad
    signature too: it can only be a token of another kind signed with this salt.
    """
    data = signing.loads(token, salt=salt, max_age=max_age)
    pk = data.get(key) if isinstance(data, dict) else None
    if not isinstance(pk, int):
        raise signing.BadSignature("the token names no row")
    digest, email = data.get("f"), data.get("e")
    if isinstance(digest, str) and digest:
        return Link(pk=pk, fingerprint=digest)
    if isinstance(email, str) and email:
        return Link(pk=pk, legacy_email=email)
    raise signing.BadSignature("the token names no address")
