"""Staff complete the Plan in the admin: every plan model has working admin pages."""

import pytest
from django.urls import reverse

from wellbeing.plan.models import (
    ActorGroup,
    Goal,
    ModelElement,
    PriorityArea,
    PublicationFact,
    RecommendedAction,
)

pytestmark = pytest.mark.django_db

MODELS = [ActorGroup, Goal, ModelElement, PriorityArea, PublicationFact, RecommendedAction]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_staff_can_list_and_open_every_plan_model(admin_client, model):
    opts = model._meta
    listing = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(listing).status_code == 200
    obj = model.objects.first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert admin_client.get(add).status_code == 200


def test_a_stored_slug_cannot_be_edited_because_other_apps_link_to_it(admin_client):
    area = PriorityArea.objects.get(number=3)
    html = admin_client.get(reverse("admin:plan_priorityarea_change", args=[area.pk])).content
    assert b'name="slug"' not in html
    assert b"mental-health-and-stigma" in html


def test_staff_can_add_a_sub_factor_under_a_domain(admin_client):
    domain = ModelElement.objects.get(slug="personal-factors")
    response = admin_client.post(
        reverse("admin:plan_modelelement_add"),
        {
            "kind": "sub_factor",
            "parent": domain.pk,
            "order": 1,
            "name": "Checked sub-factor",
            "slug": "checked-sub-factor",
            "verified": "on",
            "source": "Conceptual model figure (checked by staff)",
            "children-TOTAL_FORMS": 0,
            "children-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert domain.children.get().name == "Checked sub-factor"
