# Outbox rows move to shop_core.delivery's columns (due, sent_at, attempts,
# last_error) and link the history row they report. Columns are added here,
# filled in 0005 and the old ones dropped in 0006 (one transaction each:
# PostgreSQL refuses to alter a table with pending foreign-key checks).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("shop_bookings", "0003_fingerprint_reminder_claim_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="bookingnotification",
            name="change",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="shop_bookings.bookingstatuschange",
                verbose_name="change",
            ),
        ),
        migrations.AddField(
            model_name="bookingnotification",
            name="due",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="due"),
        ),
    ]
