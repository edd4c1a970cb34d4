"""Walk every URL pattern of the project and request it as one actor of the test world."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

ACTORS = ("anonymous", "respondent", "member", "lead", "admin_a", "admin_b", "staff", "support")

# Arguments of the Django admin's own patterns (their models are covered by the admin's
# permission checks, not by a row each).
ADMIN_ARGS = {
    "object_id": "0",
    "pk": "0",
    "app_label": "accounts",
    "content_type_id": "1",
    "id": "1",
}


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    params: tuple[str, ...]


def patterns() -> Iterator[Pattern]:
    yield from _walk(get_resolver().url_patterns, "", None)


def _walk(items: list, prefix: str, namespace: str | None) -> Iterator[Pattern]:
    for item in items:
        if isinstance(item, URLResolver):
            inner = namespace
            if item.namespace:
                inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from _walk(item.url_patterns, prefix + str(item.pattern), inner)
        elif isinstance(item, URLPattern):
            name = item.name or ""
            full = f"{namespace}:{name}" if namespace and name else name
            params = tuple(item.pattern.regex.groupindex)
            yield Pattern(full or prefix + str(item.pattern), prefix + str(item.pattern), params)


def url_for(pattern: Pattern, values: dict[str, str]) -> str:
    if pattern.name == pattern.route:  # unnamed: the admin's object redirects and catch-all
        path = re.sub(r"<[^>]+>", "1", pattern.route)
        return "/" + (path.split("(")[0] + "no-such-page/" if "(" in path else path)
    if pattern.name.startswith("admin:"):
        return reverse(pattern.name, kwargs={p: ADMIN_ARGS[p] for p in pattern.params})
    return reverse(pattern.name, kwargs={p: values[p] for p in pattern.params})
