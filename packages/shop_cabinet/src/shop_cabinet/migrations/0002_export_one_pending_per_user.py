from django.conf import settings
from django.db import migrations, models
from django.db.models import Count


def fail_duplicate_pending_exports(apps, schema_editor):
    """Before the constraint: keep each user's newest pending export, fail the others."""
    export_model = apps.get_model("shop_cabinet", "PersonalDataExport")
    pending = export_model.objects.filter(status="pending")
    users = pending.values("user").annotate(n=Count("pk")).filter(n__gt=1).values_list("user")
    for (user_id,) in users:
        newest = pending.filter(user_id=user_id).order_by("-created").first()
        pending.filter(user_id=user_id).exclude(pk=newest.pk).update(status="failed")


class Migration(migrations.Migration):
    dependencies = [
        ("shop_cabinet", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fail_duplicate_pending_exports, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="personaldataexport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("user",),
                name="shop_cabinet_export_one_pending_per_user",
            ),
        ),
    ]
