"""The key an imported response is stored under: the same for the same row, traceable by nobody.

A key must be the same for the same row of the same file, so that importing a file twice
stores nothing twice and an overlapping file adds only its new rows, and unique within a
wave. It used to be the plain SHA-256 of "<wave id>:<source id>" (the source id: the
row's identifier columns, or the file's fingerprint and the row's position): anyone
holding the original export, whose REDCap identifier may be an e-mail address, could
compute it and find that person's stored answers. It is now an HMAC-SHA256 of that
digest under a key derived from ``SECRET_KEY`` for this purpose (``core.sealing``): the
same row still gives the same key, but nobody without the server's secret can compute
it from the export.

Rows imported before keep their keys: recomputing them needs the source ids, which were
never stored. An import still recognises them, and rows keyed under a secret since
rotated to ``SECRET_KEY_FALLBACKS``: each row's old digest and its HMAC under every key
are matched against the wave's keys, in memory only.
"""

import hashlib
from collections.abc import Sequence

from wellbeing.core.sealing import digest_keys

PURPOSE = "surveys.import.response-key"
LEGACY_PREFIX = "imp-"  # the unkeyed SHA-256 of imports before the HMAC
PREFIX = "imh-"
LENGTH = 60  # hex digits kept: with the prefix, the 64 characters of Response.idempotency_key


def digests(wave_id: int, sources: Sequence[str]) -> list[str]:
    """Each source id's digest with the wave: the key imports stored before the HMAC."""
    prefix = f"{wave_id}:".encode()
    return [
        LEGACY_PREFIX + hashlib.sha256(prefix + s.encode()).hexdigest()[:LENGTH] for s in sources
    ]


def response_keys(digested: Sequence[str]) -> list[str]:
    """The stored key of each row: an HMAC of its digest under the current secret."""
    return _keyed(digest_keys(PURPOSE)[0], digested)


def _keyed(key: bytes, digested: Sequence[str]) -> list[str]:
    """HMAC-SHA256 (RFC 2104) of each value: the key's inner and outer pads are hashed once
    and their states copied for each value, several times faster than ``hmac.new`` a value
    (100,000 rows an import)."""
    size = hashlib.sha256().block_size
    block = (hashlib.sha256(key).digest() if len(key) > size else key).ljust(size, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    keyed = []
    for value in digested:
        first = inner.copy()
        first.update(value.encode())
        second = outer.copy()
        second.update(first.digest())
        keyed.append(PREFIX + second.hexdigest()[:LENGTH])
    return keyed


def already_stored(
    keyed: Sequence[str], digested: Sequence[str], wave_keys: set[str]
) -> list[bool]:
    """Which rows (``keyed`` under today's secret, ``digested`` as before the HMAC) the
    wave holds already: under today's key, a rotated secret's, or the unkeyed digest of an
    import made before the HMAC. Only what the wave's keys can hold is computed."""
    found = [k in wave_keys for k in keyed]
    if any(k.startswith(LEGACY_PREFIX) for k in wave_keys):
        found = [seen or d in wave_keys for seen, d in zip(found, digested, strict=True)]
    for key in digest_keys(PURPOSE)[1:]:
        rotated = _keyed(key, digested)
        found = [seen or k in wave_keys for seen, k in zip(found, rotated, strict=True)]
    return found
