"""The respondent's path leaves no trace: each test plays one way of finding a respondent out.

- the token in later URLs (access logs, proxies) and in Django's own log;
- the answers in a readable draft cookie, a draft replayed on another address or kept too long;
- the feedback page's length on the wire, which followed the scores;
- an idempotency key submitted again with other answers, which showed the first answers;
- gunicorn's access log (paths, query strings, headers).
"""

import base64
import binascii
import contextlib
import json
import logging
import re
import zlib
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from gunicorn.config import Config
from tests.conftest import complete_answers, enter, survey_pages

from wellbeing import gunicorn_conf
from wellbeing.core import sealing
from wellbeing.core.accesslog import RedactingLogger
from wellbeing.surveys import actions
from wellbeing.surveys.actions import SubmissionRefused
from wellbeing.surveys.views import respond

ADDRESS = re.compile(r"^/r/[A-Za-z0-9_-]{22}/$")
DISTRESS = complete_answers(burnout=5, who5=(0, 0, 0, 0, 0), phq9=(3, 3, 3, 3, 3, 3, 3, 3, 3))


def _link(wave, unit=None) -> str:
    return wave.links.get(unit=unit).get_absolute_url()


def _enter(client, entrance: str, **extra):
    """Open an entrance like a browser; return the address of the survey's pages and the first.

    Written to follow whatever the entrance does, so that each attack below runs on the old
    flow (pages at the entrance itself) as well and fails there for its own reason."""
    return enter(client, entrance, **extra)


def _answer(client, entrance: str, answers: dict | None = None, **kwargs):
    """Answer every page but the last; return the address, the final POST data and all paths."""
    address, page = _enter(client, entrance)
    pages = survey_pages(
        page.context["flow"],
        page.context["idempotency_field"],
        answers or complete_answers(),
        **kwargs,
    )
    paths = [address]
    for data in pages[:-1]:
        moved = client.post(address, data)
        assert moved.status_code == 303, moved.status_code
        paths.append(moved["Location"])
    return address, pages[-1], paths


def _submit(client, entrance: str, answers: dict | None = None, **kwargs):
    address, final, paths = _answer(client, entrance, answers, **kwargs)
    return client.post(address, final), paths


def _decodings(cookie: str) -> list[bytes]:
    """Everything base64 (and zlib, as Django's signing compresses) reveals of a cookie."""
    out = []
    for part in re.split(r"[:.]", cookie):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            continue
        out.append(raw)
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(raw))
    return out


def _readable_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


# -- 1. the personal token rides in no URL after the first -------------------------------------


@pytest.mark.parametrize("kind", ["token", "link"])
def test_the_entrance_redirects_to_an_address_that_names_neither_token_nor_link(client, wave, kind):
    secret = actions.issue_tokens(wave=wave, count=1)[0] if kind == "token" else None
    entrance = f"/t/{secret}/" if secret else _link(wave)
    secret = secret or wave.links.get(unit=None).key
    redirect = client.get(entrance)
    assert redirect.status_code == 303 and ADDRESS.match(redirect["Location"])
    final, paths = _submit(client, entrance)
    assert final.status_code == 200 and b"Thank you: your answers are saved" in final.content
    assert all(ADDRESS.match(p.split("?")[0]) for p in paths), paths
    assert len({p.split("?")[0] for p in paths}) == 1  # every page and the submit: one address
    assert not any(secret in p for p in paths)
    assert secret.encode() not in final.content


def test_each_entrance_gets_a_fresh_address_stored_nowhere(client, wave):
    first, _page = _enter(Client(), _link(wave))
    second, _page = _enter(Client(), _link(wave))
    assert first != second
    final, paths = _submit(client, _link(wave))
    assert final.status_code == 200
    rid = paths[0].split("/")[2]
    for model in apps.get_models():
        for row in model.objects.values():
            assert rid not in json.dumps(row, default=str), model


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_address_without_its_cookie_asks_to_open_the_link_again(client, wave, method):
    address, _page = _enter(client, _link(wave))
    other = Client()  # another browser, or the cookie expired
    response = getattr(other, method)(address)
    assert response.status_code == 410
    assert "Please open your survey link again" in response.content.decode()
    assert b"Thank you" not in response.content
    assert getattr(Client(), method)("/r/not-a-random-id/").status_code == 410


def test_the_draft_ends_with_the_submission(client, wave):
    address, final_data, _paths = _answer(client, _link(wave))
    final = client.post(address, final_data)
    assert final.status_code == 200
    gone = final.cookies["wb_draft"]
    assert gone.value == "" and gone["max-age"] == 0 and gone["path"] == address
    assert final.cookies["wb_resume"]["max-age"] == 0
    # A reload of the thank-you page sends the form again: nothing is left to send it to.
    again = client.post(address, final_data)
    assert again.status_code == 410
    # The link starts a new survey at a new address.
    again, page = _enter(client, _link(wave))
    assert again != address and page.context["answers"] == {}


def test_opening_the_link_again_resumes_the_survey_in_progress(client, wave):
    address, _final, _paths = _answer(client, _link(wave))
    again = client.get(_link(wave))
    assert again.status_code == 303 and again["Location"] == address
    page = client.get(address + "?step=1")
    assert page.context["answers"]["who5"] == [3, 3, 3, 3, 3]
    # Another link of the same kind is not this survey: it starts afresh.
    other = client.get(_link(wave, wave.links.exclude(unit=None).first().unit))
    assert other.status_code == 303 and other["Location"] != address


def test_a_used_token_is_refused_at_the_entrance_and_at_its_address(client, wave):
    (token,) = actions.issue_tokens(wave=wave, count=1)
    address, final, _paths = _answer(client, f"/t/{token}/")
    other = Client()
    other_address, _page = _enter(other, f"/t/{token}/")
    assert client.post(address, final).status_code == 200
    refused = other.get(other_address)
    assert refused.status_code == 410 and "This link has been used" in refused.content.decode()
    assert Client().get(f"/t/{token}/").status_code == 410


def test_no_log_record_names_the_token_or_the_address(client, wave, caplog):
    caplog.set_level(logging.DEBUG)
    (token,) = actions.issue_tokens(wave=wave, count=1)
    address, final, _paths = _answer(client, f"/t/{token}/")
    client.post(address, {"step": "1", "go": "next"})  # a page with errors: 400
    client.post(address, final)
    Client().get(f"/t/{token}/")  # used: 410
    Client().get("/t/an-unknown-token-000/")  # unknown: 404
    Client().get(address)  # no cookie: 410
    logged = "\n".join(f"{r.getMessage()} {getattr(r, 'request', '')}" for r in caplog.records)
    assert token not in logged and address not in logged and "an-unknown-token" not in logged


# -- 2. the draft cookie is sealed, bound to its address and to seven days ---------------------


def test_the_draft_cookie_shows_no_answer_and_no_token(client, wave):
    (token,) = actions.issue_tokens(wave=wave, count=1)
    _address, _final, _paths = _answer(client, f"/t/{token}/", answers=DISTRESS)
    cookie = client.cookies["wb_draft"].value
    assert not re.search(r"\[\d(,\s*\d)*\]|phq9|who5", cookie)
    assert token not in cookie
    for raw in _decodings(cookie):
        assert not _readable_json(raw)
        assert b"phq9" not in raw and b"[3,3" not in raw and token.encode() not in raw


def test_a_tampered_draft_is_ignored_and_the_link_starts_afresh(client, wave):
    address, _final, _paths = _answer(client, _link(wave))
    cookie = client.cookies["wb_draft"].value
    client.cookies["wb_draft"] = cookie[:-4] + ("AAAA" if cookie[-4:] != "AAAA" else "BBBB")
    refused = client.get(address)
    assert refused.status_code == 410
    assert "Please open your survey link again" in refused.content.decode()
    again, page = _enter(client, _link(wave))
    assert again != address and page.context["answers"] == {}


def test_a_draft_does_not_open_at_another_address(client, wave):
    first, _page = _enter(client, _link(wave))
    stolen = client.cookies["wb_draft"].value
    second, _page = _enter(Client(), _link(wave))
    thief = Client()
    thief.cookies["wb_draft"] = stolen
    assert thief.get(second).status_code == 410
    assert thief.get(first).status_code == 200


def test_a_draft_older_than_seven_days_is_refused(client, wave, monkeypatch):
    address, _final, _paths = _answer(client, _link(wave))
    today = timezone.localdate()
    monkeypatch.setattr(respond.timezone, "localdate", lambda: today + timedelta(days=7))
    assert client.get(address).status_code == 200  # the last save counts: still the 7th day
    monkeypatch.setattr(respond.timezone, "localdate", lambda: today + timedelta(days=15))
    assert client.get(address).status_code == 410


def test_the_draft_holds_a_day_not_a_time(client, wave):
    address, _final, _paths = _answer(client, _link(wave))
    sealed = client.cookies["wb_draft"].value
    payload = json.loads(sealing.unseal_text(sealed, f"respondent-draft:{address}"))
    assert set(payload) == {"src", "ref", "k", "a", "d", "exp"}
    assert payload["exp"] == (timezone.localdate() + timedelta(days=7)).isoformat()
    with pytest.raises(sealing.Unsealable):  # sealed for this address only
        sealing.unseal_text(sealed, "respondent-draft:/r/another-address-000000/")


@pytest.mark.parametrize(
    ("extra", "setting", "secure"),
    [
        ({}, {}, False),
        ({"secure": True}, {}, True),
        (
            {"HTTP_X_FORWARDED_PROTO": "https"},
            {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
            True,
        ),
        ({}, {"SESSION_COOKIE_SECURE": True}, True),
    ],
)
def test_the_cookies_are_httponly_lax_scoped_and_secure_over_https(
    client, wave, settings, extra, setting, secure
):
    for name, value in setting.items():
        setattr(settings, name, value)
    address, _page = _enter(client, _link(wave), **extra)
    page = client.post(address, {"step": "0", "go": "next"}, **extra)
    assert page.status_code == 303
    draft = page.cookies["wb_draft"]
    assert draft["path"] == address
    assert draft["httponly"] is True and draft["samesite"] == "Lax"
    assert bool(draft["secure"]) is secure
    assert draft["max-age"] == 7 * 24 * 3600


def test_the_entrance_sets_the_sealed_cookies_on_their_own_paths(client, wave, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    redirect = client.get(_link(wave), HTTP_X_FORWARDED_PROTO="https")
    assert redirect.status_code == 303
    draft, resume = redirect.cookies["wb_draft"], redirect.cookies["wb_resume"]
    assert draft["path"] == redirect["Location"] and resume["path"] == "/s/"
    for cookie in (draft, resume):
        assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
        assert cookie["secure"] is True and cookie["max-age"] == 7 * 24 * 3600


# -- 3. every feedback page has the same length ------------------------------------------------

ANSWER_SETS = [
    (complete_answers(burnout=1, who5=(5, 5, 5, 5, 5)), "", {}),
    (complete_answers(), "More staff on nights.", {"role": "nurse"}),
    (DISTRESS, "x" * 2000, {"role": "physician"}),
    (complete_answers(phq9=(0, 0, 0, 0, 0, 0, 0, 0, 1)), "", {}),
    (complete_answers(burnout=4, who5=(2, 1, 2, 1, 2), phq9=(2, 1, 2, 1, 2, 1, 2, 1, 0)), "", {}),
]


def test_every_feedback_page_has_the_same_length(wave):
    pages = []
    for answers, comment, demo in ANSWER_SETS:
        final, _paths = _submit(Client(), _link(wave), answers, comment=comment, demo=demo)
        assert final.status_code == 200
        pages.append(final.content)
    spanish = Client()
    spanish.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "es"
    pages.append(_submit(spanish, _link(wave), DISTRESS)[0].content)
    assert b"Support is available right now" in pages[2]
    assert b"Support is available right now" not in pages[0]
    assert len({len(page) for page in pages}) == 1, [len(page) for page in pages]
    assert len(pages[0]) == respond.FEEDBACK_BYTES
    assert all(page.rstrip().endswith(b"</html>") for page in pages)


def test_the_feedback_page_is_neither_stored_nor_compressed(client, wave):
    address, final, _paths = _answer(client, _link(wave))
    page = client.post(address, final, HTTP_ACCEPT_ENCODING="gzip, br")
    directives = {d.strip() for d in page["Cache-Control"].split(",")}
    assert {"no-store", "no-transform"} <= directives
    assert "Content-Encoding" not in page
    assert not [m for m in django_settings.MIDDLEWARE if "gzip" in m.lower()]


def test_the_largest_survey_of_the_catalogue_still_fits_one_size(client, org, org_admin):
    """Padding to a multiple of the size would let a page near a boundary show its scores:
    no survey the catalogue can make comes near the first boundary."""
    from wellbeing.surveys import scoring

    instruments = [i.id for i in scoring.fieldable_instruments()]
    survey = actions.create_survey(
        organization=org,
        name="Everything",
        instruments=instruments,
        open_questions=["Anything else?"],
        actor=org_admin,
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey, name="W", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5)
    )
    actions.open_links(wave=wave, units=[None], actor=org_admin)
    actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    address, page = _enter(client, _link(wave))
    flow = page.context["flow"]
    draft = respond.Draft.unsealed(client.cookies["wb_draft"].value, address)
    for pick in (min, max):
        answers = {
            i.id: [pick(item.option_set.codes) for item in i.items] for i in flow.instruments
        }
        sealed = replace(draft, answers=answers, key=f"{pick.__name__}" * 8).sealed(address)
        assert len(sealed) < 3500  # a browser keeps a cookie of up to 4 KiB
        client.cookies["wb_draft"] = sealed
        final = client.post(address, {"step": str(len(flow.steps) - 1), "go": "submit"})
        assert final.status_code == 200
        body = final.content
        unpadded = body[: body.rindex(b"<!-- ")] + body[body.rindex(b" -->\n") + 5 :]
        assert len(body) == respond.FEEDBACK_BYTES
        assert len(unpadded) < respond.FEEDBACK_BYTES // 2, len(unpadded)


# -- 4. an idempotency key sent again with other answers ---------------------------------------


def test_a_key_reused_with_other_answers_shows_nothing_and_keeps_the_draft(client, wave):
    address, final, _paths = _answer(client, _link(wave), answers=DISTRESS, comment="First.")
    draft = client.cookies["wb_draft"].value
    first = client.post(address, final)
    assert b"Support is available right now" in first.content
    # The same draft (and so the same key) comes back with other answers: someone at the
    # same computer pressing Back, or a copied cookie. The first answers must not be shown.
    client.cookies["wb_draft"] = draft
    flow_page = client.get(address + "?step=3")
    assert flow_page.context["step"] == "phq9"
    phq9 = {q.name: "0" for q in flow_page.context["questions"]}
    signed = flow_page.context["idempotency_field"]
    client.post(address, {"idempotency_key": signed, "step": "3", "go": "next", **phq9})
    second = client.post(address, {**final, "open__1": "Second."})
    html = second.content.decode()
    assert second.status_code == 409
    assert "Your answers were not sent" in html
    for shown in ("Support is available right now", "Thank you", "Burnout", "WHO-5", "PHQ"):
        assert shown not in html
    assert "wb_draft" not in second.cookies  # the draft is kept as it was
    assert client.get(address).status_code == 200
    # As the page says, the link starts again, with a new key that is accepted.
    final, _paths = _submit(client, _link(wave), comment="Second.")
    assert final.status_code == 200 and b"Thank you: your answers are saved" in final.content


@pytest.mark.parametrize(
    ("reason", "status", "text"),
    [
        ("key_reused", 409, "Your answers were not sent"),
        ("closed", 410, "This survey is closed"),
        ("token_used", 409, "This link has been used"),
        ("conflict", 409, "Your answers could not be saved"),
    ],
)
def test_each_refusal_of_the_submit_has_its_status_and_page(
    client, wave, monkeypatch, reason, status, text
):
    def refuse(_submission):
        raise SubmissionRefused(reason)

    address, final, _paths = _answer(client, _link(wave))
    monkeypatch.setattr(respond, "submit_response", refuse)
    refused = client.post(address, final)
    assert refused.status_code == status
    assert text in refused.content.decode()
    assert "wb_draft" not in refused.cookies  # kept


# -- 5. gunicorn's access log ------------------------------------------------------------------

HOSTILE_FORMAT = (
    '%(h)s %(u)s "%(r)s" %(U)s ?%(q)s "%(f)s" "%(a)s" %({cookie}i)s %({referer}i)s '
    "%({raw_uri}e)s %({query_string}e)s %({http_cookie}e)s %({set-cookie}o)s"
)


def _access_line(path: str, raw_uri: str, query: str, access_format: str) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", access_format)
    logger = RedactingLogger(cfg)
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(handler)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_COOKIE": "wb_draft=COOKIEVALUE",
        "HTTP_REFERER": "https://mail.example/REFERER",
        "HTTP_USER_AGENT": "PhoneBrowser/1.0",
    }
    request = SimpleNamespace(
        headers=[("COOKIE", "wb_draft=COOKIEVALUE"), ("REFERER", "https://mail.example/REFERER")]
    )
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Set-Cookie", "wb_draft=SET")])
    try:
        logger.access(response, request, environ, timedelta(milliseconds=12))
    finally:
        logger.access_log.removeHandler(handler)
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize("access_format", [gunicorn_conf.access_log_format, HOSTILE_FORMAT])
@pytest.mark.parametrize(
    ("path", "raw_uri", "shown"),
    [
        ("/t/PERSONALTOKEN/", "/t/PERSONALTOKEN/?utm=QUERYVALUE", "/t/-"),
        ("/t/PERSONALTOKEN/", "/%74/PERSONALTOKEN/?utm=QUERYVALUE", "/t/-"),
        ("/s/LINKKEY/", "/s/LINKKEY/?utm=QUERYVALUE", "/s/-"),
        ("/r/RANDOMID/", "/r/RANDOMID/?step=QUERYVALUE", "/r/-"),
        ("//t/PERSONALTOKEN/", "//t/PERSONALTOKEN/?QUERYVALUE", "/t/-"),
    ],
)
def test_the_access_log_names_no_token_no_query_and_no_respondent(
    access_format, path, raw_uri, shown
):
    line = _access_line(path, raw_uri, raw_uri.split("?")[1], access_format)
    assert shown in line
    for secret in (
        "PERSONALTOKEN",
        "LINKKEY",
        "RANDOMID",
        "QUERYVALUE",
        "COOKIEVALUE",
        "REFERER",
        "wb_draft",
        "203.0.113.7",
        "PhoneBrowser",
    ):
        assert secret not in line, (secret, line)


def test_the_access_log_keeps_other_paths_without_their_query():
    line = _access_line(
        "/hub/search/", "/hub/search/?q=QUERYVALUE", "q=QUERYVALUE", gunicorn_conf.access_log_format
    )
    assert '"GET /hub/search/ HTTP/1.1" 200 512' in line and "203.0.113.7" in line
    assert "QUERYVALUE" not in line and "REFERER" not in line


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/accounts/invite/INVITETOKEN/", "/accounts/invite/-"),
        ("/accounts/password-reset/UIDB64/RESETTOKEN/", "/accounts/password-reset/-"),
        ("//accounts//password-reset/UIDB64/set-password/", "/accounts/password-reset/-"),
        ("/accounts/settings/email/confirm/EMAILTOKEN/", "/accounts/settings/email/confirm/-"),
    ],
)
def test_the_access_log_names_no_single_use_token_of_an_account_link(path, shown):
    line = _access_line(path, path, "", gunicorn_conf.access_log_format)
    assert shown in line
    for secret in ("INVITETOKEN", "UIDB64", "RESETTOKEN", "EMAILTOKEN", "set-password"):
        assert secret not in line, (secret, line)


@pytest.mark.parametrize("path", ["/accounts/password-reset/", "/accounts/password-reset/sent/"])
def test_the_access_log_keeps_the_reset_pages_that_carry_no_token(path):
    assert f"GET {path} HTTP/1.1" in _access_line(path, path, "", gunicorn_conf.access_log_format)


def test_the_gunicorn_config_names_the_redacting_logger():
    cfg = Config()
    cfg.set("logger_class", gunicorn_conf.logger_class)
    assert cfg.logger_class is RedactingLogger
