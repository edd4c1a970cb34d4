"""One account per address, ignoring case: stop on duplicates, lower-case the rest, then enforce.

Two accounts whose addresses differ only in case (or surrounding spaces) are
two people's data or one person's two accounts; only a person can tell which,
so the migration stops, naming both, and never merges or deletes anything.
Merge or remove one of each group (the admin's user pages), then migrate again.

The check and the spelling are plain functions so tests can call them; they
copy ``accounts.models.normalize_email`` rather than import it, because a
migration must keep doing what it did when it was written.
"""

from collections import defaultdict
from collections.abc import Iterable

import django.db.models.functions.text
from django.db import migrations, models


class EmailCollision(Exception):
    """Accounts whose addresses differ only in case; the message names them for a person."""


def normalized(email: str) -> str:
    return email.strip().lower()


def find_collisions(rows: Iterable[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Groups of (id, email) that share one normalized address; each group sorted by id."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, email in rows:
        groups[normalized(email)].append((pk, email))
    return sorted(
        (sorted(group) for group in groups.values() if len(group) > 1),
        key=lambda group: group[0][0],
    )


def collision_message(collisions: list[list[tuple[int, str]]]) -> str:
    lines = [
        "accounts 0003: these accounts' email addresses differ only in case or spaces. "
        "Sign-in now ignores case, so each group must become one account. Merge or remove "
        "all but one account of each group (the admin's user pages), then migrate again; "
        "nothing was changed:"
    ]
    for group in collisions:
        lines.append("  - " + ", ".join(f"{email!r} (id {pk})" for pk, email in group))
    return "\n".join(lines)


def check_collisions(rows: Iterable[tuple[int, str]]) -> None:
    """Raise ``EmailCollision`` naming every group of addresses that differ only in case."""
    collisions = find_collisions(rows)
    if collisions:
        raise EmailCollision(collision_message(collisions))


def normalize_addresses(apps, schema_editor) -> None:
    User = apps.get_model("accounts", "User")
    rows = list(User.objects.using(schema_editor.connection.alias).values_list("pk", "email"))
    check_collisions(rows)
    for pk, email in rows:
        if email != normalized(email):
            User.objects.using(schema_editor.connection.alias).filter(pk=pk).update(
                email=normalized(email)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organization_state"),
    ]

    operations = [
        # Reversing keeps the lower-cased addresses: they are still valid, and the
        # original spellings are not worth a column.
        migrations.RunPython(normalize_addresses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
    ]
