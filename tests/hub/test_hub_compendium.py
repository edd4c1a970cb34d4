"""The compendium: staff place resources under the six essential elements, with a reason and a
history; readers see the platform's curation, labelled as such, or a helpful empty state."""

import pytest
from django.urls import reverse

from wellbeing.core.models import AuditEvent
from wellbeing.hub import actions, taxonomy
from wellbeing.hub.models import CompendiumEntry, SavedList

pytestmark = pytest.mark.django_db

ELEMENT = "conducting-workplace-assessments"
CURATION_LABEL = "This platform's curation, not the National Academy of Medicine's list."


def _place(client, slug, element=ELEMENT, reason="A short survey to start with."):
    return client.post(reverse("hub:curate", args=[slug]), {"element": element, "reason": reason})


def test_staff_place_a_resource_and_the_history_says_who_and_when(client, library, staff_curator):
    client.force_login(staff_curator)
    response = _place(client, "mini-z-guide")
    assert response.status_code == 302
    entry = CompendiumEntry.objects.get(element=ELEMENT, resource=library["mini-z-guide"])
    assert entry.note == "A short survey to start with."
    revision = library["mini-z-guide"].revisions.order_by("-number").first()
    assert revision.actor == staff_curator and revision.at is not None
    assert (
        revision.note
        == "Placed in “Conducting workplace assessments”: A short survey to start with."
    )
    assert revision.snapshot["compendium"] == [[ELEMENT, "A short survey to start with."]]
    assert AuditEvent.objects.filter(verb="hub.compendium.place", actor=staff_curator).count() == 1

    page = client.get(reverse("hub:curate", args=["mini-z-guide"])).content.decode()
    assert "sam@campaign.test" in page
    assert "Placed in “Conducting workplace assessments”" in page


def test_removing_a_placement_is_recorded_too(client, library, staff_curator):
    client.force_login(staff_curator)
    _place(client, "mini-z-guide")
    response = client.post(
        reverse("hub:curate_remove", args=["mini-z-guide"]), {"element": ELEMENT}
    )
    assert response.status_code == 302
    assert not CompendiumEntry.objects.exists()
    notes = list(library["mini-z-guide"].revisions.order_by("number").values_list("note", "actor"))
    assert notes[-1] == ("Removed from “Conducting workplace assessments”", staff_curator.pk)
    assert "compendium" not in library["mini-z-guide"].revisions.order_by("-number")[0].snapshot
    assert AuditEvent.objects.filter(verb="hub.compendium.remove").count() == 1


def test_placing_again_with_the_same_reason_writes_nothing(library, staff_curator):
    resource = library["mini-z-guide"]
    actions.place_in_compendium(resource, ELEMENT, reason="Why.", actor=staff_curator)
    revisions = resource.revisions.count()
    actions.place_in_compendium(resource, ELEMENT, reason="  Why. ", actor=staff_curator)
    assert resource.revisions.count() == revisions
    actions.place_in_compendium(resource, ELEMENT, reason="A better why.", actor=staff_curator)
    assert resource.revisions.count() == revisions + 1
    assert CompendiumEntry.objects.get().note == "A better why."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"element": ELEMENT, "reason": "   "}, "Say why the resource belongs under this element."),
        (
            {"element": "conducting-workforce-assessments", "reason": "Why."},
            "Choose one of the six",
        ),
        ({}, "Choose an essential element."),
    ],
)
def test_a_placement_without_a_reason_or_element_explains_what_to_fix(
    client, library, staff_curator, data, message
):
    client.force_login(staff_curator)
    response = client.post(reverse("hub:curate", args=["mini-z-guide"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CompendiumEntry.objects.exists()


def test_removing_with_no_element_is_a_clear_message_not_an_error(client, library, staff_curator):
    client.force_login(staff_curator)
    response = client.post(reverse("hub:curate_remove", args=["mini-z-guide"]), follow=True)
    assert response.status_code == 200
    assert "Choose the essential element to remove it from." in response.content.decode()


def test_the_actions_refuse_an_unknown_element_and_a_missing_reason(library):
    with pytest.raises(ValueError, match="element"):
        actions.place_in_compendium(library["mini-z-guide"], "workforce", reason="Why.")
    with pytest.raises(ValueError, match="reason"):
        actions.place_in_compendium(library["mini-z-guide"], ELEMENT, reason="")


def test_placement_is_staff_only(client, library, clinician):
    url = reverse("hub:curate", args=["mini-z-guide"])
    assert client.get(url).status_code == 404  # anonymous: as for any unknown page
    client.force_login(clinician)
    assert client.get(url).status_code == 404
    assert _place(client, "mini-z-guide").status_code == 404
    remove = reverse("hub:curate_remove", args=["mini-z-guide"])
    assert client.post(remove, {"element": ELEMENT}).status_code == 404
    assert not CompendiumEntry.objects.exists()


def test_staff_see_the_placement_link_on_a_resource_and_readers_do_not(
    client, library, staff_curator
):
    url = reverse("hub:resource", args=["mini-z-guide"])
    curate = reverse("hub:curate", args=["mini-z-guide"])
    assert curate not in client.get(url).content.decode()
    client.force_login(staff_curator)
    assert curate in client.get(url).content.decode()


def test_an_element_page_lists_placed_resources_under_the_curation_label(
    client, library, staff_curator
):
    actions.place_in_compendium(library["measure-first"], ELEMENT, reason="Read first.")
    actions.place_in_compendium(library["mini-z-guide"], ELEMENT, reason="Then a short survey.")
    html = client.get(reverse("hub:compendium_element", args=[ELEMENT])).content.decode()
    assert CURATION_LABEL in html
    assert html.index("Measure before acting") < html.index("Using the Mini Z")
    assert "Read first." in html and "Then a short survey." in html
    assert 'href="https://nam.edu/resources-from-the-action-collaborative' in html
    index = client.get(reverse("hub:compendium")).content.decode()
    assert CURATION_LABEL in index
    assert "(2 resources)" in index


def test_an_empty_element_page_says_what_to_do_instead(client, library):
    element = "advancing-organizational-commitment"
    response = client.get(reverse("hub:compendium_element", args=[element]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in html
    assert f"{reverse('hub:index')}?element={element}" in html
    assert CURATION_LABEL in html


def test_merging_a_duplicate_keeps_saved_lists_and_placements(library, clinician):
    keep, duplicate = library["measure-first"], library["mini-z-guide"]
    saved = actions.save_to_list(clinician, duplicate, "Reading")
    actions.place_in_compendium(duplicate, ELEMENT, reason="Kept after the merge.")
    actions.merge_resources(keep, duplicate)
    assert not type(keep).objects.filter(slug="mini-z-guide").exists()
    assert list(
        SavedList.objects.get(pk=saved.pk).items.values_list("resource__slug", flat=True)
    ) == ["measure-first"]
    assert CompendiumEntry.objects.get(resource=keep).note == "Kept after the merge."


def test_the_seed_places_verified_resources_under_every_element(client):
    from wellbeing.hub.seed import load_seed

    report = load_seed()
    assert report.placements == CompendiumEntry.objects.count() > 0
    for element in taxonomy.Element.values:
        entries = CompendiumEntry.objects.filter(element=element, resource__status="published")
        assert entries.count() >= 3, element
        assert all(entry.note for entry in entries), element
        html = client.get(reverse("hub:compendium_element", args=[element])).content.decode()
        assert CURATION_LABEL in html
        for entry in entries:
            assert entry.resource.get_absolute_url() in html
    again = load_seed()
    assert again.placements == 0
