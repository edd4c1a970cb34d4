"""An organization's unit tree, run by its admins: add, rename, move, retire, restore, import."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from wellbeing.accounts import actions
from wellbeing.accounts.models import Unit
from wellbeing.core.models import AuditEvent


def _units_url(org):
    return reverse("accounts:units", args=[org.slug])


def _unit_url(org, unit, what=""):
    name = f"accounts:unit_{what}" if what else "accounts:unit"
    return reverse(name, args=[org.slug, unit.pk])


def _import(client, org, content, name="units.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("accounts:units_import", args=[org.slug]), {"file": upload})


def _confirm(client, org, dry_run):
    return client.post(
        reverse("accounts:units_import_confirm", args=[org.slug]),
        {"plan": dry_run.context["signed"]},
    )


def _names(org):
    return set(Unit.objects.filter(organization=org).values_list("name", flat=True))


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client


# --- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["clinician", "unit_lead", "outsider", "staff_curator"])
def test_only_the_organization_s_admins_reach_the_unit_pages(request, client, org, units, actor):
    client.force_login(request.getfixturevalue(actor))
    icu = units["icu"]
    pages = [
        _units_url(org),
        _unit_url(org, icu),
        reverse("accounts:units_import", args=[org.slug]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    for url in [
        _units_url(org),
        _unit_url(org, icu),
        _unit_url(org, icu, "retire"),
        _unit_url(org, icu, "restore"),
    ]:
        assert client.post(url, {"name": "Taken over", "what": "rename"}).status_code == 404, url
    assert not Unit.objects.filter(name="Taken over").exists()
    assert Unit.objects.get(pk=icu.pk).retired_at is None


def test_another_organization_s_admin_cannot_import_into_it(client, org, units, outsider):
    client.force_login(outsider)
    response = _import(client, org, b"Division,Department\nTaken,Over\n")
    assert response.status_code == 404
    assert "Taken" not in _names(org)


def test_an_admin_cannot_reach_another_organization_s_unit_through_their_own(
    client, org, other_org, units, outsider
):
    client.force_login(outsider)
    theirs = actions.add_unit(organization=other_org, name="Lakeside Wards")
    assert client.get(_unit_url(other_org, theirs)).status_code == 200
    assert client.get(_unit_url(other_org, units["icu"])).status_code == 404


# --- add, rename, move ---------------------------------------------------------------------


def test_an_admin_adds_a_unit_under_a_parent(admin_client, org, units):
    response = admin_client.post(
        _units_url(org), {"name": "  Pediatric   ICU ", "parent": units["nursing"].pk}
    )
    assert response.status_code == 302
    added = Unit.objects.get(name="Pediatric ICU")
    assert added.parent == units["nursing"] and added.depth == 1
    assert added.path == f"{units['nursing'].path}{added.pk:08d}/"
    assert AuditEvent.objects.filter(
        verb="unit.create", organization=org, target="Pediatric ICU"
    ).exists()


def test_a_sibling_with_the_same_name_is_a_clear_form_error(admin_client, org, units):
    response = admin_client.post(_units_url(org), {"name": "nursing", "parent": ""})
    assert response.status_code == 400
    assert "A unit named “Nursing” already exists at the top level." in response.content.decode()
    assert Unit.objects.filter(organization=org, parent=None, name__iexact="nursing").count() == 1


def test_a_rename_that_clashes_with_a_sibling_is_refused(admin_client, org, units):
    response = admin_client.post(_unit_url(org, units["ed"]), {"what": "rename", "name": "Nursing"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Unit.objects.get(pk=units["ed"].pk).name == "Emergency Department"


def test_a_rename_is_saved_and_audited(admin_client, org, units):
    response = admin_client.post(_unit_url(org, units["ed"]), {"what": "rename", "name": "ED"})
    assert response.status_code == 302
    assert Unit.objects.get(pk=units["ed"].pk).name == "ED"
    event = AuditEvent.objects.get(verb="unit.rename", organization=org)
    assert event.detail["old_name"] == "Emergency Department"


def test_moving_a_unit_moves_its_whole_subtree(admin_client, org, units):
    response = admin_client.post(
        _unit_url(org, units["icu"]), {"what": "move", "parent": units["ed"].pk}
    )
    assert response.status_code == 302
    icu, night, ed = (Unit.objects.get(pk=units[k].pk) for k in ("icu", "night", "ed"))
    assert icu.parent == ed and icu.depth == 1 and night.depth == 2
    assert icu.path == f"{ed.path}{icu.pk:08d}/"
    assert night.path == f"{icu.path}{night.pk:08d}/"
    assert set(ed.subtree()) == {ed, icu, night}
    assert set(Unit.objects.get(pk=units["nursing"].pk).subtree()) == {units["nursing"]}
    assert AuditEvent.objects.filter(verb="unit.move", organization=org).exists()


def test_moving_a_unit_to_the_top_level(admin_client, org, units):
    admin_client.post(_unit_url(org, units["icu"]), {"what": "move", "parent": ""})
    icu = Unit.objects.get(pk=units["icu"].pk)
    assert icu.parent is None and icu.depth == 0 and icu.path == f"{icu.pk:08d}/"
    assert Unit.objects.get(pk=units["night"].pk).depth == 1


def test_moving_a_unit_under_its_own_child_is_refused(admin_client, org, units):
    response = admin_client.post(
        _unit_url(org, units["nursing"]), {"what": "move", "parent": units["night"].pk}
    )
    assert response.status_code == 400  # the picker does not even offer its own subtree
    assert Unit.objects.get(pk=units["nursing"].pk).parent is None
    with pytest.raises(actions.UnitError, match="under itself"):
        actions.move_unit(unit=units["nursing"], parent=units["night"])
    with pytest.raises(actions.UnitError, match="under itself"):
        actions.move_unit(unit=units["nursing"], parent=units["nursing"])


def test_a_move_onto_a_sibling_s_name_is_refused(admin_client, org, units):
    actions.add_unit(organization=org, name="Intensive Care Unit")  # a top-level namesake
    response = admin_client.post(_unit_url(org, units["icu"]), {"what": "move", "parent": ""})
    assert response.status_code == 400
    assert Unit.objects.get(pk=units["icu"].pk).parent == units["nursing"]


def test_a_bodiless_post_to_a_unit_changes_nothing(admin_client, org, units):
    assert admin_client.post(_unit_url(org, units["icu"]), {}).status_code == 400


# --- retire and restore -------------------------------------------------------------------


def test_retiring_a_unit_keeps_it_and_its_subtree_but_hides_them_from_pickers(
    admin_client, org, units
):
    response = admin_client.post(_unit_url(org, units["icu"], "retire"))
    assert response.status_code == 302
    icu, night = (Unit.objects.get(pk=units[k].pk) for k in ("icu", "night"))
    assert icu.retired_at is not None and night.retired_at == icu.retired_at
    page = admin_client.get(_units_url(org))
    assert f'<option value="{icu.pk}"' not in page.content.decode()
    assert page.context["retired"] == [icu, night]
    organization = admin_client.get(org.get_absolute_url()).content.decode()
    tree = organization.split("<h2>Units</h2>")[1].split("Retired units")[0]
    assert "Intensive Care Unit" not in tree and "ICU Night Team" not in tree
    assert "Retired units" in organization
    assert AuditEvent.objects.get(verb="unit.retire").detail["units"] == 2


def test_a_restored_unit_comes_back_with_the_units_retired_with_it(admin_client, org, units):
    actions.retire_unit(unit=units["night"])  # retired on its own, earlier
    actions.retire_unit(unit=units["icu"])
    response = admin_client.post(_unit_url(org, units["icu"], "restore"))
    assert response.status_code == 302
    assert Unit.objects.get(pk=units["icu"].pk).retired_at is None
    assert Unit.objects.get(pk=units["night"].pk).retired_at is not None
    assert AuditEvent.objects.filter(verb="unit.restore", organization=org).exists()


def test_a_unit_under_a_retired_parent_cannot_be_restored_first(admin_client, org, units):
    actions.retire_unit(unit=units["icu"])
    response = admin_client.post(_unit_url(org, units["night"], "restore"), follow=True)
    assert "Restore “Intensive Care Unit” first" in response.content.decode()
    assert Unit.objects.get(pk=units["night"].pk).retired_at is not None


def test_no_unit_is_added_under_a_retired_one(admin_client, org, units):
    actions.retire_unit(unit=units["icu"])
    response = admin_client.post(_units_url(org), {"name": "New", "parent": units["icu"].pk})
    assert response.status_code == 400
    with pytest.raises(actions.UnitError, match="retired"):
        actions.create_unit(organization=org, name="New", parent=units["icu"])


def test_the_organization_wide_survey_link_offers_no_retired_unit(client, org, units, wave):
    actions.retire_unit(unit=units["icu"])
    link = wave.links.get(unit=None).get_absolute_url()
    flow = client.get(link, follow=True).context["flow"]
    assert [u.name for u in flow.unit_choices()] == ["Emergency Department", "Nursing"]


def test_reports_still_see_a_retired_unit(org, units):
    from wellbeing.reports import tree

    actions.retire_unit(unit=units["icu"])
    assert "Intensive Care Unit" in tree.current(org).names


# --- import ---------------------------------------------------------------------------------

LEVELS = (
    b"Division,Department,Team\n"
    b"Nursing,Intensive Care Unit,ICU Day Team\n"
    b"Nursing,Intensive Care Unit,ICU Night Team\n"
    b"Nursing,Oncology,\n"
    b"Surgery,,\n"
    b"Surgery,Operating Rooms,Anesthesia\n"
)


def test_the_dry_run_shows_the_tree_and_writes_nothing(admin_client, org, units):
    before = (Unit.objects.count(), AuditEvent.objects.count())
    response = _import(admin_client, org, LEVELS)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert not plan.errors
    assert plan.new_count == 5  # ICU Day Team, Oncology, Surgery, Operating Rooms, Anesthesia
    assert plan.existing_count == 3  # Nursing, Intensive Care Unit, ICU Night Team
    assert (Unit.objects.count(), AuditEvent.objects.count()) == before
    html = response.content.decode()
    assert "Dry run: nothing is changed yet" in html and "Add 5 units" in html


def test_a_confirmed_import_creates_the_tree_and_a_second_import_creates_nothing(
    admin_client, org, units
):
    dry_run = _import(admin_client, org, LEVELS)
    assert _confirm(admin_client, org, dry_run).status_code == 302
    surgery = Unit.objects.get(organization=org, name="Surgery")
    anesthesia = Unit.objects.get(name="Anesthesia")
    assert anesthesia.parent.parent == surgery and anesthesia.depth == 2
    assert anesthesia.path.startswith(surgery.path)
    assert Unit.objects.get(name="ICU Day Team").parent == units["icu"]
    count = Unit.objects.count()
    again = _import(admin_client, org, LEVELS)
    assert again.context["plan"].new_count == 0
    assert "nothing to import" in again.content.decode()
    assert _confirm(admin_client, org, again).status_code == 302
    assert Unit.objects.count() == count
    assert AuditEvent.objects.filter(verb="unit.import", organization=org).count() == 2


def test_the_unit_parent_layout_finds_parents_in_the_file_and_the_organization(
    admin_client, org, units
):
    content = b"unit,parent\nPediatrics,\nNICU,Pediatrics\nStep-down,intensive care unit\n"
    dry_run = _import(admin_client, org, content)
    plan = dry_run.context["plan"]
    assert not plan.errors and plan.new_count == 3
    _confirm(admin_client, org, dry_run)
    assert Unit.objects.get(name="NICU").parent.name == "Pediatrics"
    assert Unit.objects.get(name="Step-down").parent == units["icu"]


def test_an_xlsx_file_is_read_like_a_csv(admin_client, org, units):
    book = Workbook()
    sheet = book.active
    for row in [("Division", "Department"), ("Surgery", "Operating Rooms"), ("Surgery", None)]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    dry_run = _import(admin_client, org, buffer.getvalue(), "units.xlsx")
    assert dry_run.status_code == 200
    assert [u.name for u in dry_run.context["plan"].units] == ["Surgery", "Operating Rooms"]


def test_row_errors_are_listed_by_row_and_block_the_import(admin_client, org, units):
    actions.add_unit(organization=org, name="Float Pool", parent=units["ed"])
    actions.add_unit(organization=org, name="Float Pool", parent=units["nursing"])
    content = (
        b"unit,parent\n"
        b",Nursing\n"  # row 2: blank name
        b"Wards,Nowhere\n"  # row 3: parent not found
        b"Floaters,Float Pool\n"  # row 4: two existing units have that name
        b"Wards,Nowhere\n"  # row 5: repeats row 3
        b"Clinic A,Clinics\n"  # rows 6 and 7: "Clinics" listed twice as a unit
        b"Clinics,Nursing\n"
        b"Clinics,Emergency Department\n"
    )
    response = _import(admin_client, org, content)
    assert response.status_code == 200
    errors = {e.row: e.message for e in response.context["plan"].errors}
    assert errors[2] == "The unit's name is blank."
    assert "“Nowhere” is not in the file or the organization" in errors[3]
    assert "ambiguous" in errors[4]
    assert errors[5] == "This row repeats row 3."
    assert "ambiguous" in errors[6]
    html = response.content.decode()
    assert "Errors by row" in html and "Add " not in html.split("Errors by row")[1].split("<h2>")[0]


def test_a_blank_level_before_a_named_one_is_a_row_error(admin_client, org):
    response = _import(admin_client, org, b"Division,Department\n,Orphans\nSurgery,\n")
    errors = response.context["plan"].errors
    assert [(e.row, e.message) for e in errors] == [
        (2, "The “Division” name is blank, but a later column is not.")
    ]


def test_a_cycle_of_parents_is_a_row_error(admin_client, org):
    response = _import(admin_client, org, b"unit,parent\nA,B\nB,A\n")
    assert {e.row for e in response.context["plan"].errors} == {2, 3}


def test_a_retired_unit_in_the_file_is_a_row_error(admin_client, org, units):
    actions.retire_unit(unit=units["icu"])
    response = _import(admin_client, org, b"Division,Department\nNursing,Intensive Care Unit\n")
    assert "retired unit: restore it first" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "units.csv", "file is empty."),
        (b"a,b\n1,2\n", "units.pdf", "Expected a .csv or .xlsx file"),
        (b"not a workbook", "units.xlsx", "cannot be read as an Excel workbook"),
        (b"Division\n" + b"Unit\n" * 2001, "units.csv", "more than 2,000 rows"),
    ],
)
def test_an_unreadable_or_oversized_file_is_a_form_error(admin_client, org, content, name, message):
    response = _import(admin_client, org, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_file_above_the_size_cap_is_refused_without_reading_it(admin_client, org):
    response = _import(admin_client, org, b"Division\n" + b"x" * (1024 * 1024 + 10))
    assert response.status_code == 400
    assert "larger than 1024 KB" in response.content.decode()


def test_a_tampered_or_foreign_dry_run_is_refused(
    admin_client, client, org, other_org, units, outsider
):
    dry_run = _import(admin_client, org, LEVELS)
    signed = dry_run.context["signed"]
    url = reverse("accounts:units_import_confirm", args=[org.slug])
    assert admin_client.post(url, {"plan": signed[:-2] + "xx"}).status_code == 400
    client.force_login(outsider)
    theirs = reverse("accounts:units_import_confirm", args=[other_org.slug])
    response = client.post(theirs, {"plan": signed})
    assert response.status_code == 400  # a plan of org A does not apply to org B
    assert "Surgery" not in _names(org) | _names(other_org)
