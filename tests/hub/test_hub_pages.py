"""The hub's pages: resources, case studies, compendium, instruments, suggestions, lists."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

import instruments
from wellbeing.core.models import AuditEvent
from wellbeing.hub import actions
from wellbeing.hub.catalogue import plain
from wellbeing.hub.models import CompendiumEntry, SavedList, Suggestion
from wellbeing.plan.models import ModelElement

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
    assert "This platform's curation, not the National Academy of Medicine's list." in html
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
        assert escape(plain(cutoff.source)) in html


# What maintainers write in a definition (evidence tags, field names, pointers into the
# project's reference file) must never reach a reader.
DEVELOPER_WORDING = (
    "verification.unverified", "[U]", "[S]", "[V]", "reference section", "Reference section",
    "verified = false", "shipped flagged", "structure_only", "text_supplied_by_licensee",
    "work-environment", "primary-care-patients", "permission-required", "[unverified cut-off]",
)  # fmt: skip


@pytest.mark.parametrize("instrument_id", sorted(instruments.registry()))
def test_no_instrument_page_shows_developer_wording(client, instrument_id):
    html = client.get(reverse("hub:instrument", args=[instrument_id])).content.decode()
    leaks = [text for text in DEVELOPER_WORDING if escape(text) in html]
    assert leaks == []


def test_the_catalogue_says_in_plain_words_what_is_not_verified(client):
    html = client.get(reverse("hub:instruments")).content.decode()
    assert not [text for text in DEVELOPER_WORDING if escape(text) in html]
    assert "Partly verified" in html and ">Verified<" in html
    who5 = client.get(reverse("hub:instrument", args=["who5"])).content.decode()
    assert "What is not verified" in who5
    # WHO-5's depression threshold (percentage <= 28) is shipped flagged as unverified.
    assert "The cut-off for “Percentage" in who5 or "The cut-off for “" in who5
    assert "not verified in any source we could read" in who5
    gad7 = client.get(reverse("hub:instrument", args=["gad7"])).content.decode()
    assert "What is not verified" not in gad7
    assert "Verified against primary sources" in gad7


def test_plain_words_for_verification_come_from_each_parts_evidence():
    parts = instruments.unverified_parts(instruments.get("olbi"))
    assert {p.topic for p in parts} == {"licence", "scoring", "cutoff"}
    assert {p.evidence for p in parts if p.topic == "cutoff"} == {"U"}
    assert instruments.unverified_parts(instruments.get("gad7")) == ()
    status = instruments.verification_status(instruments.get("olbi"))
    assert status.startswith("partly verified: the licence terms")
    assert "verification.unverified" not in status


def test_a_long_citation_can_wrap_on_a_phone(client):
    html = client.get(reverse("hub:instrument", args=["pes-nwi"])).content.decode()
    assert 'class="grid-col-12 desktop:grid-col-8 wb-wrap"' in html
    css = (Path(__file__).parents[2] / "src/wellbeing/hub/static/hub/hub.css").read_text()
    assert "overflow-wrap: anywhere" in css


def test_each_optional_suggestion_field_says_optional_once(client):
    html = client.get(reverse("hub:suggest")).content.decode()
    for field in ("id_note", "id_email"):
        label = html[html.index(f'for="{field}"') :]
        label = label[: label.index("</label>")]
        assert label.count("optional") == 1, label
    title = html[html.index('for="id_title"') :]
    assert "optional" not in title[: title.index("</label>")]


def test_the_hub_filtered_by_a_model_domain_says_so_and_can_be_cleared(client, library):
    domain = ModelElement.objects.get(slug="organizational-factors")
    assert domain.kind == ModelElement.Kind.DOMAIN
    response = client.get(reverse("hub:index"), {"factor": domain.slug, "kind": "toolkit"})
    html = response.content.decode()
    results = response.context["results"]
    assert [h.resource.slug for h in results.hits] == ["peer-support"]
    assert 'data-testid="applied-filters"' in html
    assert f'<strong lang="en">{escape(domain.name)}</strong>' in html
    applied = {a["label"]: a for a in response.context["applied"]}
    assert applied[domain.name]["remove_url"] == f"{reverse('hub:index')}?kind=toolkit"
    assert applied[domain.name]["model_url"] == reverse("plan:conceptual_model")
    assert applied["Toolkit"]["remove_url"] == f"{reverse('hub:index')}?factor={domain.slug}"
    assert f'href="{reverse("plan:conceptual_model")}"' in html


@pytest.mark.parametrize("kind", ["domain", "sub_factor", "group"])
def test_every_level_of_the_model_is_a_filter_with_a_named_result(client, library, kind):
    element = ModelElement.objects.filter(kind=kind).order_by("order").first()
    response = client.get(reverse("hub:index"), {"factor": element.slug})
    assert response.status_code == 200
    assert response.context["notices"] == []
    assert response.context["applied"][0]["label"] == element.name


def test_a_resource_links_its_factors_to_the_filtered_hub(client, library):
    html = client.get(reverse("hub:resource", args=["licensure"])).content.decode()
    assert f'href="{reverse("hub:index")}?factor=rules-and-regulations"' in html


def test_hub_pages_render_in_spanish_with_english_titles_marked(client, library):
    client.cookies["django_language"] = "es"
    html = client.get(reverse("hub:index"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in html
    assert "Buscar recursos" in html
    assert 'lang="en">Licensure questions and help-seeking</a>' in html
    page = client.get(reverse("hub:case_study", args=["scribes-case"]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Resultados medidos" in page.content.decode()


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
