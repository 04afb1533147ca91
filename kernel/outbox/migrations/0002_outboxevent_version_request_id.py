from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="outboxevent",
            name="version",
            # Events written before versions were recorded have the shape of version 1.0.
            field=models.CharField(default="1.0", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outboxevent",
            name="request_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The X-Request-ID of the request that caused it.",
                max_length=128,
            ),
            preserve_default=False,
        ),
    ]
