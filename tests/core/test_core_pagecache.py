"""Public pages kept for visitors without a session (core/pagecache.py): nothing of one visitor
reaches another, signed-in users never get a kept page, languages never mix, and a failing
cache costs speed, never the page.

A kept page is recognised by what it costs: no template is rendered and no database query
is made to answer it.
"""

import re

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from wellbeing import urls as site_urls
from wellbeing.core import pagecache

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
ANY_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# One page of every kind that is kept (the hub's and the campaign's own files test their pages).
KEPT_PAGES = [
    "/",
    "/about/",
    "/measure/",
    "/plan/",
    "/plan/actor-groups/",
    "/plan/conceptual-model/",
    "/plan/mental-health-and-stigma/",
    "/campaign/",
    "/campaign/commitments/",
    "/campaign/directory/",
    "/hub/",
    "/hub/?q=burnout",
    "/hub/compendium/",
    "/hub/instruments/",
]


def fetch(client: Client, url: str, **extra):
    """The response, and whether it was rendered for this request (False: a kept page)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, bool(response.templates or queries.captured_queries)


def kept(client: Client, url: str, **extra):
    """GET ``url`` once to fill the cache, then again; the second answer must be the kept page."""
    client.get(url, **extra)
    response, rendered = fetch(client, url, **extra)
    assert response.status_code == 200, url
    assert not rendered, f"{url} was rendered again, not kept"
    return response


def tokens(html: str) -> list[str]:
    return TOKEN.findall(html)


def secret(client: Client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.parametrize("url", KEPT_PAGES)
def test_a_page_is_kept_for_visitors_without_a_session(url):
    response = kept(Client(), url)
    assert b"<main" in response.content


@pytest.mark.parametrize("url", KEPT_PAGES)
def test_a_kept_page_shows_the_988_crisis_banner(url):
    html = kept(Client(), url).content.decode()
    assert 'data-testid="crisis-banner"' in html
    assert 'href="tel:988"' in html
    assert "free, confidential and available 24/7" in html


def test_each_visitor_of_a_kept_page_gets_their_own_csrf_token():
    first, second = Client(), Client()
    first_html = first.get("/plan/").content.decode()
    second_html = kept(second, "/plan/").content.decode()
    assert tokens(first_html) and tokens(second_html)
    assert secret(first) != secret(second)
    for token in tokens(second_html):
        assert _unmask_cipher_token(token) == secret(second)
    # Nothing in the second visitor's page opens with the first visitor's secret.
    for candidate in ANY_TOKEN.findall(second_html):
        assert _unmask_cipher_token(candidate) != secret(first)
    assert secret(first) not in second_html


def test_a_returning_visitor_keeps_their_csrf_cookie_on_a_kept_page():
    visitor = Client()
    visitor.get("/about/")
    before = secret(visitor)
    response = kept(visitor, "/about/")
    assert secret(visitor) == before
    assert {_unmask_cipher_token(t) for t in tokens(response.content.decode())} == {before}


def test_the_language_switch_of_a_kept_page_posts_with_the_visitors_token():
    Client().get("/plan/")  # someone else fills the cache
    visitor = Client(enforce_csrf_checks=True)
    html = kept(visitor, "/plan/").content.decode()
    switch = {"csrfmiddlewaretoken": tokens(html)[0], "next": "/plan/", "language": "es"}
    moved = visitor.post(reverse("set_language"), switch)
    assert moved.status_code == 302 and moved["Location"] == "/plan/"
    assert visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es"' in visitor.get("/plan/").content.decode()


def test_a_token_from_another_visitors_page_is_refused():
    owner, thief = Client(), Client(enforce_csrf_checks=True)
    stolen = tokens(owner.get("/plan/").content.decode())[0]
    kept(thief, "/plan/")
    switch = {"csrfmiddlewaretoken": stolen, "next": "/plan/", "language": "es"}
    assert thief.post(reverse("set_language"), switch).status_code == 403


def test_a_signed_in_user_never_gets_the_kept_page(client, staff_curator):
    kept(Client(), "/plan/")
    client.force_login(staff_curator)
    response, rendered = fetch(client, "/plan/")
    html = response.content.decode()
    assert rendered
    assert "Sign out" in html and "Staff tools" in html
    assert "Sign in</a>" not in html


def test_nothing_rendered_for_a_signed_in_user_is_kept(client, staff_curator):
    client.force_login(staff_curator)
    client.get("/plan/")
    client.get("/plan/")
    html = kept(Client(), "/plan/").content.decode()
    assert "Sign in</a>" in html
    assert "Sign out" not in html and "Staff tools" not in html
    assert staff_curator.email not in html


def test_a_visitor_with_a_session_gets_the_page_rendered_for_them(client, staff_curator):
    kept(Client(), "/")
    client.force_login(staff_curator)
    client.logout()  # signed out, but the browser may still send a session cookie
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    response, rendered = fetch(client, "/")
    assert response.status_code == 200 and rendered
    assert "Sign in</a>" in response.content.decode()


def test_spanish_and_english_pages_are_kept_apart():
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    english = kept(Client(), "/plan/").content.decode()
    espanol = kept(Client(), "/plan/", **spanish).content.decode()
    assert '<html lang="en"' in english and "Saltar al contenido principal" not in english
    assert '<html lang="es"' in espanol and "Saltar al contenido principal" in espanol
    by_cookie = Client()
    by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert '<html lang="es"' in kept(by_cookie, "/plan/").content.decode()
    assert '<html lang="en"' in kept(Client(), "/plan/").content.decode()


def test_a_flash_message_waiting_for_a_visitor_is_shown_and_never_kept():
    kept(Client(), "/about/")
    visitor = Client()
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, "Your suggestion is with our staff.")
    carrier = HttpResponse()
    storage.update(carrier)
    visitor.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    assert "Your suggestion is with our staff." in visitor.get("/about/").content.decode()
    assert "Your suggestion is with our staff." not in kept(Client(), "/about/").content.decode()


@pagecache.cached_page()
def flashing_view(request):
    """A page that adds a flash message for the visitor it renders for."""
    if request.GET.get("flash") is None:
        messages.info(request, "A note for this visitor alone.")
    return render(request, "core/about.html")


urlpatterns = [path("flashing/", flashing_view), *site_urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_a_page_that_added_a_flash_message_is_not_kept():
    for _visitor in range(2):
        response, rendered = fetch(Client(), "/flashing/")
        assert rendered
        assert response.content.decode().count("A note for this visitor alone.") == 1


def test_an_address_with_parameters_the_page_does_not_read_is_not_kept():
    url = "/plan/?utm_source=newsletter"
    Client().get(url)
    response, rendered = fetch(Client(), url)
    assert response.status_code == 200 and rendered


def test_an_error_page_is_not_kept():
    Client().get("/plan/no-such-area/")
    response, rendered = fetch(Client(), "/plan/no-such-area/")
    assert response.status_code == 404 and rendered


@pytest.mark.parametrize("url", ["/", "/plan/", "/hub/?q=burnout"])
def test_kept_and_rendered_pages_stay_private_to_the_browser(url, staff_curator):
    first = Client().get(url)
    second = kept(Client(), url)
    signed_in = Client()
    signed_in.force_login(staff_curator)
    for response in (first, second, signed_in.get(url)):
        control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert "private" in control and "public" not in control
        assert {"no-cache"} <= control
        vary = {part.strip().lower() for part in response["Vary"].split(",")}
        assert {"cookie", "accept-language"} <= vary
        assert settings.CSRF_COOKIE_NAME in response.cookies


def test_an_edit_drops_the_kept_pages_of_its_area_only():
    kept(Client(), "/plan/")
    kept(Client(), "/campaign/")
    pagecache.changed("campaign")
    assert not fetch(Client(), "/plan/")[1]
    assert fetch(Client(), "/campaign/")[1]


def test_an_edit_is_dropped_again_when_its_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pagecache.changed("plan")
        during = pagecache.generations(["plan"])
    for callback in callbacks:
        callback()
    # A page another process rendered from rows read before the commit is not served.
    assert pagecache.generations(["plan"]) != during


def test_every_migrate_drops_every_kept_page():
    from django.core.management.sql import emit_post_migrate_signal

    kept(Client(), "/about/")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert fetch(Client(), "/about/")[1]


class BrokenCache(LocMemCache):
    """A cache whose server is gone: every call fails."""

    def get(self, *args, **kwargs):
        raise ConnectionError("cache server unreachable")

    get_many = add = set = set_many = get


def test_pages_are_rendered_as_usual_when_the_cache_fails(settings):
    broken = {"BACKEND": f"{__name__}.BrokenCache"}
    settings.CACHES = {"default": broken, pagecache.PAGES: broken}
    for _ in range(2):
        response = Client().get("/plan/")
        assert response.status_code == 200
        assert 'data-testid="crisis-banner"' in response.content.decode()
