from django.db import migrations, models


def language_field():
    return models.CharField(default="en", max_length=8)


class Migration(migrations.Migration):
    dependencies = [
        ("engage", "0003_consultations_updates_contact"),
    ]

    operations = [
        migrations.AddField(model_name="artwork", name="language", field=language_field()),
        migrations.AddField(model_name="registration", name="language", field=language_field()),
        migrations.AddField(model_name="subscriber", name="language", field=language_field()),
    ]
