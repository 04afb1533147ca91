from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outbox", "0002_outboxevent_version_request_id")]

    # A default in the database: the release before this one goes on writing events without
    # the column while a rolling update replaces it (their traces end at the outbox).
    operations = [
        migrations.AddField(
            model_name="outboxevent",
            name="traceparent",
            field=models.CharField(
                blank=True,
                db_default="",
                help_text="The W3C trace context of the span that emitted it, when traced.",
                max_length=55,
            ),
        ),
    ]
