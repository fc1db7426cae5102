"""Outgoing e-mails move onto ``shop_core.delivery``: ``claimed_until`` becomes ``due``.

``due`` is when a row may next be tried: a sender's lease or the back-off
after a failure. A row claimed by a sender keeps its claim
(``due = claimed_until``); any other row is due since it was written.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def due_from_claims(apps, schema_editor):
    outgoing_email = apps.get_model("shop_accounts", "OutgoingEmail")
    outgoing_email.objects.using(schema_editor.connection.alias).update(
        due=Coalesce("claimed_until", "created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("shop_accounts", "0003_unique_email_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="due",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="due"),
        ),
        migrations.RunPython(due_from_claims, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="outgoingemail", name="shop_acc_email_pending"),
        migrations.RemoveField(model_name="outgoingemail", name="claimed_until"),
        migrations.AddIndex(
            model_name="outgoingemail",
            index=models.Index(fields=["sent_at", "due"], name="shop_acc_email_due"),
        ),
    ]
