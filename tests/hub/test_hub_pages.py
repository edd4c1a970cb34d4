"""The hub's pages: resources, case studies, compendium, instruments, suggestions, lists."""

import pytest
from django.urls import reverse
from django.utils.html import escape

import instruments
from wellbeing.core.models import AuditEvent
from wellbeing.hub import actions
from wellbeing.hub.models import CompendiumEntry, SavedList, Suggestion

pytestmark = pytest.mark.django_db


def test_a_resource_page_shows_its_taxonomy_and_link(client, library):
    response = client.get(reverse("hub:resource", args=["licensure"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Licensure questions and help-seeking" in html
    assert "Observational study" in html and "Pharmacist" in html
    assert 'href="https://example.org/licensure"' in html
    assert "Mental Health" in html or "mental-health-and-stigma" in html


def test_a_draft_is_a_404_for_the_public_and_a_preview_for_staff(client, library, staff_curator):
    url = reverse("hub:resource", args=["draft-burnout"])
    assert client.get(url).status_code == 404
    client.force_login(staff_curator)
    response = client.get(url)
    assert response.status_code == 200
    assert "only staff can see this page" in response.content.decode()


def test_markdown_bodies_are_sanitised(client, make_resource):
    make_resource(
        "md",
        "Markdown body",
        body="**Bold** <script>alert(1)</script> [bad](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> [good](https://example.org)',
    )
    html = client.get(reverse("hub:resource", args=["md"])).content.decode()
    assert "<strong>Bold</strong>" in html
    assert "<script>alert(1)" not in html and "javascript:" not in html and "onerror" not in html
    assert 'href="https://example.org"' in html


def test_a_case_study_shows_its_record_and_outcomes(client, library):
    response = client.get(reverse("hub:case_study", args=["scribes-case"]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Primary-care physicians", "Evenings spent on notes", "40%", "25%", "Mini Z"):
        assert text in html
    assert "Not published." in html  # timeline and cost were not given
    assert client.get(reverse("hub:resource", args=["scribes-case"])).status_code == 301


def test_the_case_studies_link_filters_the_search(client, library):
    response = client.get(reverse("hub:case_studies"), follow=True)
    assert [h.resource.slug for h in response.context["results"].hits] == ["scribes-case"]


def test_the_compendium_shows_published_entries_in_order_with_notes(client, library):
    element = "enhancing-workplace-efficiency"
    CompendiumEntry.objects.create(element=element, resource=library["webinar-ehr"], order=2)
    CompendiumEntry.objects.create(
        element=element, resource=library["inbox-time"], order=1, note="Start with the evidence."
    )
    CompendiumEntry.objects.create(element=element, resource=library["draft"], order=0)
    html = client.get(reverse("hub:compendium_element", args=[element])).content.decode()
    assert html.index("Reducing inbox time") < html.index("EHR usability webinar")
    assert "Start with the evidence." in html
    assert "Unpublished burnout draft" not in html
    assert "data-print" in html
    assert client.get(reverse("hub:compendium_element", args=["nope"])).status_code == 404


@pytest.mark.parametrize("instrument_id", sorted(instruments.registry()))
def test_every_instrument_has_a_catalogue_page(client, instrument_id):
    instrument = instruments.get(instrument_id)
    response = client.get(reverse("hub:instrument", args=[instrument_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert escape(instrument.licence.name) in html
    assert "Use it in a survey" in html
    for cutoff in instrument.cutoffs:
        assert escape(cutoff.source) in html


def test_the_instrument_list_links_every_instrument(client):
    html = client.get(reverse("hub:instruments")).content.decode()
    for instrument_id in instruments.registry():
        assert reverse("hub:instrument", args=[instrument_id]) in html
    assert client.get(reverse("hub:instrument", args=["nope"])).status_code == 404


def test_an_org_admin_gets_a_link_to_design_a_survey_with_the_instrument(client, org, org_admin):
    client.force_login(org_admin)
    html = client.get(reverse("hub:instrument", args=["who5"])).content.decode()
    assert reverse("surveys:survey_new", args=[org.slug]) in html


def test_a_suggestion_goes_to_the_moderation_queue(client):
    data = {"title": "A toolkit", "url": "https://example.org/t", "note": "Helped us."}
    response = client.post(reverse("hub:suggest"), data)
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.status == "pending" and suggestion.title == "A toolkit"
    assert AuditEvent.objects.filter(verb="hub.suggestion.create").count() == 1


def test_a_filled_honeypot_stores_nothing_but_looks_the_same(client):
    data = {"title": "Buy now", "url": "https://spam.example", "website": "https://spam.example"}
    response = client.post(reverse("hub:suggest"), data)
    assert response.status_code == 302 and response.url == reverse("hub:suggest_thanks")
    assert Suggestion.objects.count() == 0


def test_suggestions_are_rate_limited(client):
    from django.core.cache import cache

    cache.clear()
    data = {"title": "A toolkit", "url": "https://example.org/t"}
    codes = [client.post(reverse("hub:suggest"), data).status_code for _ in range(7)]
    assert codes == [302] * 5 + [429] * 2
    assert Suggestion.objects.count() == 5
    cache.clear()


def test_an_invalid_suggestion_explains_what_to_fix(client):
    from django.core.cache import cache

    cache.clear()
    response = client.post(reverse("hub:suggest"), {"title": "", "url": "not a link"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the title of the resource." in html
    assert "Enter a full web address" in html
    assert Suggestion.objects.count() == 0


def test_saving_needs_a_sign_in(client, library):
    response = client.post(reverse("hub:save", args=["peer-support"]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert SavedList.objects.count() == 0


def test_a_member_saves_to_lists_and_removes(client, library, clinician):
    client.force_login(clinician)
    client.post(reverse("hub:save", args=["peer-support"]))
    client.post(reverse("hub:save", args=["inbox-time"]), {"list_name": "Team meeting"})
    client.post(reverse("hub:save", args=["peer-support"]))  # twice: stored once
    lists = {saved.name: saved for saved in SavedList.objects.filter(owner=clinician)}
    assert set(lists) == {"Saved resources", "Team meeting"}
    assert lists["Saved resources"].items.count() == 1
    page = client.get(reverse("hub:list", args=[lists["Team meeting"].pk])).content.decode()
    assert "Reducing inbox time" in page
    client.post(reverse("hub:list_remove", args=[lists["Team meeting"].pk, "inbox-time"]))
    assert lists["Team meeting"].items.count() == 0


def test_another_persons_list_is_a_404(client, library, clinician, outsider):
    saved = actions.save_to_list(clinician, library["peer-support"], "Private")
    client.force_login(outsider)
    assert client.get(reverse("hub:list", args=[saved.pk])).status_code == 404
    url = reverse("hub:list_remove", args=[saved.pk, "peer-support"])
    assert client.post(url).status_code == 404
    assert saved.items.count() == 1
    assert "Private" not in client.get(reverse("hub:lists")).content.decode()


def test_a_draft_cannot_be_saved(client, library, clinician):
    client.force_login(clinician)
    assert client.post(reverse("hub:save", args=["draft-burnout"])).status_code == 404
    assert SavedList.objects.count() == 0


def test_the_header_links_to_the_hub(client):
    assert f'href="{reverse("hub:index")}"' in client.get("/").content.decode()
