"""Each user gets a random ``session_salt``, part of every session's auth hash.

Adding a column with a callable default gives every existing row the same value,
so the data step gives each row its own. Sessions signed in before this migration
end once (their stored hash was computed without a salt): everyone signs in again.
"""

import secrets

from django.db import migrations, models

import wellbeing.accounts.models


def fill_session_salts(apps, schema_editor) -> None:
    User = apps.get_model("accounts", "User")
    users = User.objects.using(schema_editor.connection.alias)
    for pk in users.values_list("pk", flat=True).iterator():
        # A copy of models.new_session_salt: a migration keeps doing what it did when written.
        users.filter(pk=pk).update(session_salt=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_email_unique_ignoring_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_salt",
            field=models.CharField(
                default=wellbeing.accounts.models.new_session_salt, editable=False, max_length=64
            ),
        ),
        migrations.RunPython(fill_session_salts, migrations.RunPython.noop),
    ]
