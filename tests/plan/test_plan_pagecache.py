"""Kept Plan pages (core/pagecache.py) show an edit on the next view: through the admin, and
through a data correction, which is a bulk ``QuerySet.update()`` and sends no signal."""

import pytest
from django.test import Client
from django.urls import reverse

from wellbeing.hub import actions as hub_actions
from wellbeing.plan.loader import Correction, apply_corrections
from wellbeing.plan.models import ActorGroup, PriorityArea

pytestmark = pytest.mark.django_db

AREA = "mental-health-and-stigma"


def kept_html(url: str) -> str:
    Client().get(url)
    response = Client().get(url)
    assert response.status_code == 200 and not response.templates, f"{url} is not kept"
    return response.content.decode()


def html(url: str) -> str:
    return Client().get(url).content.decode()


def _value(value):
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def admin_form_data(response) -> dict:
    """What the admin's change page would post back unchanged, inlines included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else _value(value)
    return data


def admin_change(client, obj, **changes):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    response = client.post(url, admin_form_data(client.get(url)) | changes)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_an_actor_group_renamed_in_the_admin_shows_on_the_next_view(admin_client):
    group = ActorGroup.objects.get(slug="health-systems")
    pages = ["/plan/actor-groups/", group.get_absolute_url()]
    for url in pages:
        assert "Health Systems" in kept_html(url)
    admin_change(admin_client, group, name="Health Systems and Hospitals")
    for url in pages:
        assert "Health Systems and Hospitals" in html(url), url


def test_a_priority_area_retitled_in_the_admin_shows_on_every_page_that_names_it(admin_client):
    area = PriorityArea.objects.get(slug=AREA)
    resource = {"slug": "stigma-guide", "title": "A stigma guide", "kind": "toolkit"}
    resource |= {"summary": "On help-seeking.", "url": "https://example.org/s", "source": "x"}
    hub_actions.upsert_resource(resource | {"status": "published"}, priority_areas=[AREA])
    pages = ["/", "/plan/", area.get_absolute_url(), "/campaign/commitments/", "/hub/"]
    for url in pages:
        assert area.title in kept_html(url), url
    admin_change(admin_client, area, title="Mental Health, Stigma and Help-Seeking")
    for url in pages:
        assert "Mental Health, Stigma and Help-Seeking" in html(url), url


def test_a_data_correction_by_bulk_update_shows_on_the_next_view():
    area = PriorityArea.objects.get(slug=AREA)
    assert area.title in kept_html("/plan/")
    fix = Correction("PriorityArea", {"slug": AREA}, "title", area.title, "Corrected title")
    assert apply_corrections(None, [fix]) == 1
    assert "Corrected title" in html("/plan/")
    assert "Corrected title" in html(area.get_absolute_url())
