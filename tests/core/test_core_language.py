"""The language switch in the header: back to the same page, in the other language, for good.

The switch is a plain form posting to Django's ``set_language``; the choice lives in the
language cookie alone, so it adds nothing that could tie a survey response to a person.
"""

import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from wellbeing.core import health, ratelimit

SWITCH = re.compile(
    r'<form class="usa-language--small" method="post" action="(?P<action>[^"]+)"'
    r'.*?name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"'
    r'.*?name="next" value="(?P<next>[^"]*)"'
    r'.*?name="language" value="(?P<language>[a-z]+)"><span lang="(?P<lang>[a-z]+)"[^>]*>'
    r"(?P<label>[^<]+)</span>",
    re.S,
)


def _switches(html: str) -> list[dict[str, str]]:
    found = [m.groupdict() for m in SWITCH.finditer(html)]
    return [{k: unescape(v) for k, v in switch.items()} for switch in found]


def _html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _switch(client: Client, path: str):
    """Press the header's switch on ``path`` as a browser without JavaScript would."""
    switch = _switches(client.get(path).content.decode())[0]
    data = {
        "csrfmiddlewaretoken": switch["token"],
        "next": switch["next"],
        "language": switch["language"],
    }
    return client.post(switch["action"], data)


@pytest.mark.django_db
def test_switching_on_a_deep_page_returns_to_that_page_in_spanish():
    client = Client(enforce_csrf_checks=True)  # the form must carry a valid CSRF token
    deep = "/engage/gallery/?medium=image&perspective=patient"
    moved = _switch(client, deep)
    assert moved.status_code == 302
    assert moved["Location"] == deep
    html = client.get(moved["Location"]).content.decode()
    assert _html_lang(html) == "es"
    assert "<h1>Expresiones de bienestar</h1>" in html
    assert {s["label"] for s in _switches(html)} == {"English"}
    assert {(s["language"], s["lang"]) for s in _switches(html)} == {("en", "en")}


@pytest.mark.django_db
def test_a_spanish_visitors_choice_persists_until_they_switch_back():
    client = Client(enforce_csrf_checks=True)
    _switch(client, "/about/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    for path in ("/", "/engage/events/", "/engage/updates/", "/no-such-page/"):
        html = client.get(path).content.decode()
        assert _html_lang(html) == "es", path
        assert "Saltar al contenido principal" in html, path
    back = _switch(client, "/engage/events/")
    assert back["Location"] == "/engage/events/"
    html = client.get("/engage/events/").content.decode()
    assert _html_lang(html) == "en" and "<h1>Events</h1>" in html
    assert {s["label"] for s in _switches(html)} == {"Español"}


@pytest.mark.django_db
def test_every_page_switches_back_to_itself_though_a_visitors_header_is_shared(client):
    # A visitor's header is rendered once per process and section; its switch is not.
    for path in ("/about/", "/engage/", "/engage/events/", "/about/?x=1"):
        switches = _switches(client.get(path).content.decode())
        assert [s["next"] for s in switches] == [path, path], path  # phone and wide screens


@pytest.mark.django_db
def test_the_switch_carries_each_visitors_own_csrf_token():
    tokens = set()
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get("/about/").content.decode()
        tokens.add(_switches(html)[0]["token"])
        assert _switch(visitor, "/about/").status_code == 302
    assert len(tokens) == 2


@pytest.mark.django_db
def test_a_signed_in_user_gets_the_switch_and_keeps_their_session(org_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_admin)
    assert _switch(client, "/measure/")["Location"] == "/measure/"
    html = client.get("/measure/").content.decode()
    assert _html_lang(html) == "es" and "Cerrar sesión" in html


@pytest.mark.django_db
def test_switching_language_stores_nothing_but_the_language_cookie(
    client, django_assert_num_queries
):
    """Nothing about the choice is written anywhere a survey response could be linked to."""
    html = client.get("/").content.decode()
    switch = _switches(html)[0]
    with django_assert_num_queries(0):
        moved = client.post(reverse("set_language"), {"next": switch["next"], "language": "es"})
    assert set(moved.cookies) == {settings.LANGUAGE_COOKIE_NAME}
    assert moved.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_the_switch_never_sends_a_visitor_to_another_site(client):
    moved = client.post(
        reverse("set_language"), {"next": "https://elsewhere.example/", "language": "es"}
    )
    assert moved["Location"] == "/"


@pytest.mark.django_db
def test_pages_say_their_language_and_vary_on_what_chooses_it(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get("/engage/")
    assert response["Content-Language"] == "es"
    vary = {v.strip() for v in response["Vary"].split(",")}
    # A cache in front of the site must keep one copy per cookie (the language cookie) and
    # per Accept-Language, or it would serve one visitor's language to another.
    assert {"Cookie", "Accept-Language"} <= vary


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "heading"),
    [("/", "Cuidar a quienes cuidan."), ("/about/", "<h1>Acerca de</h1>")],
)
def test_translated_pages_do_not_mark_their_content_as_english(client, path, heading):
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert heading in html
    assert re.search(r'<main id="main-content"[^>]*>', html).group(0).count('lang="en"') == 0


@pytest.mark.django_db
def test_the_english_only_staff_pages_say_so_to_screen_readers(client, staff_curator):
    client.force_login(staff_curator)
    html = client.get(reverse("core:staff_audit"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert _html_lang(html) == "es"
    assert 'lang="en"' in re.search(r'<main id="main-content"[^>]*>', html).group(0)


def test_the_error_pages_without_the_database_follow_the_language():
    with translation.override("es"):
        server_error = render_to_string("core/500.html")
        unavailable = health.database_down_response().content.decode()
    assert _html_lang(server_error) == "es" and "Algo salió mal" in server_error
    assert _html_lang(unavailable) == "es" and "Vuelva a intentarlo en un momento" in unavailable
    for page in (server_error, unavailable):
        assert 'href="tel:988"' in page and "¿En crisis o pasando por un momento difícil?" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("seconds", "words"),
    [(60, "dentro de 1 minuto aproximadamente."), (600, "dentro de 10 minutos aproximadamente.")],
)
def test_the_too_many_requests_page_counts_minutes_in_spanish(rf: RequestFactory, seconds, words):
    request = rf.post("/engage/contact/")
    with translation.override("es"):
        page = ratelimit.too_many(request, seconds).content.decode()
    assert "Demasiadas solicitudes" in page and words in page


@pytest.mark.django_db
def test_the_not_found_page_is_in_the_visitors_language(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert "No se encontró la página" in response.content.decode()
