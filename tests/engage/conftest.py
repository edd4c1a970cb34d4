"""Engage tests post public forms many times: each test starts with fresh rate limits."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
