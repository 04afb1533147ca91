from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_initial")]

    # Defaults in the database: events written before versions were recorded have the shape
    # of version 1.0, and the release before this one goes on writing events without either
    # column while a rolling update replaces it.
    operations = [
        migrations.AddField(
            model_name="outboxevent",
            name="version",
            field=models.CharField(db_default="1.0", max_length=20),
        ),
        migrations.AddField(
            model_name="outboxevent",
            name="request_id",
            field=models.CharField(
                blank=True,
                db_default="",
                help_text="The X-Request-ID of the request that caused it.",
                max_length=128,
            ),
        ),
    ]
