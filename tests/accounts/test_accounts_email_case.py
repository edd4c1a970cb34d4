"""An address is one account however it is typed: sign-in, lockout, creation, the database.

``Admin@example.org`` and ``admin@example.org`` are one person. Sign-in finds the account
in any case; django-axes counts failures under one spelling (else every change of case
would be five more guesses); no path creates a second account differing only in case, and
the database refuses one too. Migration 0003 stops on existing duplicates, naming them.
"""

import importlib
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from wellbeing.accounts.models import User

PASSWORD = "a-long-test-password"


@pytest.fixture
def migration():
    """Migration 0003's module: its collision check is plain functions."""
    return importlib.import_module(
        "wellbeing.accounts.migrations.0003_user_email_unique_ignoring_case"
    )


def _sign_in(client, email: str, password: str = PASSWORD, url: str = ""):
    url = url or reverse("accounts:login")
    return client.post(url, {"username": email, "password": password})


@pytest.mark.django_db
def test_sign_in_with_a_differently_cased_email_succeeds(client, clinician):
    response = _sign_in(client, "  Casey@RiverBend.TEST ")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == clinician.pk


@pytest.mark.django_db
def test_the_admin_s_sign_in_ignores_case_too(client, staff_curator):
    staff_curator.is_superuser = True
    staff_curator.save()
    response = _sign_in(client, "SAM@Campaign.test", url=reverse("admin:login"))
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff_curator.pk


@pytest.mark.django_db
def test_lockout_counts_every_spelling_of_an_address_as_one(client, clinician, settings):
    settings.AXES_ENABLED = True
    for spelling in ("Casey@riverbend.test", "CASEY@riverbend.test", "casey@RIVERBEND.test"):
        assert _sign_in(client, spelling, "wrong-password-1234").status_code == 200
    for spelling in ("cAsey@riverbend.test", "caSey@riverbend.test"):
        _sign_in(client, spelling, "wrong-password-1234", url=reverse("admin:login"))
    locked = _sign_in(client, "casey@riverbend.test")  # the right password, now paused
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"casey@riverbend.test"}


@pytest.mark.django_db
def test_addresses_are_stored_in_one_spelling_by_every_path(db):
    created = User.objects.create_user("  Pat@Example.ORG ", PASSWORD)
    assert created.email == "pat@example.org"
    created.email = "Pat.Two@Example.org"
    created.save()
    created.refresh_from_db()
    assert created.email == "pat.two@example.org"
    assert User.objects.get_by_natural_key(" PAT.TWO@example.org") == created


@pytest.mark.django_db
def test_a_second_account_differing_only_in_case_is_refused_everywhere(clinician):
    with pytest.raises(ValidationError) as invalid:
        User(email="Casey@Riverbend.test").full_clean()
    assert "email" in invalid.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create_user("CASEY@riverbend.test", PASSWORD)
    # The database refuses one even when every check in Python is bypassed.
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="Casey@RIVERBEND.test", password="!")])
    assert User.objects.filter(email__iexact="casey@riverbend.test").count() == 1


@pytest.mark.django_db
def test_the_admin_s_add_user_form_answers_a_case_duplicate_with_a_form_error(
    client, clinician, staff_curator
):
    staff_curator.is_superuser = True
    staff_curator.save()
    client.force_login(staff_curator)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Casey@Riverbend.TEST",
            "password1": "another-long-password-42",
            "password2": "another-long-password-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="casey@riverbend.test").count() == 1


# --- migration 0003 -------------------------------------------------------------------


def test_the_collision_check_groups_addresses_differing_only_in_case_or_spaces(migration):
    rows = [
        (7, "admin@example.org"),
        (3, "Admin@Example.org"),
        (4, "lee@example.org"),
        (9, " Casey@example.org"),
        (12, "casey@example.org"),
    ]
    assert migration.find_collisions(rows) == [
        [(3, "Admin@Example.org"), (7, "admin@example.org")],
        [(9, " Casey@example.org"), (12, "casey@example.org")],
    ]
    assert migration.find_collisions([(1, "a@example.org"), (2, "b@example.org")]) == []


def test_the_collision_check_stops_with_every_address_and_id_named(migration):
    with pytest.raises(migration.EmailCollision) as stopped:
        migration.check_collisions(
            [(3, "Admin@Example.org"), (7, "admin@example.org"), (4, "lee@example.org")]
        )
    message = str(stopped.value)
    assert "'Admin@Example.org' (id 3), 'admin@example.org' (id 7)" in message
    assert "Merge or remove" in message and "nothing was changed" in message
    assert "lee@" not in message
    migration.check_collisions([(4, "lee@example.org")])  # nothing to say: no error


@pytest.mark.django_db
def test_the_migration_stops_on_duplicates_and_lowercases_the_rest(migration):
    """The migration's data step on a database that has the duplicates it was written for.

    The test's transaction drops the case-blind index (it is rolled back with the rest),
    so the rows an older database may hold can exist again; migrating the whole schema
    back instead would unapply other apps' later migrations too.
    """
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name('user_email_unique_ignoring_case')}")
    rows = [User(email=e, password="!") for e in ("Admin@Example.org", "admin@example.org")]
    first, twin = User.objects.bulk_create(rows)
    User.objects.bulk_create([User(email=" Lee@Example.org", password="!")])
    editor = SimpleNamespace(connection=connection)

    with pytest.raises(migration.EmailCollision) as stopped:
        migration.normalize_addresses(apps, editor)
    assert f"'Admin@Example.org' (id {first.pk}), 'admin@example.org' (id {twin.pk})" in str(
        stopped.value
    )
    assert sorted(User.objects.values_list("email", flat=True)) == [
        " Lee@Example.org",
        "Admin@Example.org",
        "admin@example.org",
    ]  # nothing changed

    User.objects.filter(pk=twin.pk).delete()  # what a person decides: here, the second goes
    migration.normalize_addresses(apps, editor)
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "admin@example.org",
        "lee@example.org",
    ]
