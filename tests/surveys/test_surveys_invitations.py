"""Invitations and reminders mailed by the platform: who may send them, what each mail holds,
that reminders reach exactly those who have not answered, and that no address outlives the
wave or ever reaches a page, an audit row or a table in clear."""

import codecs
import io
import json
import re
import smtplib
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from wellbeing.core.models import AuditEvent
from wellbeing.surveys import actions, invitations
from wellbeing.surveys.models import Invitation, InvitationBatch, InvitationToken, hash_token
from wellbeing.surveys.tasks import purge_closed_wave_invitations, send_invitations

LINK = re.compile(r"https?://[^\s]+/t/([A-Za-z0-9_-]+)/")
PEOPLE = [f"Person.{i:02d}@Mail.Example" for i in range(20)]
NORMALIZED = [p.lower() for p in PEOPLE]


def _base(org, wave):
    return f"/measure/{org.slug}/waves/{wave.pk}/invitations/"


def _check(client, org, wave, text="", upload=None, unit=""):
    data = {"addresses": text, "unit": unit}
    if upload is not None:
        data["file"] = upload
    return client.post(_base(org, wave), data)


def _file(name: str, content: bytes):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _invite(client, org, wave, people, capture, unit=""):
    """Check the addresses, then send them; the mail goes out when the transaction commits."""
    page = _check(client, org, wave, "\n".join(people), unit=unit)
    assert page.status_code == 200, page.content.decode()[:2000]
    draft = page.context["confirm"].initial["draft"]
    with capture(execute=True):
        sent = client.post(_base(org, wave) + "send/", {"draft": draft})
    assert sent.status_code == 302
    return sent


def _remind(client, org, wave, capture):
    with capture(execute=True):
        return client.post(_base(org, wave) + "remind/", follow=True)


def _tokens(messages) -> list[str]:
    return [LINK.search(m.body).group(1) for m in messages]


def _answer(wave, token, walk):
    walk(Client(), f"/t/{token}/")


@pytest.fixture
def admin(client, org_admin):
    client.force_login(org_admin)
    return client


@pytest.fixture
def invited(admin, org, wave, units, django_capture_on_commit_callbacks):
    _invite(admin, org, wave, PEOPLE, django_capture_on_commit_callbacks, unit=units["ed"].pk)
    return {m.to[0]: LINK.search(m.body).group(1) for m in mail.outbox}


# -- who may use the pages ----------------------------------------------------------------------


PAGES = [("get", ""), ("post", ""), ("post", "send/"), ("post", "remind/"), ("get", "status/")]


@pytest.mark.parametrize(("method", "tail"), PAGES)
@pytest.mark.parametrize("actor", ["clinician", "unit_lead", "outsider", "staff_curator"])
def test_a_member_a_lead_another_organizations_admin_and_staff_meet_404(
    client, org, wave, method, tail, actor, request
):
    client.force_login(request.getfixturevalue(actor))
    response = getattr(client, method)(_base(org, wave) + tail, {"addresses": "a@b.example"})
    assert response.status_code == 404
    assert not InvitationBatch.objects.exists() and not mail.outbox


def test_another_organizations_admin_meets_404_on_org_a_s_wave_through_their_own_slug(
    client, org, other_org, wave, outsider
):
    client.force_login(outsider)
    response = client.get(f"/measure/{other_org.slug}/waves/{wave.pk}/invitations/")
    assert response.status_code == 404


def test_the_wave_page_offers_invitations_to_admins_only(client, org, wave, org_admin, unit_lead):
    client.force_login(unit_lead)
    assert "Invite by email" not in client.get(wave.get_absolute_url()).content.decode()
    client.force_login(org_admin)
    page = client.get(wave.get_absolute_url()).content.decode()
    assert "Invite by email" in page
    assert f'hx-get="{_base(org, wave)}status/"' in page


# -- the mail ---------------------------------------------------------------------------------


def test_twenty_addresses_get_twenty_mails_each_with_its_own_link_and_nothing_else_shared(
    invited, org, wave
):
    assert len(mail.outbox) == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(NORMALIZED)
    tokens = _tokens(mail.outbox)
    assert len(set(tokens)) == 20
    for message, token in zip(mail.outbox, tokens, strict=True):
        others = [m for m in mail.outbox if m is not message]
        assert not any(token in m.body or token in m.subject for m in others)
        assert not message.extra_headers  # no batch id, no tracking header
    # Apart from the link, every mail is the same text.
    bodies = {m.body.replace(t, "TOKEN") for m, t in zip(mail.outbox, tokens, strict=True)}
    assert len(bodies) == 1 and len({m.subject for m in mail.outbox}) == 1
    body, subject = bodies.pop(), mail.outbox[0].subject
    assert org.name in subject and wave.survey.name in subject
    assert "anonymous" in body and "never linked to your email address" in body
    assert "If you are in crisis, call or text 988" in body
    assert timezone.localtime(wave.closes_at).strftime("%B") in body
    # The link once in each language's part of the mail, nowhere else.
    assert "/t/TOKEN/" in body and body.count("TOKEN") == len(settings.LANGUAGES) == 2
    assert "La encuesta es anónima." in body
    batch = InvitationBatch.objects.get()
    assert (batch.total, batch.sent, batch.failed, batch.status) == (20, 20, 0, "done")


def test_the_invitation_and_the_reminder_render_in_spanish_when_asked(wave):
    from django.utils import formats, translation

    invite = invitations.invitation_message(wave, "ana@example.org", "T0KEN", languages=["es"])
    remind = invitations.invitation_message(
        wave, "ana@example.org", "T0KEN", reminder=True, languages=["es"]
    )
    assert (
        invite.subject == f"{wave.survey.organization.name} le invita a una encuesta anónima: Pulse"
    )
    assert remind.subject.startswith("Recordatorio: ") and "Un recordatorio:" in remind.body
    assert "Su enlace personal (no lo reenvíe):" in invite.body and "/t/T0KEN/" in invite.body
    assert "llame o envíe un mensaje de texto al 988" in invite.body
    with translation.override("es"):
        month = formats.date_format(timezone.localtime(wave.closes_at), "F")
    assert f"de {month} de" in invite.body and month.islower()  # "diciembre", not "December"
    assert "Your personal link" not in invite.body and "-" * 40 not in invite.body


def test_each_link_opens_the_survey_for_the_batch_s_unit_once(invited, wave, units, walk):
    token = invited[NORMALIZED[0]]
    assert InvitationToken.objects.get(token_hash=hash_token(token)).unit == units["ed"]
    _answer(wave, token, walk)
    assert Client().get(f"/t/{token}/").status_code == 410


def test_running_the_send_task_again_mails_nobody_twice(invited):
    batch = InvitationBatch.objects.get()
    send_invitations.enqueue(batch.pk)
    invitations.deliver_batch(batch.pk)
    assert len(mail.outbox) == 20
    batch.refresh_from_db()
    assert batch.sent == 20


def test_a_run_that_crashes_mid_batch_resumes_without_mailing_anyone_twice(
    admin, org, wave, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    real = EmailBackend.send_messages
    calls = {"n": 0}

    def crashing(self, messages):
        calls["n"] += 1
        if calls["n"] == 7:
            raise smtplib.SMTPServerDisconnected("lost the connection to person.06@mail.example")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", crashing)
    _invite(admin, org, wave, PEOPLE, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 6
    batch = InvitationBatch.objects.get()
    assert batch.status == "sending" and batch.sent == 6
    # The failed task's stored and logged error names the kind of failure, not the address.
    assert "SMTPServerDisconnected" in caplog.text and "person.06" not in caplog.text.lower()
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    invitations.deliver_batch(batch.pk)
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 19  # the one mid-send is never resent
    batch.refresh_from_db()
    assert (batch.sent, batch.status) == (19, "done")


def test_a_recipient_the_mail_server_refuses_counts_as_failed(
    admin, org, wave, monkeypatch, django_capture_on_commit_callbacks
):
    real = EmailBackend.send_messages

    def refusing(self, messages):
        if messages[0].to[0] == NORMALIZED[3]:
            raise smtplib.SMTPRecipientsRefused({NORMALIZED[3]: (550, b"No such user")})
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing)
    _invite(admin, org, wave, PEOPLE, django_capture_on_commit_callbacks)
    batch = InvitationBatch.objects.get()
    assert (batch.sent, batch.failed, batch.status) == (19, 1, "done")
    page = admin.get(_base(org, wave) + "status/").content.decode()
    assert "19 of 20 sent, 1 refused" in page


# -- reminders --------------------------------------------------------------------------------


def test_after_twelve_answers_reminders_go_to_exactly_the_other_eight(
    invited, admin, org, wave, walk, django_capture_on_commit_callbacks
):
    answered = NORMALIZED[:12]
    for address in answered:
        _answer(wave, invited[address], walk)
    mail.outbox.clear()
    page = _remind(admin, org, wave, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(NORMALIZED[12:])
    # The same personal link again.
    assert all(invited[m.to[0]] in m.body for m in mail.outbox)
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox)
    text = page.content.decode()
    assert "Reminders are on their way to everyone invited who has not answered yet" in text
    assert "at least 5 people" in text  # 8, rounded down like the live counts
    assert not re.search(r"\b(8|12)\b", re.sub(r"<[^>]+>", " ", text).split("Sent so far")[0])
    # The answered invitations keep no address and no link.
    wiped = Invitation.objects.filter(wave=wave, token__isnull=True)
    assert wiped.count() == 12
    assert set(wiped.values_list("address_sealed", "token_sealed")) == {("", "")}


def test_an_answered_address_cannot_be_invited_again_so_the_skip_count_tells_nothing(
    invited, admin, org, wave, walk, django_capture_on_commit_callbacks
):
    _answer(wave, invited[NORMALIZED[0]], walk)
    _remind(admin, org, wave, django_capture_on_commit_callbacks)
    page = _check(admin, org, wave, "\n".join([NORMALIZED[0], NORMALIZED[1], "new@mail.example"]))
    assert page.status_code == 200
    plan = page.context["plan"]
    assert (plan.already, len(plan.entries)) == (2, 1)


def test_bounced_addresses_are_not_reminded_and_the_wave_page_counts_them(
    invited, admin, org, wave, tmp_path, django_capture_on_commit_callbacks
):
    bounces = tmp_path / "bounces.csv"
    bounces.write_text(
        "email,reason\n" + f"{PEOPLE[4]},550\n{PEOPLE[5]},550\nstranger@else.example,550\n"
    )
    out = io.StringIO()
    call_command("invitation_bounces", str(bounces), stdout=out)
    assert "2 invitation(s) marked bounced" in out.getvalue()
    assert PEOPLE[4].lower() not in out.getvalue()
    assert InvitationBatch.objects.get().bounced == 2
    assert "2 bounced" in admin.get(_base(org, wave) + "status/").content.decode()
    mail.outbox.clear()
    _remind(admin, org, wave, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(set(NORMALIZED) - set(NORMALIZED[4:6]))


def test_reminders_go_out_at_most_once_a_day(
    invited, admin, org, wave, django_capture_on_commit_callbacks
):
    _remind(admin, org, wave, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    page = _remind(admin, org, wave, django_capture_on_commit_callbacks)
    assert "less than a day ago" in page.content.decode()
    assert not mail.outbox


# -- nothing outlives the wave ----------------------------------------------------------------


def _clear_text_hits(needles: list[str]) -> list[str]:
    """Every table of the database, every text or binary value, searched for ``needles``."""
    hits = []
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {q(table)}")  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        value = bytes(value).decode("latin-1")
                    elif isinstance(value, dict | list):  # JSON columns, as a driver may load them
                        value = json.dumps(value)
                    if isinstance(value, str):
                        low = value.lower()
                        hits += [f"{table}: {n}" for n in needles if n in low]
    return hits


def test_addresses_are_never_stored_in_clear_and_none_remain_after_the_wave_closes(
    invited, admin, org, wave, walk, close, django_capture_on_commit_callbacks
):
    for address in NORMALIZED[:3]:
        _answer(wave, invited[address], walk)
    _remind(admin, org, wave, django_capture_on_commit_callbacks)
    needles = [*NORMALIZED, *invited.values()]
    assert _clear_text_hits(needles) == []
    assert Invitation.objects.filter(wave=wave).count() == 20  # sealed, until the close
    close(wave)
    assert not Invitation.objects.exists()
    assert _clear_text_hits(needles) == []
    batch = InvitationBatch.objects.get()
    assert (batch.total, batch.sent) == (20, 20)  # counts stay, addresses go


def test_the_periodic_purge_deletes_the_addresses_of_waves_past_their_closing_time(invited, wave):
    from wellbeing.surveys.models import Wave

    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    purge_closed_wave_invitations.enqueue()
    assert not Invitation.objects.exists()


def test_deleting_a_wave_deletes_its_invitations(
    admin, org, survey, units, django_capture_on_commit_callbacks, org_admin
):
    now = timezone.now()
    fresh = actions.create_wave(
        survey=survey,
        name="Short",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=2),
    )
    actions.set_wave_status(wave=fresh, status="open")
    _invite(admin, org, fresh, PEOPLE[:3], django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(wave=fresh).count() == 3
    fresh.delete()
    assert not Invitation.objects.exists() and not InvitationBatch.objects.exists()


def test_audit_rows_hold_counts_and_never_an_address(
    invited, admin, org, wave, walk, tmp_path, close, django_capture_on_commit_callbacks
):
    _answer(wave, invited[NORMALIZED[0]], walk)
    _remind(admin, org, wave, django_capture_on_commit_callbacks)
    (tmp_path / "b.txt").write_text(PEOPLE[1] + "\n")
    call_command("invitation_bounces", str(tmp_path / "b.txt"), stdout=io.StringIO())
    close(wave)
    rows = {e.verb: e for e in AuditEvent.objects.filter(verb__startswith="wave.invitation")}
    assert rows["wave.invitations_sent"].detail == {"count": 20}
    assert rows["wave.invitation_reminders"].detail == {"at_least": 15}  # 19, rounded down
    assert rows["wave.invitations_bounced"].detail == {"count": 1}
    assert rows["wave.invitations_purged"].detail == {"count": 20}
    text = repr(list(AuditEvent.objects.values())).lower()
    assert not [p for p in NORMALIZED if p in text]
    assert not [t for t in invited.values() if t in text]


# -- checking the addresses ---------------------------------------------------------------------


def test_invalid_lines_get_clear_errors_by_line_and_the_rest_can_go(admin, org, wave):
    text = "good.one@mail.example\nnot-an-address\n\nAnn Example <Ann@Mail.Example>; bad@\n"
    page = _check(admin, org, wave, text)
    assert page.status_code == 200
    plan = page.context["plan"]
    assert [e.row for e in plan.errors] == [2, 4]
    assert sorted(a for a, _ in plan.entries) == ["ann@mail.example", "good.one@mail.example"]
    html = page.content.decode()
    assert "This is not a valid email address." in html and "not-an-address" in html
    assert "Send 2 invitations" in html


def test_a_unit_column_names_units_exactly_and_unknown_or_ambiguous_names_are_row_errors(
    admin, org, wave, units
):
    from wellbeing.accounts import actions as accounts

    accounts.add_unit(organization=org, name="Night Team", parent=units["ed"])
    accounts.add_unit(organization=org, name="Night Team", parent=units["nursing"])
    content = (
        b"Email,Unit\n"
        b"a@mail.example,Emergency Department\n"
        b"b@mail.example,Night Team\n"
        b"c@mail.example,Radiology\n"
        b"d@mail.example,\n"
    )
    page = _check(admin, org, wave, upload=_file("people.csv", content), unit=units["icu"].pk)
    assert page.status_code == 200
    plan = page.context["plan"]
    errors = {e.row: e.message for e in plan.errors}
    assert set(errors) == {3, 4}
    assert "2 units have this name" in errors[3] and "exactly this name" in errors[4]
    assert dict(plan.entries) == {
        "a@mail.example": units["ed"].pk,
        "d@mail.example": units["icu"].pk,
    }
    assert ("Emergency Department", 1) in page.context["per_unit"]


def test_duplicates_in_the_batch_and_earlier_invitations_are_skipped_and_counted(
    invited, admin, org, wave
):
    text = "\n".join([PEOPLE[0], "new@mail.example", "NEW@mail.example ", PEOPLE[1].upper()])
    page = _check(admin, org, wave, text)
    plan = page.context["plan"]
    assert (len(plan.entries), plan.repeated, plan.already) == (1, 1, 2)
    assert "3 addresses skipped as duplicates" in page.content.decode()


def test_an_xlsx_file_with_an_email_column_is_read(admin, org, wave):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "E-mail"])
    sheet.append(["Ann", "ann@mail.example"])
    sheet.append(["Bo", "bo@mail.example"])
    content = io.BytesIO()
    book.save(content)
    page = _check(admin, org, wave, upload=_file("people.xlsx", content.getvalue()))
    assert page.status_code == 200
    assert sorted(a for a, _ in page.context["plan"].entries) == [
        "ann@mail.example",
        "bo@mail.example",
    ]


def test_a_utf16_text_file_is_read(admin, org, wave):
    content = codecs.BOM_UTF16_LE + "ann@mail.example\r\nbo@mail.example\r\n".encode("utf-16-le")
    page = _check(admin, org, wave, upload=_file("people.txt", content))
    assert page.status_code == 200
    assert len(page.context["plan"].entries) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", b"", "The file is empty."),
        ("people.csv", bytes(range(256)) * 4, "not a text, CSV or Excel"),
        ("people.xlsx", b"PK\x03\x04 not really a workbook", "cannot be read as an Excel"),
        ("people.pdf", b"%PDF-1.4", "Expected a .csv, .txt or .xlsx file"),
        ("people.csv", b"Name,Phone\nAnn,555\n", "no \u201cemail\u201d column"),
        ("people.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "encoding"),
        ("people.csv", b"nobody here\n", "No valid email address"),
        ("people.csv", "Café\n".encode("cp1252"), "No valid email address"),
    ],
)
def test_a_bad_file_gets_a_form_error_never_a_500(admin, org, wave, name, content, message):
    page = _check(admin, org, wave, upload=_file(name, content))
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not InvitationBatch.objects.exists()


def test_an_empty_form_asks_for_addresses(admin, org, wave):
    page = _check(admin, org, wave)
    assert page.status_code == 400
    assert "Paste email addresses or choose a file of them." in page.content.decode()


def test_a_confirmation_opens_only_for_its_admin_and_wave(admin, org, wave, survey):
    page = _check(admin, org, wave, "ann@mail.example")
    draft = page.context["confirm"].initial["draft"]
    now = timezone.now()
    other = actions.create_wave(
        survey=survey,
        name="Other",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=2),
    )
    actions.set_wave_status(wave=other, status="open")
    refused = admin.post(_base(org, other) + "send/", {"draft": draft})
    assert refused.status_code == 400 and "expired or was altered" in refused.content.decode()
    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User

    second = User.objects.create_user("bea@riverbend.test", "a-long-test-password")
    accounts.add_member(organization=org, user=second, role="org_admin")
    colleague = Client()
    colleague.force_login(second)
    refused = colleague.post(_base(org, wave) + "send/", {"draft": draft})
    assert refused.status_code == 400
    tampered = admin.post(_base(org, wave) + "send/", {"draft": draft[:-4] + "AAAA"})
    assert tampered.status_code == 400
    assert admin.post(_base(org, wave) + "send/", {}).status_code == 400
    assert not InvitationBatch.objects.exists() and not mail.outbox


def test_a_closed_wave_sends_no_invitations(admin, org, wave, close):
    close(wave)
    page = _check(admin, org, wave, "ann@mail.example")
    assert page.status_code == 400
    assert "while the wave takes responses" in page.content.decode()


def test_the_status_partial_polls_only_while_a_batch_is_sending(admin, org, wave, units):
    batch, _ = invitations.create_batch(wave=wave, entries=[("ann@mail.example", None)])
    page = admin.get(_base(org, wave) + "status/").content.decode()
    assert 'hx-trigger="every 2s"' in page  # queued: the task runs once the commit happens
    invitations.deliver_batch(batch.pk)
    page = admin.get(_base(org, wave) + "status/").content.decode()
    assert 'hx-trigger="every 2s"' not in page and "1 of 1 sent" in page
