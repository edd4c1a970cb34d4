"""The campaign in Spanish: public pages, the sign-on form and its mail, for Accept-Language: es.

Participants' own words (names, commitments) and the Plan's titles stay as entered.
"""

import ast
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from tests.campaign.test_campaign_sign_on import institution_data

INSTITUTION = reverse("campaign:sign_on_institution")
PO = Path(__file__).resolve().parents[2] / "src/wellbeing/locale/es/LC_MESSAGES/django.po"


@pytest.fixture
def es(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


def main_of(response):
    html = response.content.decode()
    return html.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db
def test_a_spanish_visitor_sees_the_sign_on_form_in_spanish(es):
    response = es.get(INSTITUTION)
    assert response.status_code == 200
    main = main_of(response)
    assert main.startswith(' class="usa-section" tabindex="-1">')  # no lang="en": it is Spanish
    for text in (
        "Inscribir a una institución",
        "Su nombre completo",
        "Su cargo o puesto",
        "Elija una contraseña",
        "Nombre de la institución",
        "Seleccione un sector",
        "Sistema de salud",
        "Estado de EE. UU.",
        "Acelerador: Se compromete con metas definidas en el Plan Nacional",
        "Áreas prioritarias de interés",
        "Confirmo que estoy autorizado/a",
        ">Inscribirse</button>",
    ):
        assert text in main, text
    for english in ("Your full name", "Choose a password", "Select a sector", "Sign on</button>"):
        assert english not in main, english


@pytest.mark.django_db
def test_a_spanish_visitor_reads_the_form_errors_in_spanish(es):
    response = es.post(INSTITUTION, {})
    assert response.status_code == 400
    main = main_of(response)
    assert "Corrija el formulario" in main
    assert "Escriba su nombre completo." in main
    assert "Elija una función." in main
    assert "Elija al menos un área prioritaria." in main
    assert "Enter your full name." not in main


@pytest.mark.django_db
def test_a_spanish_visitor_gets_the_confirmation_email_in_spanish(
    es, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = es.post(INSTITUTION, institution_data())
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Confirme su inscripción en Change Maker"
    assert "Gracias por inscribir a Harbor Health como Acelerador de Change Maker." in message.body
    assert re.search(r"https?://\S+/campaign/confirm/\S+/", message.body)
    assert "Thank you" not in message.body
    sent = main_of(es.get(response.headers["Location"]))
    assert "Revise su correo electrónico" in sent


@pytest.mark.django_db
def test_the_stored_authority_statement_is_the_one_the_signer_read(
    es, django_capture_on_commit_callbacks
):
    from wellbeing.campaign.models import Participant

    with django_capture_on_commit_callbacks(execute=True):
        es.post(INSTITUTION, institution_data())
    statement = Participant.objects.get().authority_statement
    assert statement.startswith("Dana Doe, Chief Medical Officer: Confirmo que estoy autorizado/a")


@pytest.mark.django_db
def test_an_english_visitor_still_gets_the_confirmation_email_in_english(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(INSTITUTION, institution_data())
    (message,) = mail.outbox
    assert message.subject == "Confirm your Change Maker sign-on"


@pytest.mark.django_db
def test_a_known_address_gets_the_sign_in_first_mail_in_spanish(
    es, org_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        es.post(INSTITUTION, institution_data(email=org_admin.email))
    (message,) = mail.outbox
    assert message.subject == "Ya tiene una cuenta: inicie sesión y luego inscríbase"
    assert "no se registró nada" in message.body


@pytest.mark.django_db
def test_the_public_pages_are_in_spanish_with_the_participants_words_as_entered(
    es, commitment, approved
):
    pages = {
        reverse("campaign:index"): ["Campaña Change Maker", "Tres maneras de participar", "Nodo"],
        reverse("campaign:directory"): ["Directorio de Change Makers", "Sistema de salud"],
        reverse("campaign:explorer"): [
            "Compromisos de los Change Makers",
            "Acelerador de Change Maker",
        ],
        approved.get_absolute_url(): ["Acelerador de Change Maker", "Valor inicial", "Meta"],
        reverse("campaign:join"): ["Inscribirse como Change Maker", "Inscribir a una institución"],
        reverse("campaign:sign_on_sent"): ["Revise su correo electrónico"],
    }
    for url, texts in pages.items():
        main = main_of(es.get(url))
        for text in texts:
            assert text in main, (url, text)
    participant = main_of(es.get(approved.get_absolute_url()))
    assert "Lower burnout in nursing" in participant  # the participant's own words
    assert "Halve the share of nurses who report burnout." in participant


@pytest.mark.django_db
def test_the_badge_and_its_embed_code_stay_in_english(es, approved):
    svg = es.get(reverse("campaign:badge", args=[approved.pk])).content.decode()
    assert "Change Maker Accelerator" in svg
    main = main_of(es.get(approved.get_absolute_url()))
    assert re.search(
        r'<pre class="wb-embed-snippet" lang="en">.*alt="Change Maker Accelerator', main
    )


def _campaign_entries(po_text):
    """(msgid, translated?) of every catalogue entry that a campaign file uses."""
    for block in po_text.split("\n\n"):
        lines = block.splitlines()
        if not any(line.startswith("#: ") and " campaign/" in f" {line[3:]}" for line in lines):
            continue
        fields, key = {}, None
        for line in lines:
            match = re.match(r'^(msgid|msgstr(?:\[0\])?) (".*")$', line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            yield fields["msgid"], bool(fields.get("msgstr") or fields.get("msgstr[0]"))


def test_every_campaign_string_in_the_catalogue_has_its_spanish():
    """`make messages` writes the catalogue; a campaign string left without Spanish fails here."""
    entries = list(_campaign_entries(PO.read_text(encoding="utf-8")))
    assert len(entries) > 250
    assert [msgid for msgid, done in entries if not done] == []
