"""Sealed values: only this server opens them, for the purpose they were sealed for."""

import pytest

from wellbeing.core import sealing


def test_a_sealed_value_opens_only_for_its_purpose_and_shows_nothing():
    text = sealing.seal_text(b'{"phq9": [3, 3, 3]}', "draft:/r/abc/")
    assert "phq9" not in text and b"phq9" not in sealing.seal(b"phq9", "x")
    assert sealing.unseal_text(text, "draft:/r/abc/") == b'{"phq9": [3, 3, 3]}'
    with pytest.raises(sealing.Unsealable):
        sealing.unseal_text(text, "draft:/r/other/")
    # Sealing twice gives two different values: equal answers are not equal ciphertexts.
    assert sealing.seal(b"same", "p") != sealing.seal(b"same", "p")


def test_an_altered_value_or_another_servers_secret_does_not_open(settings):
    sealed = bytearray(sealing.seal(b"answers", "p"))
    sealed[-1] ^= 1
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(bytes(sealed), "p")
    mine = sealing.seal(b"answers", "p")
    settings.SECRET_KEY = "another-server-" + "x" * 40
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(mine, "p")
    with pytest.raises(sealing.Unsealable):
        sealing.unseal_text("not*base64", "p")


def test_rotating_the_secret_with_the_old_one_as_fallback_loses_nothing(settings):
    sealed = sealing.seal(b"answers", "p")
    digest = sealing.keyed_digest(b"body", "q")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "rotated-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = [old]
    assert sealing.unseal(sealed, "p") == b"answers"
    assert sealing.digest_matches(b"body", "q", digest)
    assert not sealing.digest_matches(b"other body", "q", digest)
    # The digest is keyed: without the secret it cannot be recomputed from a guess.
    import hashlib

    assert digest != hashlib.sha256(b"body").hexdigest()
