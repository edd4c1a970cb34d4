"""Authenticated encryption under the server's secret, for what only the server may read.

``seal`` encrypts with AES-256-GCM under a key derived from ``SECRET_KEY`` and a purpose
(so a value sealed for one purpose never opens for another); ``unseal`` also tries the keys
of ``SECRET_KEY_FALLBACKS``, so rotating the secret with the old one kept as a fallback loses
nothing. A sealed value carries no time of its own (unlike Fernet tokens, whose creation
time is readable), and the database alone cannot open it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_NONCE = 12


class Unsealable(ValueError):
    """The value was not sealed by this server for this purpose, or was altered."""


def _key(secret: str | bytes, purpose: str) -> bytes:
    secret_bytes = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret_bytes, b"wellbeing.sealing:" + purpose.encode(), hashlib.sha256).digest()


def _keys(purpose: str) -> list[bytes]:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_key(s, purpose) for s in secrets]


def seal(data: bytes, purpose: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(_keys(purpose)[0]).encrypt(nonce, data, purpose.encode())


def unseal(sealed: bytes, purpose: str) -> bytes:
    if len(sealed) <= _NONCE:
        raise Unsealable("too short to be a sealed value")
    nonce, body = sealed[:_NONCE], sealed[_NONCE:]
    for key in _keys(purpose):
        try:
            return AESGCM(key).decrypt(nonce, body, purpose.encode())
        except InvalidTag:
            continue
    raise Unsealable("not sealed by this server for this purpose")


def seal_text(data: bytes, purpose: str) -> str:
    """``seal`` as URL- and cookie-safe text."""
    return base64.urlsafe_b64encode(seal(data, purpose)).decode().rstrip("=")


def unseal_text(text: str, purpose: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise Unsealable("not base64") from error
    return unseal(raw, purpose)


def keyed_digest(data: bytes, purpose: str) -> str:
    """An HMAC-SHA256 of ``data`` under the server's secret: nobody holding only the database
    can recompute it from guessed contents."""
    return hmac.new(_keys(purpose)[0], data, hashlib.sha256).hexdigest()


def digest_matches(data: bytes, purpose: str, digest: str) -> bool:
    """Whether ``digest`` is ``keyed_digest(data, purpose)`` under the secret or a fallback."""
    return any(
        hmac.compare_digest(hmac.new(key, data, hashlib.sha256).hexdigest(), digest)
        for key in _keys(purpose)
    )


def digest_keys(purpose: str) -> list[bytes]:
    """The HMAC keys of ``purpose``: the current secret's first, then each fallback's.

    For keyed digests of many values at once (an import's response keys), derived once
    rather than once a value."""
    return _keys(purpose)
