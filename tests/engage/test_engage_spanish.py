"""Engage in Spanish: every public page, its forms and errors, and the mail it sends.

Mail sent later (reminders, a freed place, a review's outcome, a newsletter's footer) is in
the language the person used on the site, whoever's action sends it. What staff or the public
wrote (titles, drafts, works) stays as written, and staff mail stays in English.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from wellbeing.engage.actions import consultations, events, gallery, updates
from wellbeing.engage.models import Artwork, Event, Registration, Subscriber

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


@pytest.fixture
def spanish():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


@pytest.fixture
def event(db):
    start = timezone.now() + dt.timedelta(hours=20)
    return Event.objects.create(
        title="Peer support, in practice",
        slug="peer-support",
        summary="How three hospitals run peer support.",
        format=Event.Format.HYBRID,
        host="Riverbend Health",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        venue="Main auditorium",
        capacity=1,
        published=True,
    )


@pytest.fixture
def draft(db):
    now = timezone.now()
    return consultations.create_consultation(
        title="Draft guide on rest",
        slug="rest",
        summary="A synthetic draft.",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=5),
        zone="America/New_York",
        sections=consultations.parse_draft("## Purpose\n\nFirst paragraph."),
    )


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


PAGES = [
    ("engage:index", [], "<h1>Participar</h1>"),
    ("engage:updates", [], "<h1>Suscríbase a las novedades</h1>"),
    ("engage:updates_thanks", [], "<h1>Revise su correo electrónico</h1>"),
    ("engage:contact", [], "<h1>Contáctenos</h1>"),
    ("engage:contact_thanks", [], "<h1>Gracias por su mensaje</h1>"),
    ("engage:consultation_list", [], "<h1>Comente los borradores</h1>"),
    ("engage:event_list", [], "<h1>Eventos</h1>"),
    ("engage:awareness_day", [], "Por qué existe el Día"),
    ("engage:gallery_index", [], "<h1>Expresiones de bienestar</h1>"),
    ("engage:gallery_submit", [], "<h1>Envíe su obra</h1>"),
    ("engage:gallery_host", [], "<h1>Acoja la galería itinerante</h1>"),
    ("engage:gallery_thanks", [], "<h1>Gracias por su envío</h1>"),
    ("engage:questionnaire_list", [], "<h1>Cuestionarios de la red</h1>"),
]


@pytest.mark.parametrize(("name", "args", "heading"), PAGES)
def test_each_public_engage_page_is_in_spanish(spanish, name, args, heading):
    response = spanish.get(reverse(name, args=args))
    assert response.status_code == 200
    main = _main(response)
    assert heading in main
    assert 'lang="en"' not in main[: main.index(">")]  # <main> is not marked as English


def test_a_draft_and_an_event_keep_their_own_words_in_a_spanish_page(spanish, draft, event):
    page = _main(spanish.get(draft.get_absolute_url()))
    assert "Draft guide on rest" in page and "First paragraph." in page
    assert "Período de comentarios" in page and "Comentar este párrafo" in page
    assert re.search(r"Del <time[^>]*>\w+ \d+ de \w+ de \d{4}, \d\d:\d\d</time> al", page)
    page = _main(spanish.get(event.get_absolute_url()))
    assert "Peer support, in practice" in page and "Híbrido" in page
    assert "1 en total, queda 1" in page


def test_form_errors_come_back_in_spanish(spanish):
    response = spanish.post(reverse("engage:contact"), {"email": "no"})
    assert response.status_code == 400
    main = _main(response)
    assert "Corrija el formulario" in main
    assert "Escriba su nombre." in main
    assert "Escriba un correo electrónico con el formato nombre@ejemplo.org." in main
    assert "Elija sobre qué es su mensaje." in main


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_gallery_form_offers_real_choices_and_one_optional_mark_per_field(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    main = _main(client.get(reverse("engage:gallery_submit")))
    assert "---------" not in main
    optional = "(optional)" if language == "en" else "(opcional)"
    labels = re.findall(r"<label[^>]*>(.*?)</label>", main, re.S)
    assert any(optional in label for label in labels)
    assert all(label.count(optional) <= 1 for label in labels)
    for name in ("perspective", "medium", "licence"):
        values = re.findall(rf'name="{name}" value="([^"]*)"', main)
        assert values and "" not in values, name


def test_a_paragraph_is_named_by_its_number_not_its_link_anchor(client, draft):
    paragraph = draft.paragraphs.get()
    page = _main(
        client.get(reverse("engage:consultation_comment_paragraph", args=[draft.slug, "s1-p1"]))
    )
    assert "Purpose, paragraph 1.1" in page
    assert ">s1-p1<" not in page and "paragraph s1-p1" not in page
    assert paragraph.number == "1.1"


def test_a_spanish_registration_is_mailed_in_spanish_now_and_reminded_in_spanish_later(
    spanish, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        spanish.post(event.get_absolute_url(), {"name": "Ana", "email": "ana@example.org"})
    confirmed = mail.outbox[-1]
    assert confirmed.subject == "Está inscrito/a: Peer support, in practice"
    assert confirmed.body.startswith("Hola, Ana:\n\nSu lugar está confirmado.")
    assert "Lugar: Main auditorium" in confirmed.body
    assert Registration.objects.get().language == "es"
    # The daily reminder runs with no visitor and the site's default language active.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert events.send_due_reminders(site=SITE) == 1
    reminder = mail.outbox[-1]
    assert reminder.subject == "Recordatorio: Peer support, in practice"
    assert "Un recordatorio: el evento comienza pronto." in reminder.body


def test_a_freed_place_is_announced_in_the_language_of_the_person_who_gets_it(
    spanish, event, django_capture_on_commit_callbacks
):
    english = Client()
    with django_capture_on_commit_callbacks(execute=True):
        english.post(event.get_absolute_url(), {"name": "Ben", "email": "ben@example.org"})
        spanish.post(event.get_absolute_url(), {"name": "Ana", "email": "ana@example.org"})
    waitlisted = mail.outbox[-1]
    assert waitlisted.subject == "Está en la lista de espera: Peer support, in practice"
    ben = Registration.objects.get(email="ben@example.org")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        events.cancel(registration=ben, site=SITE)
    promoted = mail.outbox[-1]
    assert promoted.to == ["ana@example.org"]
    assert promoted.subject == "Se liberó un lugar: Peer support, in practice"


def test_a_spanish_subscriber_consents_reads_and_leaves_in_spanish(
    spanish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = spanish.post(
            reverse("engage:updates"),
            {"email": "ana@example.org", "topics": ["events"], "consent": "on"},
        )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "es"
    assert subscriber.consent_text.startswith("Envíenme de vez en cuando novedades")
    confirm = mail.outbox[-1]
    assert confirm.subject == "Confirme su suscripción a las novedades"
    link = re.search(r"https?://[^/\s]+(/engage/updates/confirm/\S+/)", confirm.body).group(1)
    page = spanish.get(link)
    assert "Sí, envíenme novedades por correo electrónico" in page.content.decode()
    updates.confirm(updates.confirm_token(subscriber))
    newsletter = updates.create_newsletter(
        subject="Spring news", body="Hello all.", topics=["events"], actor=None
    )
    with translation.override("en"):
        message = updates.newsletter_message(newsletter, subscriber)
    assert message.body.startswith("Hello all.\n\n--\nCambiar sus temas: ")
    assert "\nCancelar la suscripción: http" in message.body


def test_an_english_subscriber_keeps_an_english_footer_whoever_sends(db):
    with translation.override("en"):
        subscriber = updates.subscribe("ben@example.org", ["events"], SITE)
    newsletter = updates.create_newsletter(
        subject="Spring news", body="Hello all.", topics=["events"], actor=None
    )
    with translation.override("es"):
        body = updates.newsletter_message(newsletter, subscriber).body
    assert "\nChange your topics: http" in body and "\nUnsubscribe: http" in body


def test_a_works_review_is_mailed_in_the_language_it_was_submitted_in(
    staff_curator, django_capture_on_commit_callbacks
):
    submission = gallery.ArtworkSubmission(
        title="Turno de noche",
        artist_name="R. Rivera",
        location="",
        perspective="clinician",
        medium="writing",
        alt_text="",
        media_url="",
        writing="Un poema.",
        statement="Las horas después de medianoche.",
        licence="cc-by-4.0",
        consent_to_publish=True,
        contact_email="rivera@example.org",
    )
    with translation.override("es"):
        work = gallery.submit_artwork(submission)
    assert work.language == "es"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        gallery.moderate_artwork(
            work=work, approve=False, note="Fuera de tema", actor=staff_curator
        )
    outcome = mail.outbox[-1]
    assert outcome.subject == "Su envío a Expresiones de bienestar: rechazado"
    assert "No se mostrará en la galería." in outcome.body
    assert "La nota de los revisores: Fuera de tema" in outcome.body
    assert Artwork.objects.get().status == "declined"


def test_a_message_sent_in_spanish_reaches_staff_in_english(
    spanish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        spanish.post(
            reverse("engage:contact"),
            {
                "name": "Ana",
                "email": "ana@example.org",
                "topic": "events",
                "message": "¿Cuándo es el próximo evento?",
            },
        )
    staff_mail = mail.outbox[-1]
    assert staff_mail.subject == "Contact form: Events and Health Workforce Well-Being Day"
    assert "¿Cuándo es el próximo evento?" in staff_mail.body


def test_a_comment_is_confirmed_in_spanish_and_a_bad_link_says_why_in_spanish(
    spanish, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        spanish.post(
            reverse("engage:consultation_comment", args=[draft.slug]),
            {"body": "Más descanso.", "email": "ana@example.org"},
        )
    verification = mail.outbox[-1]
    assert verification.subject == "Confirme su comentario sobre Draft guide on rest"
    assert verification.body.startswith("Gracias por comentar «Draft guide on rest».")
    bad = spanish.get(reverse("engage:consultation_verify", args=["not-a-token"]))
    assert bad.status_code == 400
    assert "Este enlace de confirmación no es válido." in bad.content.decode()


def test_a_closed_draft_says_so_in_spanish(spanish, draft):
    with translation.override("es"):
        opens_later = consultations.closed_message(draft, draft.opens_at - dt.timedelta(days=1))
        closed = consultations.closed_message(draft, draft.closes_at)
    assert re.fullmatch(
        r"El período para recibir opiniones del público aún no ha comenzado\. Comienza el "
        r"\w+ \d+ de \w+ de \d{4}, \d\d:\d\d \(America/New_York\)\.",
        opens_later,
    )
    assert closed == "El período para recibir opiniones del público ya terminó."
