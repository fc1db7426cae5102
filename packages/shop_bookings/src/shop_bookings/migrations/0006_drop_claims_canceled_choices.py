# Schema after 0005: the claim columns go (shop_core.delivery leases through
# "due"), reminders live in the outbox, "canceled" is the one spelling.

from django.db import migrations, models

STATUS_CHOICES = [
    ("pending", "pending"),
    ("confirmed", "confirmed"),
    ("canceled", "canceled"),
    ("completed", "completed"),
    ("no_show", "no show"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("shop_bookings", "0005_canceled_and_reminder_rows"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="bookingnotification",
            name="shop_bkg_notification_unsent",
        ),
        migrations.RemoveField(model_name="bookingnotification", name="claimed_at"),
        migrations.RemoveField(model_name="booking", name="reminder_sent_at"),
        migrations.RemoveField(model_name="booking", name="reminder_claimed_at"),
        migrations.AddIndex(
            model_name="bookingnotification",
            index=models.Index(
                condition=models.Q(("sent_at__isnull", True)),
                fields=["due"],
                name="shop_bkg_notification_due",
            ),
        ),
        migrations.AlterField(
            model_name="bookingnotification",
            name="event",
            field=models.CharField(
                choices=[
                    ("created", "created"),
                    ("status_changed", "status changed"),
                    ("rescheduled", "rescheduled"),
                    ("reminder", "reminder"),
                ],
                max_length=32,
                verbose_name="event",
            ),
        ),
        migrations.AlterField(
            model_name="booking",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES, default="pending", max_length=16, verbose_name="status"
            ),
        ),
        migrations.AlterField(
            model_name="bookingstatuschange",
            name="from_status",
            field=models.CharField(
                blank=True, choices=STATUS_CHOICES, max_length=16, verbose_name="from status"
            ),
        ),
        migrations.AlterField(
            model_name="bookingstatuschange",
            name="to_status",
            field=models.CharField(choices=STATUS_CHOICES, max_length=16, verbose_name="to status"),
        ),
    ]
